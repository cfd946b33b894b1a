// Secrets and errors on a real process: access keys and queue tokens never reach the log (even
// at LOG_LEVEL=trace, and in failing calls), no client sees a stack trace, SQL or Redis detail,
// and production refuses to start with the development TOKEN_SECRET.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TOKEN_SECRET } from "../../src/config.js";
import { subscribe } from "../helpers/graphql-client.js";
import { ISSUE, STATUS, type TestUser, type Ticket } from "../helpers/queue-helpers.js";
import {
  runToExit,
  startCluster,
  UNREACHABLE_DATABASE,
  type Cluster,
  type ServerProcess,
} from "../helpers/server-processes.js";

const LEAK =
  /Prisma|SELECT\s|INSERT\s|\bER_[A-Z_]+|WRONGTYPE|NOSCRIPT|\bERR\s|node_modules|\.ts:\d+|\n\s+at\s|"stack"/;

describe("production refuses the development token secret", () => {
  it.each([
    ["unset", ""],
    ["set to the development value", DEFAULT_TOKEN_SECRET],
  ])("exits with EX_CONFIG (78) naming TOKEN_SECRET when it is %s", async (_what, secret) => {
    const { code, output } = await runToExit({
      DATABASE_URL: UNREACHABLE_DATABASE,
      NODE_ENV: "production",
      TOKEN_SECRET: secret,
    });
    expect(code).toBe(78);
    expect(output).toMatch(/TOKEN_SECRET: must be set to a secret of your own when NODE_ENV=production/);
    expect(output).not.toContain("listening");
  });
});

describe("credentials never reach the log", () => {
  let cluster: Cluster;
  let server: ServerProcess;

  beforeAll(async () => {
    cluster = await startCluster(1, { LOG_LEVEL: "trace", QUEUE_MAX_ACTIVE: "1" });
    server = cluster.servers[0]!;
  });
  afterAll(() => cluster?.stop());

  it("logs no access key or token through sign-up, queue entry, polling, WebSocket, payment and failures", async () => {
    const client = server.client;
    const secrets: string[] = [];
    const concerts = await client.data<{ concerts: { id: string }[] }>("{ concerts { id } }");
    const [c1, c2] = concerts.concerts.map((c) => c.id) as [string, string];
    const users: TestUser[] = [];
    for (let i = 0; i < 2; i++) {
      const u = (
        await client.data<{ signUp: TestUser }>('mutation { signUp(name: "log") { userId accessKey } }')
      ).signUp;
      users.push(u);
      secrets.push(u.accessKey);
    }
    const tickets: Ticket[] = [];
    for (const [u, c] of [
      [users[0]!, c1],
      [users[1]!, c1],
      [users[0]!, c2],
    ] as const) {
      const t = (await client.data<{ issueQueueToken: Ticket }>(ISSUE, { ...u, concertId: c }))
        .issueQueueToken;
      tickets.push(t);
      secrets.push(t.token);
    }
    const [active, waiting] = tickets as [Ticket, Ticket];

    // Successful calls with the credentials in headers, variables and connectionParams.
    await client.data(STATUS, {}, active.token);
    await client.data(
      'mutation { chargeBalance(amount: 1000, idempotencyKey: "k-1") { balance } }',
      {},
      active.token,
    );
    const ws = client.ws(`Bearer ${waiting.token}`);
    const sub = subscribe(ws, "subscription { queueUpdates { status position } }");
    await sub.next((e) => e.data != null);
    sub.unsubscribe();
    await ws.dispose();

    // Failing calls that carry the credentials: wrong key, a key where an id goes, a cut token,
    // a token in the wrong place, a token for the wrong concert, a WAITING token on a seat call.
    const failures: Promise<{ errors?: { message: string; extensions?: Record<string, unknown> }[] }>[] = [
      client.request(ISSUE, {
        userId: users[0]!.userId,
        accessKey: `${users[1]!.accessKey}x`,
        concertId: c1,
      }),
      client.request(ISSUE, { userId: users[0]!.accessKey, accessKey: users[0]!.accessKey, concertId: c1 }),
      client.request(ISSUE, { userId: users[0]!.userId, accessKey: 12345, concertId: users[0]!.accessKey }),
      client.request(STATUS, {}, active.token.slice(0, -3)),
      client.request(
        "query($d: ID!) { seatMap(concertDateId: $d) { number } }",
        { d: active.token },
        active.token,
      ),
      client.request("query($d: ID!) { seatMap(concertDateId: $d) { number } }", { d: "x" }, waiting.token),
      client.request(
        "mutation($a: Int!) { chargeBalance(amount: $a) { balance } }",
        { a: active.token },
        active.token,
      ),
      client.request("{ queueStatus { token } ", {}, active.token),
    ];
    const failed = await Promise.all(failures);
    for (const body of failed) {
      expect(body.errors?.length).toBeGreaterThan(0);
      for (const e of body.errors!) {
        expect(e.extensions?.["code"]).not.toBe("INTERNAL_SERVER_ERROR");
        expect(JSON.stringify(e)).not.toMatch(LEAK);
      }
    }

    // Let the process flush its log lines.
    await new Promise((r) => setTimeout(r, 300));
    const log = server.output();
    expect(log).toContain(`"msg":"listening"`);
    for (const secret of secrets) {
      expect(log).not.toContain(secret);
      // Neither half of a token (its claims or its signature) nor a long slice of a key.
      for (const part of secret.split(".")) expect(log).not.toContain(part.slice(0, 24));
    }
  });
});
