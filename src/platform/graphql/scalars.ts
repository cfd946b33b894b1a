import { DateResolver, DateTimeResolver } from "graphql-scalars";

/** `Date`: a calendar day, YYYY-MM-DD (a JS Date at UTC midnight of that day). */
export const DateScalar = DateResolver;
/** `DateTime`: an instant, ISO-8601 with offset. */
export const DateTimeScalar = DateTimeResolver;
