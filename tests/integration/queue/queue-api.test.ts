// The queue over GraphQL against real MariaDB and Redis, in one process with a fake clock, so
// the admission tick and expiry are driven by the test instead of sleeping.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../../src/platform/clock.js";
import {
  concertIds,
  issue,
  ISSUE,
  leave,
  LEAVE,
  queueStatus,
  signUp,
  STATUS,
  type TestUser,
} from "../../helpers/queue-helpers.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { createQueueModule } from "../../../src/modules/queue/queue.module.js";
import type { QueueService } from "../../../src/modules/queue/queue.service.js";

describe("queue API", () => {
  let t: TestApp;
  const clock = new FakeClock(new Date());
  let concerts: string[];

  beforeAll(async () => {
    // A tick interval of an hour: the test calls tick() itself.
    t = await startTestApp(
      {
        QUEUE_MAX_ACTIVE: "2",
        QUEUE_ADMIT_PER_TICK: "1",
        QUEUE_TICK_MS: "3600000",
        QUEUE_ACTIVE_SECONDS: "60",
        QUEUE_IDLE_SECONDS: "30",
      },
      { clock },
    );
    concerts = await concertIds(t.app.infra.prisma);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("signs a user up with a wallet of balance 0 and a key stored only as its SHA-256", async () => {
    const user = await signUp(t.client, "Kim");
    expect(user.accessKey.length).toBeGreaterThanOrEqual(22);
    const row = await t.app.infra.prisma.user.findUniqueOrThrow({
      where: { id: user.userId },
      include: { wallet: true },
    });
    expect(row.name).toBe("Kim");
    expect(row.wallet?.balance).toBe(0);
    expect(row.accessKeyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.accessKeyHash).not.toContain(user.accessKey);
  });

  it("refuses an empty or too long name with BAD_USER_INPUT", async () => {
    const q = "mutation($name: String) { signUp(name: $name) { userId } }";
    expect(await t.client.errorCode(q, { name: "   " })).toBe("BAD_USER_INPUT");
    expect(await t.client.errorCode(q, { name: "x".repeat(101) })).toBe("BAD_USER_INPUT");
  });

  it("refuses a wrong key, an unknown user and an unknown concert", async () => {
    const user = await signUp(t.client);
    const concertId = concerts[0]!;
    expect(await t.client.errorCode(ISSUE, { ...user, accessKey: "wrong", concertId })).toBe(
      "UNAUTHENTICATED",
    );
    expect(
      await t.client.errorCode(ISSUE, { ...user, userId: "00000000-0000-7000-8000-000000000000", concertId }),
    ).toBe("UNAUTHENTICATED");
    expect(await t.client.errorCode(ISSUE, { ...user, userId: "not-an-id", concertId })).toBe(
      "UNAUTHENTICATED",
    );
    expect(
      await t.client.errorCode(ISSUE, { ...user, concertId: "00000000-0000-7000-8000-000000000000" }),
    ).toBe("NOT_FOUND");
    expect(await t.client.errorCode(ISSUE, { ...user, concertId: "{bad}" })).toBe("NOT_FOUND");
  });

  it("admits at once while nobody waits, queues the rest in order, and re-issues the same ticket", async () => {
    const concertId = concerts[1]!;
    const users: TestUser[] = [];
    for (let i = 0; i < 4; i++) users.push(await signUp(t.client));
    const tickets = [];
    for (const u of users) tickets.push(await issue(t.client, u, concertId));
    expect(tickets.map((x) => x.status)).toEqual(["ACTIVE", "ACTIVE", "WAITING", "WAITING"]);
    expect(tickets.map((x) => x.position)).toEqual([null, null, 1, 2]);
    expect(tickets[0]!.activeUntil).toBe(new Date(clock.now().getTime() + 60_000).toISOString());
    expect(tickets[2]!.estimatedWaitSeconds).toBeGreaterThan(0);

    const again = await issue(t.client, users[3]!, concertId);
    expect(again.token).toBe(tickets[3]!.token);
    expect(again.position).toBe(2);
    expect((await issue(t.client, users[0]!, concertId)).token).toBe(tickets[0]!.token);

    // A departure moves the line up; the freed slot is filled at the next tick, in order.
    const left = await leave(t.client, tickets[0]!.token);
    expect(left.status).toBe("EXPIRED");
    expect((await queueStatus(t.client, tickets[2]!.token)).position).toBe(1);
    await tickService(t).tick();
    expect((await queueStatus(t.client, tickets[2]!.token)).status).toBe("ACTIVE");
    expect((await queueStatus(t.client, tickets[3]!.token)).position).toBe(1);

    // After EXPIRED, issuing again enters at the back with a new token.
    const back = await issue(t.client, users[0]!, concertId);
    expect(back.token).not.toBe(tickets[0]!.token);
    expect(back.status).toBe("WAITING");
    expect(back.position).toBe(2);
    expect((await queueStatus(t.client, tickets[0]!.token)).status).toBe("EXPIRED");
  });

  it("expires the active time and drops waiters idle longer than QUEUE_IDLE_SECONDS", async () => {
    const concertId = concerts[2]!;
    const users: TestUser[] = [];
    for (let i = 0; i < 4; i++) users.push(await signUp(t.client));
    const tickets = [];
    for (const u of users) tickets.push(await issue(t.client, u, concertId));
    expect(tickets.map((x) => x.status)).toEqual(["ACTIVE", "ACTIVE", "WAITING", "WAITING"]);

    clock.advance(20_000);
    await queueStatus(t.client, tickets[3]!.token); // a poll is a heartbeat; tickets[2] stays silent
    clock.advance(15_000);
    await tickService(t).tick();
    expect((await queueStatus(t.client, tickets[2]!.token)).status).toBe("EXPIRED");
    expect((await queueStatus(t.client, tickets[3]!.token)).position).toBe(1);

    clock.advance(25_001); // 60 s after admission: both active tickets ran out
    expect((await queueStatus(t.client, tickets[0]!.token)).status).toBe("EXPIRED");
    await tickService(t).tick();
    const next = await queueStatus(t.client, tickets[3]!.token);
    expect(next.status).toBe("ACTIVE");
    expect(next.position).toBeNull();
  });

  it("answers a forged, truncated or missing token with UNAUTHENTICATED", async () => {
    const user = await signUp(t.client);
    const ticket = await issue(t.client, user, concerts[0]!);
    const [kid, body, sig] = ticket.token.split(".") as [string, string, string];
    const forged = `${kid}.${Buffer.from(Buffer.from(body, "base64url").toString().replace(user.userId, "00000000-0000-7000-8000-000000000001")).toString("base64url")}.${sig}`;
    for (const token of [
      forged,
      body,
      `${kid}.${body}`,
      `${kid}.${body}.`,
      `${body}.${sig}`,
      ticket.token.slice(0, -3),
      "garbage",
      "a.b.c",
    ]) {
      expect(await t.client.errorCode(STATUS, {}, token)).toBe("UNAUTHENTICATED");
    }
    expect(await t.client.errorCode(STATUS, {}, null)).toBe("UNAUTHENTICATED");
    expect(await t.client.errorCode(LEAVE, {}, "x.y")).toBe("UNAUTHENTICATED");
  });
});

/** The queue's services on the app's own Redis, prefix and clock: the test ticks by hand. */
function tickService(t: TestApp): QueueService {
  // The app's own ticker is idle (an hour apart); this one may tick whenever the clock moved.
  const infra = { ...t.app.infra, config: { ...t.app.infra.config, QUEUE_TICK_MS: 10 } };
  return createQueueModule(infra, { users: { verifyAccessKey: async () => undefined } }).service;
}
