// The answer cache (platform/graphql/answer-cache.ts) on a real Apollo Server (its cache-control
// plugin on, as it is by default) with a small
// schema: an answer is sent again only for the same text, variables and stamps; a changed
// stamp, a declined or failing stamp, an answer with an error, or an operation with any other
// root field executes.
import { ApolloServer } from "@apollo/server";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { GraphQLError } from "graphql";
import { beforeEach, describe, expect, it } from "vitest";
import { answerCachePlugin } from "../../../src/platform/graphql/answer-cache.js";
import { operationContext, type ResolverServices } from "../../../src/platform/graphql/context.js";
import { createLogger } from "../../../src/platform/logger.js";

const typeDefs = `
  type Seat { number: Int! }
  type Query {
    seats(dateId: ID!): [Seat!]!
    sometimesBroken(dateId: ID!): [Seat!]!
    other: String
  }
`;

/** What the resolvers answer now, by date; what they were asked; the stamps handed out. */
let free: Record<string, number[]>;
let executed: string[];
/** A date's stamp; null: declined; "throw": the stamp fails (a refusal). */
let stamps: Record<string, string | null>;
let reported: Record<string, number>;
let server: ApolloServer<ReturnType<typeof context>>;

const context = (token: string | null = "t") =>
  operationContext(
    { requestId: "r", token, ip: "127.0.0.1", services: {} as ResolverServices },
    createLogger("silent"),
  );

async function ask(query: string, variables: Record<string, unknown> = {}) {
  const response = await server.executeOperation({ query, variables }, { contextValue: context() });
  if (response.body.kind !== "single") throw new Error("not a single result");
  return response.body.singleResult;
}

beforeEach(async () => {
  free = { a: [1, 2], b: [3] };
  executed = [];
  stamps = { a: "a1", b: "b1" };
  reported = {};
  const stamp = async (args: Record<string, unknown>) => {
    const value = stamps[String(args["dateId"])];
    if (value === "throw") throw new GraphQLError("no", { extensions: { code: "FORBIDDEN" } });
    return value ?? null;
  };
  const schema = makeExecutableSchema({
    typeDefs,
    resolvers: {
      Query: {
        seats: (_: unknown, { dateId }: { dateId: string }) => {
          executed.push(`seats:${dateId}`);
          if (stamps[dateId] === "throw") throw new GraphQLError("no", { extensions: { code: "FORBIDDEN" } });
          return free[dateId]!.map((number) => ({ number }));
        },
        sometimesBroken: (_: unknown, { dateId }: { dateId: string }) => {
          executed.push(`broken:${dateId}`);
          if (free[dateId]!.length < 2) throw new GraphQLError("broken", { extensions: { code: "X" } });
          return free[dateId]!.map((number) => ({ number }));
        },
        other: () => "other",
      },
    },
  });
  // Apollo's cache-control plugin stays on here (our server turns it off): the answers must
  // still say no-store.
  server = new ApolloServer({
    schema,
    plugins: [
      answerCachePlugin(
        { seats: stamp, sometimesBroken: stamp },
        { answerCache: (result) => void (reported[result] = (reported[result] ?? 0) + 1) },
      ),
    ],
  });
  await server.start();
});

const SEATS = "query ($d: ID!) { seats(dateId: $d) { number } }";

describe("the answer cache", () => {
  it("sends an answer again while its stamp is unchanged, and executes again when it moves", async () => {
    expect(await ask(SEATS, { d: "a" })).toEqual({ data: { seats: [{ number: 1 }, { number: 2 }] } });
    // The resolver's state moves without the stamp moving: the kept answer is what comes back,
    // which is how the test sees that nothing executed.
    free["a"] = [2];
    expect(await ask(SEATS, { d: "a" })).toEqual({ data: { seats: [{ number: 1 }, { number: 2 }] } });
    expect(executed).toEqual(["seats:a"]);
    stamps["a"] = "a2";
    expect(await ask(SEATS, { d: "a" })).toEqual({ data: { seats: [{ number: 2 }] } });
    expect(executed).toEqual(["seats:a", "seats:a"]);
    expect(reported).toEqual({ miss: 2, hit: 1 });
    // Nobody downstream may keep an answer: it is exact for this moment only.
    const again = await server.executeOperation(
      { query: SEATS, variables: { d: "a" } },
      { contextValue: context() },
    );
    expect(again.http.headers.get("cache-control")).toBe("no-store");
  });

  it("keeps answers apart by variables, literal arguments and text", async () => {
    await ask(SEATS, { d: "a" });
    expect(await ask(SEATS, { d: "b" })).toEqual({ data: { seats: [{ number: 3 }] } });
    expect(await ask(`{ seats(dateId: "b") { number } }`)).toEqual({ data: { seats: [{ number: 3 }] } });
    expect(await ask(`{ seats(dateId: "b") { n: number } }`)).toEqual({ data: { seats: [{ n: 3 }] } });
    expect(executed).toEqual(["seats:a", "seats:b", "seats:b", "seats:b"]);
    await ask(`{ seats(dateId: "b") { number } }`);
    expect(executed).toHaveLength(4);
  });

  it("executes every time when the stamp declines or fails, and the resolver's error is the answer", async () => {
    stamps["a"] = null;
    await ask(SEATS, { d: "a" });
    await ask(SEATS, { d: "a" });
    stamps["a"] = "throw";
    const refused = await ask(SEATS, { d: "a" });
    expect(refused.errors?.[0]?.extensions?.["code"]).toBe("FORBIDDEN");
    expect(executed).toEqual(["seats:a", "seats:a", "seats:a"]);
    expect(reported).toEqual({ uncached: 3 });
  });

  it("keeps no answer that had an error", async () => {
    free["a"] = [1];
    const first = await ask("query ($d: ID!) { sometimesBroken(dateId: $d) { number } }", { d: "a" });
    expect(first.errors?.[0]?.extensions?.["code"]).toBe("X");
    free["a"] = [1, 2];
    const second = await ask("query ($d: ID!) { sometimesBroken(dateId: $d) { number } }", { d: "a" });
    expect(second).toEqual({ data: { sometimesBroken: [{ number: 1 }, { number: 2 }] } });
    expect(executed).toEqual(["broken:a", "broken:a"]);
  });

  it("executes an operation with any root field it has no stamp for, or a directive, or bad variables", async () => {
    for (let i = 0; i < 2; i++) {
      await ask(`{ seats(dateId: "a") { number } other }`);
      await ask(`query ($s: Boolean!) { seats(dateId: "a") @include(if: $s) { number } }`, { s: true });
    }
    expect(executed).toEqual(["seats:a", "seats:a", "seats:a", "seats:a"]);
    const bad = await ask(SEATS, { d: { not: "an id" } });
    expect(bad.errors?.[0]?.message).toMatch(/\$d/);
    expect(reported).toEqual({ uncached: 3 });
  });
});
