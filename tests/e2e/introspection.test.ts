// Introspection on real server processes in the production configuration: with
// GRAPHIQL_ENABLED=true the standard introspection query of graphql-js (as GraphiQL, Apollo
// Sandbox, codegen and IDE plugins send it) is answered in full, and the schema it describes is
// the committed schema.graphql; a query merely named like it gets no exemption; with
// production's default (introspection off) it is refused.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  lexicographicSortSchema,
  printSchema,
  type IntrospectionOptions,
  type IntrospectionQuery,
} from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subscribe } from "../helpers/graphql-client.js";
import { startServerProcess, type ServerProcess } from "../helpers/server-processes.js";
import { createTestEnv, productionOverrides, type TestEnv } from "../helpers/test-env.js";

const SCHEMA_FILE = fileURLToPath(new URL("../../schema.graphql", import.meta.url));

/** What tools ask for when they want everything (graphql-js 16's options). */
const EVERY_OPTION: IntrospectionOptions = {
  descriptions: true,
  inputValueDeprecation: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
};

const sorted = (sdl: string) => printSchema(lexicographicSortSchema(buildSchema(sdl)));

describe("production with GRAPHIQL_ENABLED=true", () => {
  let env: TestEnv;
  let server: ServerProcess;
  beforeAll(async () => {
    env = createTestEnv(productionOverrides({ GRAPHIQL_ENABLED: "true" }));
    server = await startServerProcess(env.env);
  });
  afterAll(async () => {
    await server?.stop();
    await env?.cleanup();
  });

  it.each([
    ["no options", undefined],
    ["every option", EVERY_OPTION],
  ])("answers getIntrospectionQuery() (%s) in full over HTTP", async (_name, options) => {
    const body = await server.client.request<IntrospectionQuery>(getIntrospectionQuery(options));
    expect(body.errors).toBeUndefined();
    const names = body.data!.__schema.types.map((t) => t.name);
    expect(names).toContain("QueueTicket");
    expect(names).toContain("__Schema");
  });

  it("answers it over WebSocket too", async () => {
    const ws = server.client.ws();
    try {
      const sub = subscribe<IntrospectionQuery>(ws, getIntrospectionQuery(EVERY_OPTION));
      const { error } = await sub.done;
      expect(error).toBeUndefined();
      expect(sub.events[0]?.errors).toBeUndefined();
      expect(sub.events[0]?.data?.__schema.queryType.name).toBe("Query");
    } finally {
      await ws.dispose();
    }
  });

  it("serves exactly the committed schema.graphql", async () => {
    const body = await server.client.request<IntrospectionQuery>(getIntrospectionQuery(EVERY_OPTION));
    expect(body.errors).toBeUndefined();
    const served = printSchema(lexicographicSortSchema(buildClientSchema(body.data!)));
    const committed = sorted(readFileSync(SCHEMA_FILE, "utf8"));
    // Not vacuous: both sides are the whole API.
    for (const sdl of [served, committed]) {
      expect(sdl).toMatch(/type Query \{[^}]*queueStatus/);
      expect(sdl).toMatch(/type Subscription \{[^}]*seatUpdates/);
    }
    expect(served).toBe(committed);
  });

  it("gives an operation named IntrospectionQuery no exemption for its other fields", async () => {
    const hostile = `query IntrospectionQuery { __schema { queryType { name } } concerts { ${"id ".repeat(60)} } }`;
    const body = await server.client.request(hostile);
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(["QUERY_TOO_COMPLEX"]);
  });

  it("still bounds a nested walk of the schema", async () => {
    const walk = `{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }`;
    const body = await server.client.request(walk);
    // graphql-js's own MaxIntrospectionDepthRule may refuse it too; ours names the cost.
    const ours = body.errors?.find((e) => e.extensions?.code === "QUERY_TOO_COMPLEX");
    expect(ours?.message).toMatch(/The introspection costs \d+; the limit is 100000/);
  });
});

describe("production defaults (introspection off)", () => {
  let env: TestEnv;
  let server: ServerProcess;
  beforeAll(async () => {
    env = createTestEnv(productionOverrides());
    server = await startServerProcess(env.env);
  });
  afterAll(async () => {
    await server?.stop();
    await env?.cleanup();
  });

  it("refuses the standard introspection query with an error naming introspection", async () => {
    const body = await server.client.request(getIntrospectionQuery());
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(JSON.stringify(body.errors)).toMatch(/introspection/i);
    expect((await fetch(`${server.url}/graphiql`)).status).toBe(404);
  });
});
