// A sale's live figures and its end, across two server processes: saleStats equals the truth
// counted in Redis and MySQL whichever instance answers, saleStatsUpdates pushes, /metrics
// exports the same, and sold out reaches a waiting fan and a newcomer (a lapsed hold un-sells, a new
// date reopens the sale).
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueKeys } from "../../src/modules/queue/queue.model.js";
import type { PrismaClient } from "../../src/platform/db/prisma.js";
import { dayIn } from "../../src/platform/business-day.js";
import {
  ADD_DATE,
  AdminTestClient,
  ALICE,
  BOB,
  FLAT_PRICES,
  TEST_OPERATOR_KEYS,
} from "../helpers/admin-client.js";
import { subscribe } from "../helpers/graphql-client.js";
import { eventually, ISSUE, leave } from "../helpers/queue-helpers.js";
import { startCluster, type Cluster } from "../helpers/server-processes.js";
import { clusterDb } from "../helpers/reservation-helpers.js";
import { lapse } from "../integration/reservation/reservation-fixtures.js";
import {
  buySeat,
  control,
  fan,
  FAN_UPDATES,
  fanStatus,
  newSale,
  PAUSE,
  POLICY,
  sleep,
  stats,
  STATS_UPDATES,
  type FanTicket,
  type Stats,
} from "./live-sale-helpers.js";

