// Redis restarted empty (it keeps nothing on disk here), against a real server process and a
// Redis of the test's own: waiting users who come back keep their relative order, nobody is
// admitted during the grace period, the user who paid is not admitted again, the user who was
// ACTIVE comes back first and can still pay its hold, and MySQL's holds and payments are
// untouched. See README.md, "Redis restarted empty: what is and is not recovered".
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ISSUE, STATUS, eventually, type TestUser, type Ticket } from "../helpers/queue-helpers.js";
import { startRedis, stopRedis, stopRedisIfRunning } from "../helpers/redis-server.js";
import {
  call as post,
  freePort,
  startServerProcess,
  type GraphQLBody,
  type ServerProcess,
} from "../helpers/server-processes.js";
import { createTestEnv, type TestEnv } from "../helpers/test-env.js";

const IDLE_SECONDS = 8;

type Body = GraphQLBody;

/** With a 15 s liveness bound: a call that hangs fails the test instead of blocking it. */
const call = (
  server: ServerProcess,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
) => post(server, query, variables, token, 15_000);

function field<T>(body: Body, name: string): T {
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data![name] as T;
}

describe("Redis restarted empty", () => {
  let redisPort: number;
  let env: TestEnv;
  let server: ServerProcess;
  let concertId: string;
  let paid: Ticket;
  let active: Ticket;
  let waiters: Ticket[];
  let paymentId: string;
  let holdId: string;

  const status = async (t: Ticket) => field<Ticket>(await call(server, STATUS, {}, t.token), "queueStatus");
  const signUpAndEnter = async (name: string) => {
    const user = field<TestUser>(
      await call(server, "mutation($n: String) { signUp(name: $n) { userId accessKey } }", { n: name }),
      "signUp",
    );
    return field<Ticket>(await call(server, ISSUE, { ...user, concertId }), "issueQueueToken");
  };
  const reserve = async (t: Ticket, seat: number) => {
    const dates = field<{ id: string }[]>(
      await call(
        server,
        "query($c: ID!) { availableDates(concertId: $c) { id } }",
        { c: concertId },
        t.token,
      ),
      "availableDates",
    );
    return field<{ id: string }>(
      await call(
        server,
        "mutation($d: ID!, $n: Int!) { reserveSeat(concertDateId: $d, seatNumber: $n) { id } }",
        { d: dates[0]!.id, n: seat },
        t.token,
      ),
      "reserveSeat",
    ).id;
  };
  const charge = (t: Ticket) =>
    call(server, "mutation { chargeBalance(amount: 1000000) { balance } }", {}, t.token);
  const pay = (t: Ticket, r: string) =>
    call(server, "mutation($r: ID!) { payReservation(reservationId: $r) { id } }", { r }, t.token);
  const mysqlState = async () => ({
    paid: field<unknown>(
      await call(server, "{ myPayments { id reservation { id status } } }", {}, paid.token),
      "myPayments",
    ),
    holds: field<unknown>(
      await call(server, "{ myReservations { id status } }", {}, active.token),
      "myReservations",
    ),
  });

  beforeAll(async () => {
    redisPort = await freePort();
    startRedis(redisPort);
    env = createTestEnv({
      QUEUE_MAX_ACTIVE: "1",
      QUEUE_ADMIT_PER_TICK: "1",
      QUEUE_TICK_MS: "200",
      QUEUE_IDLE_SECONDS: String(IDLE_SECONDS),
      LOG_LEVEL: "info",
    });
    server = await startServerProcess({ ...env.env, REDIS_URL: `redis://127.0.0.1:${redisPort}` });
    concertId = field<{ id: string }[]>(await call(server, "{ concerts { id } }"), "concerts")[0]!.id;
    // P enters first, pays for a seat (its ticket ends); A is admitted next and holds a seat;
    // W1..W5 wait behind A.
    paid = await signUpAndEnter("p");
    expect(paid.status).toBe("ACTIVE");
    await charge(paid);
    paymentId = field<{ id: string }>(await pay(paid, await reserve(paid, 5)), "payReservation").id;
    active = await signUpAndEnter("a");
    await eventually(async () => (await status(active)).status === "ACTIVE", 15_000, 100);
    holdId = await reserve(active, 6);
    await charge(active);
    waiters = [];
    for (let i = 1; i <= 5; i++) waiters.push(await signUpAndEnter(`w${i}`));
    expect(waiters.map((w) => w.position)).toEqual([1, 2, 3, 4, 5]);
  });
  afterAll(async () => {
    await server?.stop();
    stopRedisIfRunning(redisPort);
    await env?.cleanup();
  });

  it("restores waiters in their old order, pauses admission, and admits neither twice nor the payer", async () => {
    const before = await mysqlState();
    expect(before.paid).toEqual([
      { id: paymentId, reservation: { id: expect.any(String), status: "CONFIRMED" } },
    ]);
    expect(before.holds).toEqual([{ id: holdId, status: "HELD" }]);

    stopRedis(redisPort);
    startRedis(redisPort);
    await eventually(async () => (await fetch(`${server.url}/readyz`)).status === 200, 30_000, 100);
    // Empty: no ticket and no entry counter survived (the ticker may already have registered
    // the concert again and written its tick time).
    const scan = (pattern: string) =>
      execFileSync("redis-cli", ["-p", String(redisPort), "--scan", "--pattern", pattern])
        .toString()
        .trim();
    expect([scan("*:u:*"), scan("*:seq")]).toEqual(["", ""]);

    // The clients come back in shuffled order; the first poll detects the loss.
    const graceStart = Date.now();
    const order = [waiters[2]!, paid, waiters[0]!, waiters[4]!, active, waiters[1]!, waiters[3]!];
    const first = new Map<Ticket, Ticket>();
    for (const t of order) first.set(t, await status(t));
    expect(first.get(paid)!.status).toBe("EXPIRED");
    for (const t of [active, ...waiters]) expect(first.get(t)!.status).toBe("WAITING");

    // Everyone is back: A first (it was ACTIVE and has the lowest entry number), then W1..W5.
    const positions = async () =>
      Promise.all([active, ...waiters].map(async (t) => (await status(t)).position));
    expect(await positions()).toEqual([1, 2, 3, 4, 5, 6]);

    // Nobody is admitted during the grace period (QUEUE_IDLE_SECONDS after the detection); the
    // clients keep polling, which is what keeps their places.
    let polls = 0;
    while (Date.now() < graceStart + (IDLE_SECONDS - 2) * 1000) {
      expect(await positions()).toEqual([1, 2, 3, 4, 5, 6]);
      expect((await status(paid)).status).toBe("EXPIRED");
      polls++;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(polls).toBeGreaterThan(3);

    // After the grace period A is admitted first, on its old token, and can pay its hold.
    await eventually(
      async () => {
        const statuses = await Promise.all([active, ...waiters].map(status));
        return statuses[0]!.status === "ACTIVE";
      },
      30_000,
      200,
    );
    expect((await Promise.all(waiters.map(status))).map((w) => [w.status, w.position])).toEqual([
      ["WAITING", 1],
      ["WAITING", 2],
      ["WAITING", 3],
      ["WAITING", 4],
      ["WAITING", 5],
    ]);
    expect(await mysqlState()).toEqual(before);
    expect(field<{ id: string }>(await pay(active, holdId), "payReservation").id).toEqual(expect.any(String));
    // Then W1 is next; the payer's old token admits nobody.
    await eventually(async () => (await status(waiters[0]!)).status === "ACTIVE", 30_000, 200);
    expect((await status(paid)).status).toBe("EXPIRED");
    const after = await mysqlState();
    expect(after.paid).toEqual(before.paid);
    expect(after.holds).toEqual([{ id: holdId, status: "CONFIRMED" }]);
    expect(server.output()).toMatch(/queue ticket restored after Redis data loss/);
  });
});
