import { Query, Resolver } from "type-graphql";
import { DateTimeScalar } from "./scalars.js";

@Resolver()
export class SystemResolver {
  /** The server's clock, so that clients can show honest countdowns whatever their own clock says. */
  @Query(() => DateTimeScalar, { description: "The server's current time." })
  serverTime(): Date {
    return new Date();
  }
}
