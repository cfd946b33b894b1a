// Recovery after Redis lost its data, through the API of one in-process server: a lost ticket
// is restored by whatever presents its token first — a subscription, a poll, or a guarded seat
// call — and a ticket given up after the restore stays given up.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../../src/platform/clock.js";
import { subscribe } from "../../helpers/graphql-client.js";
import {
  concertIds,
  issue,
  leave,
  queueStatus,
  signUp,
  UPDATES,
  type Ticket,
} from "../../helpers/queue-helpers.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

describe("queue recovery through the API", () => {
  let t: TestApp;
  const clock = new FakeClock(new Date());
  let concertId: string;

  beforeAll(async () => {
    t = await startTestApp(
      { QUEUE_MAX_ACTIVE: "1", QUEUE_ADMIT_PER_TICK: "1", QUEUE_TICK_MS: "3600000" },
      { clock },
    );
    concertId = (await concertIds(t.app.infra.prisma))[0]!;
  });
  afterAll(async () => {
    await t?.stop();
  });

  const loseRedisData = async () => {
    const redis = t.app.infra.redis;
    const keys = await redis.keys(`${t.env.redisPrefix}*`);
    if (keys.length) await redis.del(...keys);
  };

  it("restores lost tickets on a subscription, a poll or a guarded call, each at its old place", async () => {
    const tickets: Ticket[] = [];
    for (let i = 0; i < 5; i++) tickets.push(await issue(t.client, await signUp(t.client), concertId));
    const [holder, w1, w2, w3, w4] = tickets as [Ticket, Ticket, Ticket, Ticket, Ticket];
    expect([holder.status, w4.position]).toEqual(["ACTIVE", 4]);
    await loseRedisData();
    clock.advance(5_000);

    // w3 subscribes first: the first push is its restored place (only it is back so far).
    const ws = t.client.ws(`Bearer ${w3.token}`);
    const sub = subscribe<{ queueUpdates: Ticket }>(ws, UPDATES);
    expect((await sub.next()).data?.queueUpdates).toMatchObject({ status: "WAITING", position: 1 });
    // w1 polls and goes ahead of w3.
    expect(await queueStatus(t.client, w1.token)).toMatchObject({ status: "WAITING", position: 1 });
    // w2 calls a guarded seat operation: refused as not admitted, at its restored place.
    const refused = await t.client.request(
      "query($c: ID!) { availableDates(concertId: $c) { id } }",
      { c: concertId },
      w2.token,
    );
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "QUEUE_NOT_ADMITTED", position: 2 });
    expect(await queueStatus(t.client, w3.token)).toMatchObject({ status: "WAITING", position: 3 });
    // The former holder comes back WAITING, ahead of everyone.
    expect(await queueStatus(t.client, holder.token)).toMatchObject({ status: "WAITING", position: 1 });
    expect(await queueStatus(t.client, w3.token)).toMatchObject({ position: 4 });

    // w4 leaves after the loss: its ticket is restored, then ended, and stays ended.
    expect(await leave(t.client, w4.token)).toMatchObject({ status: "EXPIRED" });
    expect(await queueStatus(t.client, w4.token)).toMatchObject({ status: "EXPIRED", position: null });
    sub.unsubscribe();
    await ws.dispose();
  });
});
