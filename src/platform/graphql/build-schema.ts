import "reflect-metadata";
import { GraphQLSchema, lexicographicSortSchema, printSchema } from "graphql";
import { validateOrReject, type ValidationError, type ValidatorOptions } from "class-validator";
import { ArgumentValidationError, buildSchema, type ContainerType, type NonEmptyArray } from "type-graphql";
import type { PubSub } from "@graphql-yoga/subscription";
import { locateDomainErrors } from "./located-errors.js";
import { DateTimeScalar } from "./scalars.js";

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type ResolverClass = Function;

export async function buildAppSchema(options: {
  resolvers: NonEmptyArray<ResolverClass>;
  container?: ContainerType;
  pubSub?: PubSub<Record<string, [unknown] | [string, unknown]>>;
}): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: options.resolvers,
    ...(options.container ? { container: options.container } : {}),
    ...(options.pubSub ? { pubSub: options.pubSub } : {}),
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: { forbidUnknownValues: false },
    validateFn: validateArgs,
  });
  return locateDomainErrors(schema);
}

const VALIDATOR_OPTIONS: ValidatorOptions = { skipMissingProperties: true, forbidUnknownValues: false };
const isObject = (v: unknown): v is object => v !== null && typeof v === "object";

/**
 * type-graphql's own argument validation, with class-validator imported once. Its built-in
 * path runs `await import("class-validator")` for every argument object; under the ESM loader
 * hook the service runs with, each import() is a round trip to the loader thread, which the
 * bench profile showed among the top costs of every request and of every queueUpdates push.
 */
async function validateArgs(value: unknown): Promise<void> {
  if (!isObject(value)) return;
  try {
    if (Array.isArray(value)) {
      await Promise.all(value.filter(isObject).map((v) => validateOrReject(v, VALIDATOR_OPTIONS)));
    } else {
      await validateOrReject(value, VALIDATOR_OPTIONS);
    }
  } catch (errors) {
    throw new ArgumentValidationError(errors as ValidationError[]);
  }
}

/** The SDL committed as `schema.graphql` (sorted, so that it diffs cleanly). */
export function printAppSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
