// Bad input everywhere: fast-check throws 10,000+ random and hostile cases at every operation
// of docs/api.md over real HTTP (and subscriptions over graphql-ws) at one real server process (its
// own process, so the server and this generator each get a core), and
// asserts that every answer is a docs/api.md error code (never INTERNAL_SERVER_ERROR), that no
// answer leaks internals, and that no balance, hold, payment or queue changed.
import fc from "fast-check";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "graphql-ws";
import { addDays, businessToday } from "../../../src/platform/business-day.js";
import { ISSUE, LEAVE, concertIds, signUp, type TestUser, type Ticket } from "../../helpers/queue-helpers.js";
import { createPrisma, type PrismaClient } from "../../../src/platform/db/prisma.js";
import type { GraphQLTestClient } from "../../helpers/graphql-client.js";
import { startCluster } from "../../helpers/server-processes.js";
import type { TestEnv } from "../../helpers/test-env.js";

/** One server process and a Prisma client of the test's own on its database. */
interface Target {
  url: string;
  client: GraphQLTestClient;
  env: TestEnv;
  prisma: PrismaClient;
  stop(): Promise<void>;
}

async function startTarget(overrides: Record<string, string>): Promise<Target> {
  const cluster = await startCluster(1, overrides);
  const server = cluster.servers[0]!;
  const prisma = createPrisma(cluster.env.databaseUrl, 4);
  return {
    url: server.url,
    client: server.client,
    env: cluster.env,
    prisma,
    async stop() {
      await prisma.$disconnect();
      await cluster.stop();
    },
  };
}
import { operationCases, subscriptionCases, type FuzzCase, type FuzzWorld } from "./fuzz-cases.js";

/** docs/api.md's codes a client may see when nothing is broken (no INTERNAL_SERVER_ERROR, no outage). */
const ALLOWED = new Set([
  "UNAUTHENTICATED",
  "QUEUE_TOKEN_EXPIRED",
  "QUEUE_NOT_ADMITTED",
  "FORBIDDEN",
  "BAD_USER_INPUT",
  "NOT_FOUND",
  "SEAT_UNAVAILABLE",
  "ALREADY_RESERVED",
  "RESERVATION_EXPIRED",
  "ALREADY_PAID",
  "INSUFFICIENT_BALANCE",
  "BALANCE_LIMIT_EXCEEDED",
  "QUERY_TOO_COMPLEX",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
]);

/** What must never reach a client: SQL, Prisma, Redis replies, stack frames, source paths. */
const LEAK =
  /Prisma|SELECT\s|INSERT\s|UPDATE\s+`?\w+`?\s+SET|\bER_[A-Z_]+|WRONGTYPE|NOSCRIPT|\bERR\s|node_modules|\.ts:\d+|\n\s+at\s/;

const HTTP_BATCH = 50;
const HTTP_RUNS = Number(process.env["FUZZ_HTTP_RUNS"] ?? 200); // 10,000 HTTP cases by default
const WS_BATCH = 10;
const WS_RUNS = 40; // 400 subscription cases

interface ErrorBody {
  message?: unknown;
  extensions?: Record<string, unknown>;
}

/** Everything a failed operation must leave alone. */
async function snapshot(t: Target, redis: Redis, concerts: string[]): Promise<unknown> {
  const prisma = t.prisma;
  const [wallets, reservations, payments, ledger, keys] = await Promise.all([
    prisma.$queryRaw<
      { total: unknown }[]
    >`SELECT CAST(COALESCE(SUM(balance), 0) AS CHAR) AS total FROM wallets`,
    prisma.$queryRaw<{ status: string; live: unknown; n: unknown }[]>`
      SELECT status, CAST(live AS CHAR) AS live, CAST(COUNT(*) AS CHAR) AS n, CAST(MAX(updated_at) AS CHAR) AS changed
        FROM reservations GROUP BY status, live ORDER BY status, live`,
    prisma.payment.count(),
    prisma.ledgerEntry.count(),
    prisma.idempotencyKey.count(),
  ]);
  const queues = [];
  for (const c of concerts) {
    const base = `${t.env.redisPrefix}queue:{${c}}:`;
    const tickets: string[] = [];
    let cursor = "0";
    do {
      const [next, found] = await redis.scan(cursor, "MATCH", `${base}u:*`, "COUNT", 1000);
      cursor = next;
      tickets.push(...found);
    } while (cursor !== "0");
    const details = await Promise.all(tickets.sort().map((k) => redis.hgetall(k).catch(() => redis.type(k))));
    queues.push({
      seq: await redis.get(`${base}seq`),
      waiting: await redis.zrange(`${base}waiting`, 0, -1, "WITHSCORES"),
      active: await redis.zrange(`${base}active`, 0, -1),
      tickets: details,
    });
  }
  return { wallets, reservations, payments, ledger, keys, queues };
}

