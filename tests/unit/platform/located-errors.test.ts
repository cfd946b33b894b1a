// A DomainError thrown by a Query or Mutation field leaves it as the GraphQLError graphql-js's
// locatedError would have made (same message, locations, path, original error, same answer to
// the client), made by us without capturing a stack (graphql-js's constructor captures one and
// then replaces it with the original error's, so the cost is not visible in .stack: what the
// tests can see is that the error already has its path when it leaves the resolver, which is
// why graphql-js keeps it as it is); every other error is graphql-js's own.
import "reflect-metadata";
import {
  graphql,
  GraphQLError,
  parse,
  type ExecutionResult,
  type GraphQLResolveInfo,
  type OperationDefinitionNode,
  type FieldNode,
} from "graphql";
import { buildSchema, Field, Mutation, ObjectType, Query, Resolver, FieldResolver } from "type-graphql";
import { describe, expect, it } from "vitest";
import { DomainError } from "../../../src/platform/errors.js";
import { buildAppSchema } from "../../../src/platform/graphql/build-schema.js";
import { classifyError } from "../../../src/platform/graphql/format-error.js";

const taken = () => new DomainError("SEAT_UNAVAILABLE", "Pick another seat.", { seat: 7 });

@ObjectType()
class Box {
  @Field(() => String)
  label!: string;
}

@Resolver(() => Box)
class BoxResolver {
  @Query(() => String)
  syncRefusal(): string {
    throw taken();
  }

  @Query(() => String)
  async asyncRefusal(): Promise<string> {
    await Promise.resolve();
    throw taken();
  }

  @Mutation(() => String)
  async reserve(): Promise<string> {
    await Promise.resolve();
    throw taken();
  }

  @Query(() => String)
  fault(): string {
    throw new Error("a bug");
  }

  @Query(() => String)
  async answer(): Promise<string> {
    return "yes";
  }

  @Query(() => Number)
  count(): number {
    return 3;
  }

  @Query(() => Box)
  box(): Box {
    return { label: "" };
  }

  @FieldResolver(() => String)
  label(): string {
    throw taken();
  }
}

const run = async (source: string) => {
  const [ours, plain] = await Promise.all([
    buildAppSchema({ resolvers: [BoxResolver] }),
    buildSchema({ resolvers: [BoxResolver], validate: false }),
  ]);
  return {
    ours: (await graphql({ schema: ours, source })) as ExecutionResult,
    plain: (await graphql({ schema: plain, source })) as ExecutionResult,
  };
};

/** What a root field's resolve function itself throws or rejects with (no graphql-js around it). */
async function thrownBy(kind: "query" | "mutation", name: string): Promise<unknown> {
  const schema = await buildAppSchema({ resolvers: [BoxResolver] });
  const root = kind === "query" ? schema.getQueryType()! : schema.getMutationType()!;
  const operation = parse(`${kind} { ${name} }`).definitions[0] as OperationDefinitionNode;
  const fieldNode = operation.selectionSet.selections[0] as FieldNode;
  const info = {
    fieldName: name,
    fieldNodes: [fieldNode],
    path: { prev: undefined, key: name, typename: root.name },
    parentType: root,
    returnType: root.getFields()[name]!.type,
    schema,
    fragments: {},
    rootValue: undefined,
    operation,
    variableValues: {},
  } as unknown as GraphQLResolveInfo;
  try {
    await root.getFields()[name]!.resolve!(undefined, {}, {}, info);
  } catch (error) {
    return error;
  }
  throw new Error(`${name} did not throw`);
}

describe("domain errors of root fields", () => {
  it.each([
    ["a sync query", "query Q { syncRefusal }", ["syncRefusal"]],
    ["an async query", "query Q { count asyncRefusal }", ["asyncRefusal"]],
    ["a mutation", "mutation M { reserve }", ["reserve"]],
  ])("%s: the same error and answer as graphql-js's", async (_, source, path) => {
    const { ours, plain } = await run(source);
    expect(ours.errors).toHaveLength(1);
    const [mine, theirs] = [ours.errors![0]!, plain.errors![0]!];
    expect(mine.toJSON()).toEqual(theirs.toJSON());
    expect(mine.path).toEqual(path);
    expect(mine.locations).toEqual(theirs.locations);
    expect(mine.originalError).toBeInstanceOf(DomainError);
    expect(classifyError(mine.toJSON(), mine)).toEqual(classifyError(theirs.toJSON(), theirs));
    expect(classifyError(mine.toJSON(), mine).formatted.extensions).toEqual({
      code: "SEAT_UNAVAILABLE",
      seat: 7,
    });
    expect(ours.data).toEqual(plain.data);
  });

  it.each([
    ["query", "syncRefusal"],
    ["query", "asyncRefusal"],
    ["mutation", "reserve"],
  ] as const)("the %s field %s throws its DomainError already located", async (kind, name) => {
    const error = await thrownBy(kind, name);
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).path).toEqual([name]);
    expect((error as GraphQLError).locations).toEqual([{ line: 1, column: kind.length + 4 }]);
    expect((error as GraphQLError).originalError).toBeInstanceOf(DomainError);
  });

  it("leaves any other error to graphql-js", async () => {
    const thrown = await thrownBy("query", "fault");
    expect(thrown).not.toBeInstanceOf(GraphQLError);
    expect((thrown as Error).message).toBe("a bug");
    const { ours } = await run("{ fault }");
    expect(ours.errors![0]!.path).toEqual(["fault"]);
    expect(ours.errors![0]!.originalError).toBeInstanceOf(Error);
  });

  it("leaves nested fields to graphql-js", async () => {
    const { ours, plain } = await run("{ box { label } }");
    expect(ours.errors![0]!.toJSON()).toEqual(plain.errors![0]!.toJSON());
    expect(ours.errors![0]!.path).toEqual(["box", "label"]);
  });

  it("passes answers through unchanged, sync and async", async () => {
    const { ours } = await run("{ answer count }");
    expect(ours).toEqual({ data: { answer: "yes", count: 3 } });
  });
});
