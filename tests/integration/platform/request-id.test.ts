// Request ids over both transports: an unexpected error is masked with the id of its own
// request or WebSocket operation, and logged under the same id, so a client's quote finds the line.
import { Writable } from "node:stream";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGraphQLServer, type RunningServer } from "../../../src/platform/graphql/server.js";
import type { ResolverServices } from "../../../src/platform/graphql/context.js";
import { createLogger } from "../../../src/platform/logger.js";
import { GraphQLTestClient, subscribe } from "../../helpers/graphql-client.js";

const schema = makeExecutableSchema({
  typeDefs: "type Query { boom: String } type Subscription { ticks: Int }",
  resolvers: {
    Query: {
      boom: () => {
        throw new Error("kaboom: a bug");
      },
    },
    Subscription: {
      ticks: {
        subscribe: async function* () {
          yield { ticks: 1 };
          throw new Error("kaboom: the stream broke");
        },
        resolve: (value: { ticks: number }) => {
          if (value.ticks === 1) throw new Error("kaboom: a resolver bug");
          return value.ticks;
        },
      },
    },
  },
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("request ids", () => {
  const lines: Record<string, unknown>[] = [];
  let server: RunningServer;
  let client: GraphQLTestClient;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    server = await createGraphQLServer({
      schema,
      log: createLogger("info", sink),
      services: {} as ResolverServices,
      production: false,
      graphiql: false,
      trustProxy: false,
      readiness: {},
    });
    const address = await server.listen(0, "127.0.0.1");
    client = new GraphQLTestClient(`http://127.0.0.1:${address.port}`);
  });
  afterAll(() => server?.stop());

  const loggedUnder = (requestId: unknown) =>
    lines.filter((l) => l["msg"] === "unexpected error" && l["requestId"] === requestId);

  /** A masked error quoting its own request id, logged once under it; returns the id. */
  const maskedWithId = (error: { message: string; extensions?: Record<string, unknown> } | undefined) => {
    expect(error?.extensions).toEqual({
      code: "INTERNAL_SERVER_ERROR",
      requestId: expect.stringMatching(UUID),
    });
    const requestId = String(error?.extensions?.["requestId"]);
    expect(error?.message).toContain(requestId);
    expect(loggedUnder(requestId)).toHaveLength(1);
    return requestId;
  };

  it("masks an HTTP error with the request's id and logs it under that id", async () => {
    maskedWithId((await client.request("{ boom }")).errors?.[0]);
  });

  it("gives each WebSocket operation its own id, in the masked error and in the log", async () => {
    const ws = client.ws();
    try {
      const first = subscribe(ws, "{ boom }");
      const second = subscribe(ws, "{ boom }");
      const ids = [];
      for (const op of [first, second]) ids.push(maskedWithId((await op.next()).errors?.[0]));
      expect(new Set(ids).size).toBe(2);
    } finally {
      await ws.dispose();
    }
  });

  it("keeps one id through a subscription: its failed event and its failed stream", async () => {
    const ws = client.ws();
    try {
      const sub = subscribe(ws, "subscription { ticks }");
      const event = await sub.next();
      const { error } = await sub.done;
      const eventId = event.errors?.[0]?.extensions?.["requestId"];
      expect(eventId).toMatch(UUID);
      const streamErrors = error as { extensions?: { code?: string; requestId?: string } }[];
      expect(streamErrors.map((e) => e.extensions)).toEqual([
        { code: "INTERNAL_SERVER_ERROR", requestId: eventId },
      ]);
      expect(loggedUnder(eventId)).toHaveLength(2);
    } finally {
      await ws.dispose();
    }
  });
});
