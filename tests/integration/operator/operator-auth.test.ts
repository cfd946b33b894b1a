// Who may call the Operator API (/admin/graphql): OPERATOR_KEYS secrets only, over HTTP and
// WebSocket; a queue token is no key; failures from one IP are counted in Redis and refused
// past OPERATOR_AUTH_FAILURES_PER_MINUTE (on in NODE_ENV=test too: it protects the keys).
import { readFileSync } from "node:fs";
import { buildSchema } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloseCode } from "graphql-ws";
import {
  AdminTestClient,
  ADMIN_CONCERTS,
  ALICE,
  BOB,
  CREATE_CONCERT,
  TEST_OPERATOR_KEYS,
} from "../../helpers/admin-client.js";
import { subscribe } from "../../helpers/graphql-client.js";
import { concertIds, issue, signUp } from "../../helpers/queue-helpers.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

type Fields = { fields: { name: string }[] };
let t: TestApp;
let admin: AdminTestClient;

beforeAll(async () => {
  t = await startTestApp({
    OPERATOR_KEYS: TEST_OPERATOR_KEYS,
    OPERATOR_AUTH_FAILURES_PER_MINUTE: "3",
    // Each test sends its own X-Forwarded-For, so their failure budgets are apart.
    TRUST_PROXY: "true",
  });
  admin = new AdminTestClient(t.url);
});
afterAll(async () => {
  await t.stop();
});

let nextIp = 1;
/** A client whose calls come from an address of its own. */
const fromNewIp = (secret: string | null) => {
  const ip = `198.51.100.${nextIp++}`;
  const headers = { "x-forwarded-for": ip };
  return { ip, client: admin.as(secret, headers), headers };
};
const codeOf = async (client: AdminTestClient, headers: Record<string, string>, query = ADMIN_CONCERTS) =>
  (await client.request(query, {}, headers)).errors?.[0]?.extensions?.code;

