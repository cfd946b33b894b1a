import "reflect-metadata";
import { GraphQLSchema, lexicographicSortSchema, printSchema } from "graphql";
import { buildSchema, type ContainerType, type NonEmptyArray } from "type-graphql";
import type { PubSub } from "@graphql-yoga/subscription";
import { DateTimeScalar } from "./scalars.js";

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type ResolverClass = Function;

export async function buildAppSchema(options: {
  resolvers: NonEmptyArray<ResolverClass>;
  container?: ContainerType;
  pubSub?: PubSub<Record<string, [unknown] | [string, unknown]>>;
}): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: options.resolvers,
    ...(options.container ? { container: options.container } : {}),
    ...(options.pubSub ? { pubSub: options.pubSub } : {}),
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: { forbidUnknownValues: false },
  });
}

/** The SDL committed as `schema.graphql` (sorted, so that it diffs cleanly). */
export function printAppSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
