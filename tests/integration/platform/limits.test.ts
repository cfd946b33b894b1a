// Abuse limits over real HTTP and WebSocket on one in-process app: depth, cost and alias limits
// (QUERY_TOO_COMPLEX), the parser's token cap, no batching, the body size limit (413), and
// introspection / GraphiQL off in production unless GRAPHIQL_ENABLED=true.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subscribe } from "../../helpers/graphql-client.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, contentType: res.headers.get("content-type") ?? "" };
}

const codes = (text: string) =>
  ((JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] }).errors ?? []).map(
    (e) => e.extensions?.code,
  );

const aliases = (n: number, field = "serverTime") =>
  Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(" ");

/** __type → fields → type → ofType … nested `levels` deep. */
function deepIntrospection(levels: number): string {
  let inner = "name";
  for (let i = 0; i < levels; i++) inner = `ofType { ${inner} }`;
  return `{ __type(name: "Query") { fields { type { ${inner} } } } }`;
}

describe("query limits (development settings)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.stop());

  it("answers 10 aliases and refuses 11 with QUERY_TOO_COMPLEX before running anything", async () => {
    const ok = await post(t.url, { query: `{ ${aliases(10)} }` });
    expect(ok.status).toBe(200);
    expect(codes(ok.text)).toEqual([]);
    const refused = await post(t.url, { query: `{ ${aliases(11)} }` });
    expect(refused.status).toBe(400);
    expect(codes(refused.text)).toEqual(["QUERY_TOO_COMPLEX"]);
    expect(JSON.parse(refused.text)).not.toHaveProperty("data.a0");
  });

  it("refuses eleven aliased signUps in one request, and creates no user", async () => {
    const query = `mutation { ${Array.from({ length: 11 }, (_, i) => `u${i}: signUp(name: "bot") { userId }`).join(" ")} }`;
    const before = await t.app.infra.prisma.user.count();
    const res = await post(t.url, { query });
    expect(codes(res.text)).toEqual(["QUERY_TOO_COMPLEX"]);
    expect(await t.app.infra.prisma.user.count()).toBe(before);
  });

  it("refuses an operation whose cost passes the limit (a list field multiplies its selection)", async () => {
    const ok = await post(t.url, { query: `{ concerts { ${"id ".repeat(49)} } }` });
    expect(codes(ok.text)).toEqual([]);
    const refused = await post(t.url, { query: `{ concerts { ${"id ".repeat(50)} } }` });
    expect(codes(refused.text)).toEqual(["QUERY_TOO_COMPLEX"]);
  });

  it("counts every root mutation field as a heavy write, aliased or not", async () => {
    // Identical fields merge into one execution, but each still costs 22 with its selection: a
    // document cannot smuggle a pile of writes past the limit.
    const one = 'signUp(name: "x") { userId } ';
    const before = await t.app.infra.prisma.user.count();
    expect(codes((await post(t.url, { query: `mutation { ${one.repeat(22)} }` })).text)).toEqual([]);
    const refused = await post(t.url, { query: `mutation { ${one.repeat(23)} }` });
    expect(codes(refused.text)).toEqual(["QUERY_TOO_COMPLEX"]);
    expect(refused.text).toMatch(/costs 506/);
    expect(await t.app.infra.prisma.user.count()).toBe(before + 1);
  });

  it("refuses introspection nested deeper than its allowance", async () => {
    const ok = await post(t.url, { query: deepIntrospection(8) });
    expect(codes(ok.text)).toEqual([]);
    const refused = await post(t.url, { query: deepIntrospection(20) });
    expect(codes(refused.text)).toEqual(["QUERY_TOO_COMPLEX"]);
  });

  it("rejects a fragment bomb (each fragment spreads the next one twice) without expanding it", async () => {
    const defs = Array.from(
      { length: 30 },
      (_, i) => `fragment F${i} on Concert { ${i === 29 ? "id" : `...F${i + 1} ...F${i + 1}`} }`,
    );
    const res = await post(t.url, { query: `{ concerts { ...F0 } } ${defs.join(" ")}` });
    expect(codes(res.text)).toEqual(["QUERY_TOO_COMPLEX"]);
  });

  it("stops parsing a document past the token cap with GRAPHQL_PARSE_FAILED", async () => {
    const res = await post(t.url, { query: `{ serverTime ${"@skip(if: false) ".repeat(2000)} }` });
    expect(res.status).toBe(400);
    expect(codes(res.text)).toEqual(["GRAPHQL_PARSE_FAILED"]);
  });

  it("applies the same limits to a WebSocket subscription", async () => {
    const ws = t.client.ws();
    try {
      const sub = subscribe(ws, `subscription { queueUpdates(token: "x") { ${aliases(11, "token")} } }`);
      const { error } = await sub.done;
      expect(JSON.stringify(error)).toContain("QUERY_TOO_COMPLEX");
      expect(sub.events).toEqual([]);
    } finally {
      await ws.dispose();
    }
  });

  it("refuses a batched HTTP request (a JSON array of operations) without running any", async () => {
    const before = await t.app.infra.prisma.user.count();
    const res = await post(
      t.url,
      Array.from({ length: 5 }, () => ({ query: 'mutation { signUp(name: "b") { userId } }' })),
    );
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/batch/i);
    expect(await t.app.infra.prisma.user.count()).toBe(before);
  });

  it("answers a body over 64 kB with HTTP 413 and a JSON error, not a 500 or a stack trace", async () => {
    const res = await post(t.url, { query: `{ serverTime }`, variables: { pad: "x".repeat(70 * 1024) } });
    expect(res.status).toBe(413);
    expect(res.contentType).toMatch(/json/);
    expect(codes(res.text)).toEqual(["BAD_REQUEST"]);
    expect(res.text).not.toMatch(/at \w+ \(|node_modules|PayloadTooLargeError/);
  });

  it("answers a body that is not JSON with 400 and a JSON error without internals", async () => {
    const res = await post(t.url, "{ not json");
    expect(res.status).toBe(400);
    expect(codes(res.text)).toEqual(["BAD_REQUEST"]);
    expect(res.text).not.toMatch(/at \w+ \(|node_modules|SyntaxError/);
  });

  it("allows introspection and GraphiQL outside production", async () => {
    const res = await post(t.url, { query: "{ __schema { queryType { name } } }" });
    expect(JSON.parse(res.text)).toEqual({ data: { __schema: { queryType: { name: "Query" } } } });
    expect((await fetch(`${t.url}/graphiql`)).status).toBe(200);
  });
});

