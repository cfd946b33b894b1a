// Scheduled sales through the public API of one in-process server with a fake clock: the
// pre-queue before the opening, the guarded calls' QUEUE_NOT_ADMITTED with secondsUntilOpen,
// the draw (run by the test's own draw service on the app's Redis, MySQL and clock), its reveal
// checked against the seed and the commitment, and a Redis restart before the draw.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrequeueStore } from "../../../src/modules/queue/prequeue.store.js";
import { createQueueModule } from "../../../src/modules/queue/queue.module.js";
import { createSaleModule, createSaleSchedule } from "../../../src/modules/sale/sale.module.js";
import type { SaleDrawService } from "../../../src/modules/sale/sale-draw.service.js";
import { FakeClock } from "../../../src/platform/clock.js";
import { subscribe } from "../../helpers/graphql-client.js";
import { issue, queueStatus, signUp, UPDATES, type Ticket } from "../../helpers/queue-helpers.js";
import {
  drawOrder,
  saleDraw,
  scheduledConcert,
  scheduleSaleDirect,
  sha256Hex,
} from "../../helpers/sale-fixture.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { createConcert } from "../reservation/reservation-fixtures.js";

const OPENS_IN_MS = 90_000;
const TICK = 1_000;
const RESERVE = `mutation($d: ID!) { reserveSeat(concertDateId: $d, seatNumber: 1) { id } }`;
const DATES = `query($c: ID!) { availableDates(concertId: $c) { id } }`;

