import "reflect-metadata";
import { GraphQLSchema, lexicographicSortSchema, printSchema } from "graphql";
import {
  getMetadataStorage,
  validateOrReject,
  type ValidationError,
  type ValidatorOptions,
} from "class-validator";
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
 * Whether class-validator has any constraint for instances of `type` (its own or inherited).
 * Decorators run when their module is imported, before the schema is built, so the answer per
 * class never changes; it is kept so that argument classes without constraints (all of the
 * entry's and the seat reads') skip class-validator's executor and its promises per request.
 */
const constrained = new WeakMap<object, boolean>();
function hasConstraints(value: object): boolean {
  const type = value.constructor;
  if (typeof type !== "function") return true;
  let known = constrained.get(type);
  if (known === undefined) {
    known = getMetadataStorage().getTargetValidationMetadatas(type, "", true, false).length > 0;
    constrained.set(type, known);
  }
  return known;
}

/**
 * type-graphql's own argument validation, with class-validator imported once. Its built-in
 * path runs `await import("class-validator")` for every argument object; under the ESM loader
 * hook the service runs with, each import() is a round trip to the loader thread, which the
 * bench profile showed among the top costs of every request and of every queueUpdates push.
 */
async function validateArgs(value: unknown): Promise<void> {
  if (!isObject(value)) return;
  const targets = (Array.isArray(value) ? value.filter(isObject) : [value]).filter(hasConstraints);
  if (targets.length === 0) return;
  try {
    await Promise.all(targets.map((v) => validateOrReject(v, VALIDATOR_OPTIONS)));
  } catch (errors) {
    throw new ArgumentValidationError(errors as ValidationError[]);
  }
}

/** The SDL committed as `schema.graphql` (sorted, so that it diffs cleanly). */
export function printAppSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