describe("Operator API keys", () => {
  it("answers a call with a configured secret, for every key", async () => {
    for (const key of [ALICE, BOB]) {
      const body = await admin.as(key.secret).request<{ concerts: unknown[] }>(ADMIN_CONCERTS);
      expect(body.errors).toBeUndefined();
      expect(body.data?.concerts.length).toBeGreaterThan(0);
    }
  });

  it("refuses a missing key, a wrong key and a queue token with UNAUTHENTICATED", async () => {
    const missing = await fromNewIp(null).client.error(ADMIN_CONCERTS);
    expect(missing.code).toBe("UNAUTHENTICATED");
    expect(missing.message).toMatch(/Authorization: Bearer/);
    const wrong = await fromNewIp(`${ALICE.secret}x`).client.error(ADMIN_CONCERTS);
    expect(wrong.code).toBe("UNAUTHENTICATED");
    const user = await signUp(t.client);
    const [concertId] = await concertIds(t.app.infra.prisma);
    const ticket = await issue(t.client, user, concertId!);
    const token = await fromNewIp(ticket.token).client.error(ADMIN_CONCERTS);
    expect(token.code).toBe("UNAUTHENTICATED");
  });

  it("changes nothing on a refused mutation", async () => {
    const before = await t.app.infra.prisma.concert.count();
    const { client, headers } = fromNewIp("not-a-key");
    const refused = await client.request(
      CREATE_CONCERT,
      { input: { title: "T", artist: "A", venue: "V" } },
      headers,
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(await t.app.infra.prisma.concert.count()).toBe(before);
    expect(await t.app.infra.prisma.operatorAction.count()).toBe(0);
  });
});

describe("failed operator sign-ins", () => {
  it("refuses an address past its failures with RATE_LIMITED, even with a valid key, and spares other addresses", async () => {
    const { headers } = fromNewIp(null);
    const wrong = admin.as("wrong-secret-wrong-secret-wrong-secret");
    for (let i = 0; i < 3; i++) expect(await codeOf(wrong, headers)).toBe("UNAUTHENTICATED");
    const limited = await wrong.request(ADMIN_CONCERTS, {}, headers);
    expect(limited.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
    expect(limited.errors?.[0]?.extensions?.["retryAfterSeconds"]).toBeGreaterThan(0);
    expect(await codeOf(admin, headers)).toBe("RATE_LIMITED");
    expect(await codeOf(admin, fromNewIp(null).headers)).toBeUndefined();
  });

  it("counts the failures in Redis under the deployment's prefix, shared by every instance", async () => {
    const { ip, client, headers } = fromNewIp(null);
    await codeOf(client, headers);
    const keys = await t.app.infra.redis.keys(`${t.env.redisPrefix}operator-auth-failures*${ip}`);
    expect(keys).toHaveLength(1);
    expect(await t.app.infra.redis.get(keys[0]!)).toBe("1");
  });

  it("counts one failure for a document with several fields", async () => {
    const { client, headers } = fromNewIp(null);
    const query =
      "query { a: concerts { id } b: concerts { id } c: concerts { id } d: operatorActions { id } }";
    expect(await codeOf(client, headers, query)).toBe("UNAUTHENTICATED");
    expect(await codeOf(client, headers)).toBe("UNAUTHENTICATED");
    expect(await codeOf(client, headers)).toBe("UNAUTHENTICATED");
  });
});

describe("Operator API over WebSocket", () => {
  it("runs operations for a key in connectionParams.authorization", async () => {
    const ws = admin.ws();
    const sub = subscribe<{ concerts: { id: string }[] }>(ws, ADMIN_CONCERTS);
    const first = await sub.next();
    expect(first.errors).toBeUndefined();
    expect(first.data?.concerts.length).toBeGreaterThan(0);
    await ws.dispose();
  });

  it("closes the socket with 4403 for a missing or wrong key", async () => {
    for (const authorization of [null, "Bearer not-an-operator-key-not-an-operator-key"]) {
      const ws = admin.ws(authorization);
      const sub = subscribe(ws, ADMIN_CONCERTS);
      const done = await sub.done;
      expect((done.error as { code?: number }).code).toBe(CloseCode.Forbidden);
      await ws.dispose();
    }
  });

  it("counts a refused socket against the client's X-Forwarded-For address (behind the trusted proxy)", async () => {
    const { ip, client } = fromNewIp("wrong-secret-wrong-secret-wrong-secret");
    const ws = client.ws();
    const { error } = await subscribe(ws, ADMIN_CONCERTS).done;
    expect((error as { code?: number }).code).toBe(CloseCode.Forbidden);
    await ws.dispose();
    const keys = await t.app.infra.redis.keys(`${t.env.redisPrefix}operator-auth-failures*${ip}`);
    expect(keys).toHaveLength(1);
    expect(await t.app.infra.redis.get(keys[0]!)).toBe("1");
  });

  it("serves /admin/graphql sockets apart from /graphql: a public socket has no operator field", async () => {
    const ws = t.client.ws();
    const sub = subscribe(ws, "query { operatorActions { id } }");
    const { error } = await sub.done;
    expect(JSON.stringify(error)).toMatch(/Cannot query field \\"operatorActions\\"/);
    await ws.dispose();
  });
});

describe("the /admin/graphql endpoint", () => {
  it("serves the schema of admin-schema.graphql (introspection on, as on /graphql, in development)", async () => {
    const body = await admin.request<{
      __schema: { types: { name: string }[]; queryType: Fields; mutationType: Fields };
    }>("{ __schema { types { name } queryType { fields { name } } mutationType { fields { name } } } }");
    expect(body.errors).toBeUndefined();
    const served = body.data!.__schema;
    const committed = buildSchema(
      readFileSync(new URL("../../../admin-schema.graphql", import.meta.url), "utf8"),
    );
    const names = (list: { name: string }[]) => list.map((t) => t.name).sort();
    const ownTypes = (list: string[]) => list.filter((n) => !n.startsWith("__")).sort();
    expect(ownTypes(names(served.types))).toEqual(ownTypes(Object.keys(committed.getTypeMap())));
    expect(names(served.queryType.fields)).toEqual(Object.keys(committed.getQueryType()!.getFields()).sort());
    expect(names(served.mutationType.fields)).toEqual(
      Object.keys(committed.getMutationType()!.getFields()).sort(),
    );
  });

  it("applies the public endpoint's query limits", async () => {
    const aliases = Array.from({ length: 11 }, (_, i) => `a${i}: concerts { id }`).join(" ");
    expect(await codeOf(admin, {}, `query { ${aliases} }`)).toBe("QUERY_TOO_COMPLEX");
    const costly = Array.from(
      { length: 10 },
      (_, i) => `a${i}: operatorActions { id at operator action details }`,
    );
    expect(await codeOf(admin, {}, `query { ${costly.join(" ")} }`)).toBe("QUERY_TOO_COMPLEX");
  });
});
