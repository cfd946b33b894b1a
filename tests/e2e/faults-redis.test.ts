// Redis down, on a real process pointed at a Redis of its own: operations that need Redis
// answer SERVICE_UNAVAILABLE without hanging, the rest keep working, the process stays up,
// /readyz says 503, no credential reaches the log, and everything recovers by itself when
// Redis is back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ISSUE, STATUS, eventually, type TestUser, type Ticket } from "../helpers/queue-helpers.js";
import { startRedis, stopRedis, stopRedisIfRunning } from "../helpers/redis-server.js";
import {
  call as post,
  freePort,
  startServerProcess,
  type ServerProcess,
} from "../helpers/server-processes.js";
import { createTestEnv, type TestEnv } from "../helpers/test-env.js";

/** With a 15 s liveness bound: a call that hangs fails the test instead of blocking it. */
const call = (
  server: ServerProcess,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
) => post(server, query, variables, token, 15_000);

describe("Redis down and back", () => {
  let redisPort: number;
  let env: TestEnv;
  let server: ServerProcess;
  let user: TestUser;
  let ticket: Ticket;
  let concertId: string;
  let holder: Ticket;
  let holdId: string;
  let paymentId: string;

  beforeAll(async () => {
    redisPort = await freePort();
    startRedis(redisPort);
    env = createTestEnv({ LOG_LEVEL: "info" });
    server = await startServerProcess({ ...env.env, REDIS_URL: `redis://127.0.0.1:${redisPort}` });
    const concerts = await call(server, "{ concerts { id } }");
    concertId = (concerts.data!["concerts"] as { id: string }[])[0]!.id;
    user = (await call(server, 'mutation { signUp(name: "r") { userId accessKey } }')).data![
      "signUp"
    ] as TestUser;
    ticket = (await call(server, ISSUE, { ...user, concertId })).data!["issueQueueToken"] as Ticket;
    expect(ticket.status).toBe("ACTIVE");
    // Before the outage: the first user pays for a seat, a second (on another concert) holds one.
    const date = async (t: Ticket, c: string) =>
      (
        (await call(server, "query($c: ID!) { availableDates(concertId: $c) { id } }", { c }, t.token)).data![
          "availableDates"
        ] as { id: string }[]
      )[0]!.id;
    const reserve = async (t: Ticket, d: string, n: number) =>
      (
        (
          await call(
            server,
            "mutation($d: ID!, $n: Int!) { reserveSeat(concertDateId: $d, seatNumber: $n) { id } }",
            { d, n },
            t.token,
          )
        ).data!["reserveSeat"] as { id: string }
      ).id;
    const paidHold = await reserve(ticket, await date(ticket, concertId), 5);
    await call(server, "mutation { chargeBalance(amount: 1000000) { balance } }", {}, ticket.token);
    const paid = await call(
      server,
      "mutation($r: ID!) { payReservation(reservationId: $r) { id } }",
      { r: paidHold },
      ticket.token,
    );
    paymentId = (paid.data!["payReservation"] as { id: string }).id;
    const second = (await call(server, 'mutation { signUp(name: "h") { userId accessKey } }')).data![
      "signUp"
    ] as TestUser;
    const otherConcert = (
      (await call(server, "{ concerts { id } }")).data!["concerts"] as { id: string }[]
    )[1]!.id;
    holder = (await call(server, ISSUE, { ...second, concertId: otherConcert })).data![
      "issueQueueToken"
    ] as Ticket;
    holdId = await reserve(holder, await date(holder, otherConcert), 9);
  });
  afterAll(async () => {
    await server?.stop();
    stopRedisIfRunning(redisPort);
    await env?.cleanup();
  });

  it("answers SERVICE_UNAVAILABLE where Redis is needed, keeps MySQL-only calls working, and recovers", async () => {
    stopRedis(redisPort);

    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: "unavailable", checks: { mysql: "ok", redis: "down" } });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    const needRedis = await Promise.all([
      call(server, ISSUE, { ...user, concertId }),
      call(server, STATUS, {}, ticket.token),
      call(server, "query($c: ID!) { availableDates(concertId: $c) { id } }", { c: concertId }, ticket.token),
      call(server, "mutation { leaveQueue { status } }", {}, ticket.token),
    ]);
    for (const body of needRedis) {
      expect(body.errors?.[0]?.extensions?.code, JSON.stringify(body)).toBe("SERVICE_UNAVAILABLE");
      expect(body.errors![0]!.message).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|redis|ioredis/i);
    }
    // MySQL-only calls go on: browsing concerts, signing up.
    expect((await call(server, "{ concerts { id } }")).errors).toBeUndefined();
    expect((await call(server, 'mutation { signUp(name: "during") { userId } }')).errors).toBeUndefined();
    expect(server.child.exitCode).toBeNull();

    startRedis(redisPort);
    await eventually(async () => (await fetch(`${server.url}/readyz`)).status === 200, 30_000, 200);
    // Redis came back empty (nothing on disk): a new entry works, but the process remembers the
    // concert's entry numbers, so it detects the loss and admission pauses for the grace period
    // (returning tokens are restored first; faults-redis-restore.test.ts): the entry waits.
    await eventually(async () => !(await call(server, ISSUE, { ...user, concertId })).errors, 30_000, 200);
    const again = (await call(server, ISSUE, { ...user, concertId })).data!["issueQueueToken"] as Ticket;
    expect([again.status, again.position]).toEqual(["WAITING", 1]);
    expect((await call(server, STATUS, {}, again.token)).errors).toBeUndefined();
    expect(server.child.exitCode).toBeNull();

    // Redis came back empty; MySQL's holds and payments are untouched, the paid user's old token
    // admits nobody, and the holder can still see and give back its hold.
    const mine = (await call(server, "{ myPayments { id reservation { status } } }", {}, ticket.token)).data![
      "myPayments"
    ];
    expect(mine).toEqual([{ id: paymentId, reservation: { status: "CONFIRMED" } }]);
    const paidStatus = (await call(server, STATUS, {}, ticket.token)).data!["queueStatus"] as Ticket;
    expect(paidStatus.status).toBe("EXPIRED");
    const holds = (await call(server, "{ myReservations { id status } }", {}, holder.token)).data![
      "myReservations"
    ];
    expect(holds).toEqual([{ id: holdId, status: "HELD" }]);
    const cancelled = await call(
      server,
      "mutation($r: ID!) { cancelReservation(reservationId: $r) { status } }",
      { r: holdId },
      holder.token,
    );
    expect(cancelled.data).toEqual({ cancelReservation: { status: "CANCELLED" } });

    const log = server.output();
    expect(log).toMatch(/redis unreachable/);
    expect(log).not.toContain(user.accessKey);
    expect(log).not.toContain(ticket.token);
    expect(log).not.toContain("Unhandled error event");
  });
});