function checkErrors(c: FuzzCase, errors: ErrorBody[] | undefined, context: string): void {
  for (const e of errors ?? []) {
    const code = e.extensions?.["code"];
    const where = `${c.op} ${JSON.stringify(c.variables).slice(0, 300)} ${context} → ${JSON.stringify(e).slice(0, 400)}`;
    if (typeof code !== "string" || !ALLOWED.has(code)) throw new Error(`unexpected code: ${where}`);
    if (typeof e.message !== "string") throw new Error(`no message: ${where}`);
    // A message may quote the client's own input back ("got invalid value ..."): only what
    // is left after removing it must be free of internals.
    let own = e.message;
    for (const v of Object.values(c.variables))
      if (typeof v === "string" && v.length > 0) own = own.split(v).join("");
    if (LEAK.test(own)) throw new Error(`leaky message: ${where}`);
    for (const [k, v] of Object.entries(e.extensions ?? {}))
      if (k !== "code" && typeof v !== "number") throw new Error(`non-numeric extension ${k}: ${where}`);
  }
}

describe("hostile input at every operation", () => {
  let t: Target;
  let redis: Redis;
  let world: FuzzWorld;
  let concerts: string[];
  const seen = new Map<string, { cases: number; errors: number }>();

  beforeAll(async () => {
    t = await startTarget({ QUEUE_MAX_ACTIVE: "1", QUEUE_IDLE_SECONDS: "3600", DATABASE_POOL_SIZE: "20" });
    redis = new Redis(t.env.config.REDIS_URL);
    const prisma = t.prisma;
    concerts = await concertIds(prisma);
    const datesOf = async (c: string) =>
      (await prisma.concertDate.findMany({ where: { concertId: c }, orderBy: { date: "asc" } })).map(
        (d) => d.id,
      );
    const [d1, d2, d3] = await Promise.all(concerts.map(datesOf));
    // A date of concert 1 in the past (never offered, never reservable).
    const past = await prisma.concertDate.create({
      data: {
        concertId: concerts[0]!,
        date: addDays(businessToday(new Date(), t.env.config.TZ_BUSINESS), -1),
        startsAt: new Date(Date.now() - 86_400_000),
      },
    });
    await prisma.seat.createMany({
      data: Array.from({ length: 50 }, (_, i) => ({ concertDateId: past.id, number: i + 1, price: 50_000 })),
    });

    const [a, b, e] = [await signUp(t.client), await signUp(t.client), await signUp(t.client)] as TestUser[];
    const issue = async (u: TestUser, c: string) =>
      (await t.client.data<{ issueQueueToken: Ticket }>(ISSUE, { ...u!, concertId: c })).issueQueueToken;
    const a1 = await issue(a!, concerts[0]!);
    const b1 = await issue(b!, concerts[0]!);
    const a2 = await issue(a!, concerts[1]!);
    const e2 = await issue(e!, concerts[1]!);
    expect([a1.status, b1.status, a2.status, e2.status]).toEqual(["ACTIVE", "WAITING", "ACTIVE", "WAITING"]);
    await t.client.data(LEAVE, {}, e2.token);

    const reserve = `mutation($d: ID!, $n: Int!) { reserveSeat(concertDateId: $d, seatNumber: $n) { id } }`;
    const cancelled = await t.client.data<{ reserveSeat: { id: string } }>(
      reserve,
      { d: d1![1], n: 3 },
      a1.token,
    );
    await t.client.data(
      "mutation($r: ID!) { cancelReservation(reservationId: $r) { id } }",
      { r: cancelled.reserveSeat.id },
      a1.token,
    );
    const held = await t.client.data<{ reserveSeat: { id: string } }>(reserve, { d: d1![0], n: 1 }, a1.token);

    world = {
      users: [a!, b!, e!].map((u) => ({ id: u.userId, key: u.accessKey })),
      concerts,
      dates: [d1![0]!, past.id, d2![0]!, d3![0]!],
      reservations: [held.reserveSeat.id, cancelled.reserveSeat.id],
      tokens: { a1: a1.token, a2: a2.token, b1: b1.token, e2: e2.token },
      maxCharge: t.env.config.MAX_CHARGE,
    };
  });
  afterAll(async () => {
    redis?.disconnect();
    await t?.stop();
  });

  async function send(c: FuzzCase): Promise<void> {
    const res = await fetch(`${t.url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(c.authorization ? { authorization: c.authorization } : {}),
      },
      body: JSON.stringify({ query: c.query, variables: c.variables }),
    });
    const text = await res.text();
    const stat = seen.get(c.op) ?? { cases: 0, errors: 0 };
    seen.set(c.op, stat);
    stat.cases++;
    if (res.status >= 500) throw new Error(`${c.op}: HTTP ${res.status} ${text.slice(0, 400)}`);
    let body: { errors?: ErrorBody[] };
    try {
      body = JSON.parse(text) as { errors?: ErrorBody[] };
    } catch (error) {
      throw new Error(`${c.op}: not JSON (HTTP ${res.status}): ${text.slice(0, 200)}`, { cause: error });
    }
    if (body.errors?.length) stat.errors++;
    checkErrors(c, body.errors, `HTTP ${res.status}`);
  }

  it("answers 10,000 hostile HTTP cases with docs/api.md codes only, and changes nothing", async () => {
    const before = await snapshot(t, redis, concerts);
    await fc.assert(
      fc.asyncProperty(
        fc.array(operationCases(world), { minLength: HTTP_BATCH, maxLength: HTTP_BATCH }),
        async (cases) => {
          await Promise.all(cases.map(send));
        },
      ),
      { numRuns: HTTP_RUNS },
    );
    expect(await snapshot(t, redis, concerts)).toEqual(before);

    const total = [...seen.values()].reduce((n, s) => n + s.cases, 0);
    expect(total).toBeGreaterThanOrEqual(HTTP_BATCH * HTTP_RUNS);
    // Every operation of docs/api.md was exercised, and the state-changing ones were refused.
    expect([...seen.keys()].sort()).toEqual(
      [
        "availableDates",
        "availableSeats",
        "balance",
        "cancelReservation",
        "chargeBalance",
        "concerts",
        "issueQueueToken",
        "leaveQueue",
        "myPayments",
        "myReservations",
        "payReservation",
        "queueStatus",
        "reserveSeat",
        "seatMap",
        "signUp",
      ].sort(),
    );
    for (const op of ["chargeBalance", "payReservation", "reserveSeat", "cancelReservation"]) {
      expect(seen.get(op)!.errors, op).toBe(seen.get(op)!.cases);
    }
    console.info("fuzz cases per operation", Object.fromEntries(seen));
  }, 300_000);

  it("answers hostile subscriptions over graphql-ws with docs/api.md codes only, and changes nothing", async () => {
    const before = await snapshot(t, redis, concerts);
    const ws: Client = t.client.ws(undefined, { retryAttempts: 0 });
    let cases = 0;
    /** The first message of a subscription (or its error); a silent valid seatUpdates is fine. */
    const first = (c: FuzzCase) =>
      new Promise<void>((resolve, reject) => {
        cases++;
        let settled = false;
        const finish = (error?: Error) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          unsubscribe();
          if (error) reject(error);
          else resolve();
        };
        const timer = setTimeout(() => finish(), 300);
        const unsubscribe = ws.subscribe(
          { query: c.query, variables: c.variables },
          {
            next: (value) => {
              try {
                checkErrors(c, value.errors as ErrorBody[] | undefined, "ws next");
                finish();
              } catch (error) {
                finish(error as Error);
              }
            },
            error: (error) => {
              try {
                if (!Array.isArray(error)) throw new Error(`${c.op}: socket error ${String(error)}`);
                checkErrors(c, error as ErrorBody[], "ws error");
                finish();
              } catch (e) {
                finish(e as Error);
              }
            },
            complete: () => finish(),
          },
        );
      });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(subscriptionCases(world), { minLength: WS_BATCH, maxLength: WS_BATCH }),
          async (batch) => {
            await Promise.all(batch.map(first));
          },
        ),
        { numRuns: WS_RUNS },
      );
    } finally {
      await ws.dispose();
    }
    expect(cases).toBeGreaterThanOrEqual(WS_BATCH * WS_RUNS);
    expect(await snapshot(t, redis, concerts)).toEqual(before);
  });
});
