// A DomainError leaves a root field already located, and without a stack trace.
//
// graphql-js wraps whatever a resolver throws in a new GraphQLError carrying the field's path
// (locatedError), and that constructor captures a stack of ten frames. A DomainError is an
// answer, not a fault (platform/errors.ts): in the seat race, 1,950 of 2,000 requests end in
// SEAT_UNAVAILABLE, and that capture was 6.1% of the race profile's samples
// (`bench/profile.ts race 2000`, 2 December). So the Query and Mutation fields rethrow a
// DomainError as the GraphQLError locatedError would have built (same message, nodes, path and
// originalError), made without capturing a stack; graphql-js keeps an error that already has
// a path as it is. Any other error, and every nested field, still goes through graphql-js's
// own locatedError, stack and all.
import {
  defaultFieldResolver,
  GraphQLError,
  responsePathAsArray,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from "graphql";
import { DomainError, withoutStackTrace } from "../errors.js";

/** The GraphQLError graphql-js's locatedError would make of a DomainError, minus the stack capture. */
const locatedDomainError = (error: DomainError, info: GraphQLResolveInfo): GraphQLError =>
  withoutStackTrace(
    () =>
      new GraphQLError(error.message, {
        nodes: info.fieldNodes,
        path: responsePathAsArray(info.path),
        originalError: error,
      }),
  );

const relocate = (error: unknown, info: GraphQLResolveInfo) =>
  error instanceof DomainError ? locatedDomainError(error, info) : error;

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as { then?: unknown } | null)?.then === "function";

function wrap(resolve: GraphQLFieldResolver<unknown, unknown>): GraphQLFieldResolver<unknown, unknown> {
  return (source, args, context, info) => {
    try {
      const result = resolve(source, args, context, info);
      return isThenable(result)
        ? Promise.resolve(result).catch((error: unknown) => {
            throw relocate(error, info);
          })
        : result;
    } catch (error) {
      throw relocate(error, info);
    }
  };
}

/** Rewires the schema's Query and Mutation fields in place (the schema was just built, nothing runs yet). */
export function locateDomainErrors(schema: GraphQLSchema): GraphQLSchema {
  const roots: (GraphQLObjectType | null | undefined)[] = [schema.getQueryType(), schema.getMutationType()];
  for (const root of roots) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      field.resolve = wrap(field.resolve ?? defaultFieldResolver);
    }
  }
  return schema;
}