describe("scheduled sale and pre-queue draw through the API", () => {
  let t: TestApp;
  const clock = new FakeClock(new Date());
  let draws: SaleDrawService;
  let prequeue: PrequeueStore;

  beforeAll(async () => {
    // Ticks an hour apart: the test draws and ticks by hand.
    t = await startTestApp(
      { QUEUE_MAX_ACTIVE: "2", QUEUE_ADMIT_PER_TICK: "2", QUEUE_TICK_MS: "3600000" },
      { clock },
    );
    const infra = t.app.infra;
    const queue = createQueueModule(infra, { users: { verifyAccessKey: async () => undefined } });
    prequeue = queue.prequeue;
    draws = createSaleModule(infra, {
      schedule: createSaleSchedule(infra),
      prequeue: queue.prequeue,
      events: queue.events,
    }).service;
  });
  afterAll(async () => {
    await t?.stop();
  });

  const opensAt = () => new Date(clock.now().getTime() + OPENS_IN_MS);
  const revealOrder = async (concertId: string, users: readonly string[]) => {
    const draw = (await saleDraw(t.client, concertId))!;
    expect(draw.seed).toMatch(/^[0-9a-f]{64}$/);
    expect(sha256Hex(Buffer.from(draw.seed!, "hex"))).toBe(draw.commitment);
    return { draw, order: drawOrder(draw.seed!, users) };
  };

  it("pre-queues before the opening, refuses seats with secondsUntilOpen, and re-issues the same ticket", async () => {
    const prisma = t.app.infra.prisma;
    const { concertId, dates } = await createConcert(prisma, [10]);
    const at = opensAt();
    await scheduleSaleDirect(prisma, concertId, at);
    const user = await signUp(t.client);
    const ticket = await issue(t.client, user, concertId);
    expect(ticket).toMatchObject({ status: "PREQUEUED", position: null, estimatedWaitSeconds: 0 });
    expect(ticket.saleOpensAt).toBe(at.toISOString());
    expect(await issue(t.client, user, concertId)).toEqual(ticket);
    clock.advance(30_000);
    expect(await queueStatus(t.client, ticket.token)).toEqual(ticket);

    for (const [query, variables] of [
      [RESERVE, { d: dates[0]!.id }],
      [DATES, { c: concertId }],
    ] as const) {
      const body = await t.client.request(query, variables, ticket.token);
      expect(body.errors?.[0]?.extensions).toMatchObject({
        code: "QUEUE_NOT_ADMITTED",
        secondsUntilOpen: 60,
      });
    }
    expect(await t.app.infra.prisma.reservation.count()).toBe(0);

    const before = (await saleDraw(t.client, concertId))!;
    expect(before).toMatchObject({ concertId, seed: null, drawnAt: null, entrants: null });
    expect(before.commitment).toMatch(/^[0-9a-f]{64}$/);
  });

  it("draws at the opening in the order recomputed from the revealed seed, later entrants behind", async () => {
    const concertId = await scheduledConcert(t.app.infra.prisma, opensAt());
    const users = await Promise.all(Array.from({ length: 12 }, () => signUp(t.client)));
    const tickets = new Map<string, Ticket>();
    for (const u of users) tickets.set(u.userId, await issue(t.client, u, concertId));
    const watcher = users[5]!;
    const ws = t.client.ws(`Bearer ${tickets.get(watcher.userId)!.token}`);
    const sub = subscribe<{ queueUpdates: Ticket }>(ws, UPDATES);
    expect((await sub.next()).data?.queueUpdates.status).toBe("PREQUEUED");

    // A tick before the opening draws nothing.
    await draws.drawDue();
    expect((await saleDraw(t.client, concertId))!.drawnAt).toBeNull();
    clock.advance(OPENS_IN_MS);
    // After the opening, before the draw ran: an ordinary entry, behind whatever is drawn.
    const late = await signUp(t.client);
    expect(await issue(t.client, late, concertId)).toMatchObject({ status: "WAITING", position: 1 });
    await draws.drawDue();

    const { draw, order } = await revealOrder(
      concertId,
      users.map((u) => u.userId),
    );
    expect(draw.entrants).toBe(12);
    expect(new Date(draw.drawnAt!).getTime()).toBe(clock.now().getTime());
    for (const [i, userId] of order.entries()) {
      expect(await queueStatus(t.client, tickets.get(userId)!.token)).toMatchObject({
        status: "WAITING",
        position: i + 1,
      });
    }
    expect((await issue(t.client, late, concertId)).position).toBe(13);
    const pushed = await sub.next((e) => e.data?.queueUpdates.status === "WAITING");
    expect(pushed.data?.queueUpdates.position).toBe(order.indexOf(watcher.userId) + 1);
    sub.unsubscribe();
    await ws.dispose();
    // A second draw tick changes nothing.
    await draws.drawDue();
    expect(await saleDraw(t.client, concertId)).toEqual(draw);
  });

  it("after Redis lost its data before the draw, a re-presented token is drawn, a late one gets its drawn place", async () => {
    const concertId = await scheduledConcert(t.app.infra.prisma, opensAt());
    const users = await Promise.all(Array.from({ length: 6 }, () => signUp(t.client)));
    const tokens = new Map<string, string>();
    for (const u of users) tokens.set(u.userId, (await issue(t.client, u, concertId)).token);
    const redis = t.app.infra.redis;
    const keys = await redis.keys(`${t.env.redisPrefix}*`);
    await redis.del(...keys);
    clock.advance(5_000);
    // Four come back before the opening (a poll re-enters each into the pre-queue).
    const back = users.slice(0, 4).map((u) => u.userId);
    for (const userId of back)
      expect((await queueStatus(t.client, tokens.get(userId)!)).status).toBe("PREQUEUED");
    clock.advance(OPENS_IN_MS);
    await draws.drawDue();
    const { draw, order } = await revealOrder(concertId, back);
    expect(draw.entrants).toBe(4);
    for (const [i, userId] of order.entries())
      expect(await queueStatus(t.client, tokens.get(userId)!)).toMatchObject({
        status: "WAITING",
        position: i + 1,
      });
    // The other two only after the draw: each at the place the draw gives its key among all six.
    const all = drawOrder(
      draw.seed!,
      users.map((u) => u.userId),
    );
    for (const u of users.slice(4))
      expect((await queueStatus(t.client, tokens.get(u.userId)!)).status).toBe("WAITING");
    for (const [i, userId] of all.entries())
      expect((await queueStatus(t.client, tokens.get(userId)!)).position).toBe(i + 1);
  });

  it("reveals a draw whose instance died before recording it, with that draw's time and entrants", async () => {
    const concertId = await scheduledConcert(t.app.infra.prisma, opensAt());
    const users = await Promise.all(Array.from({ length: 3 }, () => signUp(t.client)));
    for (const u of users) await issue(t.client, u, concertId);
    clock.advance(OPENS_IN_MS);
    // The dead instance's half: the Redis draw ran (one script: all or nothing), MySQL not yet.
    const drawnAtMs = clock.now().getTime();
    expect(await prequeue.draw(concertId, drawnAtMs)).toMatchObject({ drew: true, entrants: 3 });
    expect((await saleDraw(t.client, concertId))!.drawnAt).toBeNull();
    clock.advance(TICK);
    await draws.drawDue();
    expect(await saleDraw(t.client, concertId)).toMatchObject({
      drawnAt: new Date(drawnAtMs).toISOString(),
      entrants: 3,
    });
  });

  it("answers NOT_FOUND for an unknown concert and null for one never scheduled", async () => {
    const unknown = "00000000-0000-7000-8000-000000000000";
    expect(
      await t.client.errorCode(`query($c: ID!) { saleDraw(concertId: $c) { seed } }`, { c: unknown }),
    ).toBe("NOT_FOUND");
    const { concertId } = await createConcert(t.app.infra.prisma, [5]);
    expect(await saleDraw(t.client, concertId)).toBeNull();
  });
});