const PRODUCTION = {
  NODE_ENV: "production",
  TOKEN_SECRET: "a-production-secret-0123456789",
  RATE_LIMIT_ENABLED: "false",
};

describe("introspection and GraphiQL in production", () => {
  let prod: TestApp;
  let prodWithGraphiql: TestApp;
  beforeAll(async () => {
    [prod, prodWithGraphiql] = await Promise.all([
      startTestApp(PRODUCTION),
      startTestApp({ ...PRODUCTION, GRAPHIQL_ENABLED: "true" }),
    ]);
  });
  afterAll(() => Promise.all([prod?.stop(), prodWithGraphiql?.stop()]));

  it("refuses introspection over HTTP and WebSocket and serves no GraphiQL", async () => {
    const res = await post(prod.url, { query: "{ __schema { queryType { name } } }" });
    expect(codes(res.text)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect((await fetch(`${prod.url}/graphiql`)).status).toBe(404);
    const ws = prod.client.ws();
    try {
      const sub = subscribe(ws, 'query { __type(name: "Query") { name } }');
      const { error } = await sub.done;
      expect(JSON.stringify(error)).toMatch(/introspection/i);
      expect(sub.events).toEqual([]);
    } finally {
      await ws.dispose();
    }
    // Ordinary operations still work.
    expect(codes((await post(prod.url, { query: "{ serverTime }" })).text)).toEqual([]);
  });

  it("allows both when GRAPHIQL_ENABLED=true", async () => {
    const res = await post(prodWithGraphiql.url, { query: "{ __schema { queryType { name } } }" });
    expect(codes(res.text)).toEqual([]);
    expect((await fetch(`${prodWithGraphiql.url}/graphiql`)).status).toBe(200);
  });
});