const TICK_MS = 250;
describe("sale figures and sold out across two instances", () => {
  let cluster: Cluster;
  let redis: Redis;
  let db: PrismaClient;
  let a: AdminTestClient;
  let b: AdminTestClient;

  beforeAll(async () => {
    cluster = await startCluster(2, {
      OPERATOR_KEYS: TEST_OPERATOR_KEYS,
      QUEUE_TICK_MS: String(TICK_MS),
      QUEUE_ACTIVE_SECONDS: "300",
    });
    redis = new Redis(cluster.env.config.REDIS_URL);
    db = clusterDb(cluster);
    a = new AdminTestClient(cluster.servers[0]!.url, ALICE.secret);
    b = new AdminTestClient(cluster.servers[1]!.url, BOB.secret);
  });
  afterAll(async () => {
    redis?.disconnect();
    await db?.$disconnect();
    await cluster?.stop();
  });

  /** The truth, counted straight from Redis and MySQL. */
  async function truth(concertId: string) {
    const k = queueKeys(cluster.env.redisPrefix, concertId);
    const now = Date.now();
    const admits = await redis.zrangebyscore(k.admits, `(${now - 60_000}`, "+inf");
    const [seats] = await db.$queryRaw<{ sold: bigint; held: bigint; revenue: bigint | null }[]>`
      SELECT (SELECT COUNT(*) FROM reservations r JOIN concert_dates d ON d.id = r.concert_date_id
               WHERE d.concert_id = ${concertId} AND r.status = 'CONFIRMED') AS sold,
             (SELECT COUNT(*) FROM reservations r JOIN concert_dates d ON d.id = r.concert_date_id
               WHERE d.concert_id = ${concertId} AND r.status = 'HELD' AND r.expires_at > NOW(3)) AS held,
             (SELECT SUM(p.amount) FROM payments p JOIN reservations r ON r.id = p.reservation_id
               JOIN concert_dates d ON d.id = r.concert_date_id WHERE d.concert_id = ${concertId}) AS revenue`;
    return {
      waiting: await redis.zcard(k.waiting),
      active: await redis.zcount(k.active, `(${now}`, "+inf"),
      admittedLastMinute: admits.reduce((sum, m) => sum + Number(m.split(":")[1]), 0),
      seatsSold: Number(seats!.sold),
      seatsHeld: Number(seats!.held),
      seatsFree: 50 - Number(seats!.sold) - Number(seats!.held),
      revenue: Number(seats!.revenue ?? 0),
    };
  }

  it("answers saleStats equal to the truth in Redis and MySQL, the same on both instances and on /metrics", async () => {
    const [fansA, fansB] = [cluster.servers[0]!.client, cluster.servers[1]!.client];
    const { concertId, dateId } = await newSale(a);
    await control(a, POLICY, { c: concertId, maxActive: 2 });
    const buyer = await fan(fansA, concertId);
    const holder = await fan(fansB, concertId);
    const third = await fan(fansA, concertId);
    const leaver = await fan(fansB, concertId);
    expect([buyer.status, holder.status, third.status, leaver.status]).toEqual([
      "ACTIVE",
      "ACTIVE",
      "WAITING",
      "WAITING",
    ]);
    await leave(fansB, leaver.token);
    await buySeat(fansA, buyer.token, dateId, 1);
    await fansB.data(
      `mutation($d: ID!) { reserveSeat(concertDateId: $d, seatNumber: 2) { id } }`,
      { d: dateId },
      holder.token,
    );
    // The paid slot is refilled by the next tick: the third fan is admitted.
    await eventually(async () => (await fanStatus(fansA, third.token)).status === "ACTIVE", 10_000, 50);

    const [onA, onB, real] = [await stats(a, concertId), await stats(b, concertId), await truth(concertId)];
    const { at: _atA, ...figuresA } = onA;
    const { at: _atB, ...figuresB } = onB;
    expect(figuresB).toEqual(figuresA);
    expect(onA).toMatchObject({
      ...real,
      concertId,
      saleOpensAt: null,
      prequeued: 0,
      paidLastMinute: 1,
      abandonedLastMinute: 1,
      paused: false,
      maxActive: 2,
      admitPerTick: 50,
      soldOut: false,
    });
    expect(onA).toMatchObject({
      waiting: 0,
      active: 2,
      seatsSold: 1,
      seatsHeld: 1,
      seatsFree: 48,
      revenue: 50_000,
    });
    expect(onA.admittedLastMinute).toBe(1);

    const metrics = await (await fetch(`${cluster.servers[1]!.url}/metrics`)).text();
    const gauge = (name: string) =>
      Number(new RegExp(`^${name}\\{concert_id="${concertId}"\\} (\\S+)$`, "m").exec(metrics)?.[1]);
    expect(gauge("sale_seats_sold")).toBe(1);
    expect(gauge("sale_seats_held")).toBe(1);
    expect(gauge("sale_revenue")).toBe(50_000);
    expect(gauge("sale_max_active")).toBe(2);
    expect(gauge("sale_paid_last_minute")).toBe(1);
  });

  it("pushes saleStatsUpdates at once, then when a figure changes", async () => {
    const { concertId } = await newSale(a);
    await control(a, PAUSE, { c: concertId });
    const ws = a.ws();
    const stream = subscribe<{ saleStatsUpdates: Stats }>(ws, STATS_UPDATES, { c: concertId });
    const first = await stream.next();
    expect(first.data!.saleStatsUpdates).toMatchObject({
      concertId,
      waiting: 0,
      paused: true,
      seatsFree: 50,
    });
    await fan(cluster.servers[1]!.client, concertId);
    const moved = await stream.next((e) => e.data?.saleStatsUpdates.waiting === 1, TICK_MS * 8);
    expect(moved.data!.saleStatsUpdates.active).toBe(0);
    stream.unsubscribe();
    await ws.dispose();
  });

  it("tells a waiting fan soldOut once the last seat is paid, and refuses a newcomer SOLD_OUT; a lapsed hold un-sells", async () => {
    const [fansA, fansB] = [cluster.servers[0]!.client, cluster.servers[1]!.client];
    const { concertId, dateId } = await newSale(a);
    // 49 of the 50 seats were sold earlier (fixture rows; the last seat goes through the API).
    const seats = await db.seat.findMany({ where: { concertDateId: dateId }, orderBy: { number: "asc" } });
    for (const seat of seats.slice(0, 49)) {
      const user = await db.user.create({ data: { accessKeyHash: "0".repeat(64), name: "earlier" } });
      await db.reservation.create({
        data: {
          userId: user.id,
          seatId: seat.id,
          concertDateId: dateId,
          status: "CONFIRMED",
          live: true,
          price: seat.price,
          expiresAt: new Date(),
        },
      });
    }
    const buyer = await fan(fansA, concertId);
    const holder = await fan(fansA, concertId);
    const hold = await fansA.data<{ reserveSeat: { id: string } }>(
      `mutation($d: ID!) { reserveSeat(concertDateId: $d, seatNumber: 50) { id } }`,
      { d: dateId },
      holder.token,
    );
    // Held is not sold: no seat is free, yet the concert is not sold out.
    expect(await stats(b, concertId)).toMatchObject({
      seatsFree: 0,
      seatsHeld: 1,
      seatsSold: 49,
      soldOut: false,
    });
    await lapse(db, hold.reserveSeat.id);
    expect(await stats(b, concertId)).toMatchObject({ seatsFree: 1, seatsHeld: 0, soldOut: false });
    expect((await fan(fansB, concertId)).soldOut).toBe(false);

    await control(a, PAUSE, { c: concertId });
    await sleep(TICK_MS * 2);
    const waiter = await fan(fansB, concertId);
    expect(waiter).toMatchObject({ status: "WAITING", soldOut: false });
    const ws = fansB.ws();
    const pushes = subscribe<{ queueUpdates: FanTicket }>(ws, FAN_UPDATES, { token: waiter.token });
    await pushes.next();
    await buySeat(fansA, buyer.token, dateId, 50);
    const told = await pushes.next((e) => e.data?.queueUpdates.soldOut === true, TICK_MS * 12);
    expect(told.data!.queueUpdates.status).toBe("WAITING");
    pushes.unsubscribe();
    await ws.dispose();

    const late = await fansB.data<{ signUp: { userId: string; accessKey: string } }>(
      `mutation { signUp(name: "late") { userId accessKey } }`,
    );
    const refused = await fansB.request(ISSUE, { ...late.signUp, concertId });
    expect(refused.errors?.[0]?.extensions?.code).toBe("SOLD_OUT");
    expect(refused.errors?.[0]?.message).toMatch(/sold out/);
    expect(await stats(a, concertId)).toMatchObject({
      seatsFree: 0,
      seatsHeld: 0,
      seatsSold: 50,
      soldOut: true,
    });
    // The waiting fan's own ticket still answers (with soldOut), it is not an error; A, which
    // the refusal did not go through, learns the flag at its next admission tick.
    await eventually(async () => (await fanStatus(fansA, waiter.token)).soldOut, TICK_MS * 8, 25);
    expect(await fanStatus(fansA, waiter.token)).toMatchObject({ status: "WAITING", soldOut: true });

    // A new date puts 50 seats on sale again: the concert is no longer sold out, on either instance.
    await a.data(ADD_DATE, {
      concertId,
      date: dayIn(new Date(Date.now() + 3 * 86_400_000), "Asia/Seoul"),
      prices: FLAT_PRICES,
    });
    await eventually(
      async () => (await fansB.request(ISSUE, { ...late.signUp, concertId })).errors === undefined,
      10_000,
      100,
    );
    expect(await stats(b, concertId)).toMatchObject({ seatsFree: 50, soldOut: false });
  });
});
