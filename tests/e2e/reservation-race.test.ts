// Seat holds across two real server processes on one database and Redis: the unique "live"
// index decides every race, and seat changes reach the other instance's subscribers. Run on a
// single Redis node and on a real Redis Cluster (seat pushes over sharded pubsub there).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "../../src/platform/db/prisma.js";
import { subscribe } from "../helpers/graphql-client.js";
import { startCluster, type Cluster } from "../helpers/server-processes.js";
import {
  activeShoppers,
  clusterDb,
  eventually,
  firstConcert,
  firstDate,
  liveRows,
  MINE,
  RESERVE,
  SEATS,
  type Shopper,
} from "../helpers/reservation-helpers.js";
import { REDIS_MODES, startRedisMode, type RedisModeHandle } from "../helpers/redis-modes.js";

describe.each(REDIS_MODES)("on %s Redis", (mode) => {
  let target: RedisModeHandle;

  let cluster: Cluster;
  let prisma: PrismaClient;
  let concertId: string;
  let shoppers: Shopper[];
  let dateId: string;

  beforeAll(async () => {
    target = await startRedisMode(mode);
    cluster = await startCluster(2, { ...target.env, QUEUE_MAX_ACTIVE: "1000", QUEUE_TICK_MS: "100" });
    prisma = clusterDb(cluster);
    concertId = await firstConcert(cluster.servers[0]!.client);
    shoppers = await activeShoppers(cluster, concertId, 200);
    dateId = await firstDate(cluster.servers[0]!.client, concertId, shoppers[0]!.token);
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await cluster?.stop();
    await target?.stop();
  });

  describe("reserveSeat across two instances", () => {
    it("gives exactly one of 200 concurrent holds of one seat; all others get SEAT_UNAVAILABLE", async () => {
      const results = await Promise.all(
        shoppers.map((s) =>
          s.client.request<{ reserveSeat: { status: string } }>(RESERVE, { d: dateId, n: 17 }, s.token),
        ),
      );
      const held = results.filter((r) => r.data?.reserveSeat.status === "HELD");
      const codes = results.flatMap((r) => (r.errors ? [r.errors[0]!.extensions?.code] : []));
      expect(held).toHaveLength(1);
      expect(codes).toEqual(Array(199).fill("SEAT_UNAVAILABLE"));
      expect(await liveRows(prisma, dateId, 17)).toBe(1);
      const seats = await shoppers[1]!.client.data<{ availableSeats: { number: number }[] }>(
        SEATS,
        { d: dateId },
        shoppers[1]!.token,
      );
      expect(seats.availableSeats.map((s) => s.number)).not.toContain(17);
    });

    it("gives one user racing for two seats of one date, on both instances, exactly one", async () => {
      const user = shoppers[150]!;
      const [a, b] = cluster.servers;
      const results = await Promise.all([
        a!.client.request<{ reserveSeat: { status: string } }>(RESERVE, { d: dateId, n: 30 }, user.token),
        b!.client.request<{ reserveSeat: { status: string } }>(RESERVE, { d: dateId, n: 31 }, user.token),
      ]);
      expect(results.filter((r) => r.data?.reserveSeat.status === "HELD")).toHaveLength(1);
      expect(results.flatMap((r) => (r.errors ? [r.errors[0]!.extensions?.code] : []))).toEqual([
        "ALREADY_RESERVED",
      ]);
      const mine = await user.client.data<{ myReservations: { status: string }[] }>(MINE, {}, user.token);
      expect(mine.myReservations.filter((r) => r.status === "HELD")).toHaveLength(1);
    });

    it("tells a caller without a token to enter the queue first", async () => {
      const body = await cluster.servers[0]!.client.request(RESERVE, { d: dateId, n: 1 });
      expect(body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
      expect(body.errors?.[0]?.message).toContain("issueQueueToken");
    });

    it("frees a cancelled seat at once for another user", async () => {
      const [owner, other] = [shoppers[160]!, shoppers[161]!];
      const held = await owner.client.data<{ reserveSeat: { id: string } }>(
        RESERVE,
        { d: dateId, n: 40 },
        owner.token,
      );
      const cancelled = await owner.client.data<{ cancelReservation: { status: string } }>(
        `mutation ($r: ID!) { cancelReservation(reservationId: $r) { status } }`,
        { r: held.reserveSeat.id },
        owner.token,
      );
      expect(cancelled.cancelReservation.status).toBe("CANCELLED");
      // The other instance answers from its seat map, which the FREE event reaches a moment
      // later (reservation-freshness.test.ts measures that bound); the SQL row is free now.
      expect(await liveRows(prisma, dateId, 40)).toBe(0);
      await eventually(async () => {
        const seats = await other.client.data<{ availableSeats: { number: number }[] }>(
          SEATS,
          { d: dateId },
          other.token,
        );
        return seats.availableSeats.some((s) => s.number === 40);
      }, 2_000);
      const retaken = await other.client.data<{ reserveSeat: { status: string } }>(
        RESERVE,
        { d: dateId, n: 40 },
        other.token,
      );
      expect(retaken.reserveSeat.status).toBe("HELD");
    });
  });

  describe("seatUpdates", () => {
    const CANCEL = `mutation ($r: ID!) { cancelReservation(reservationId: $r) { id } }`;
    const SEAT_UPDATES = `subscription ($d: ID!) { seatUpdates(concertDateId: $d) { concertDateId number status } }`;
    type SeatUpdate = { seatUpdates: { concertDateId: string; number: number; status: string } };

    it("pushes a hold and a cancel made on the other instance", async () => {
      const [watcher, actor] = [shoppers[170]!, shoppers[171]!];
      const other = cluster.servers[1]!.client;
      const ws = cluster.servers[0]!.client.ws(`Bearer ${watcher.token}`);
      const sub = subscribe<SeatUpdate>(ws, SEAT_UPDATES, { d: dateId });
      try {
        // The Redis SUBSCRIBE behind the stream is asynchronous: probe with a seat until one arrives.
        for (let attempt = 0; ; attempt++) {
          const probe = await other.data<{ reserveSeat: { id: string } }>(
            RESERVE,
            { d: dateId, n: 44 },
            actor.token,
          );
          await other.data(CANCEL, { r: probe.reserveSeat.id }, actor.token);
          const seen = await sub
            .next((e) => e.data?.seatUpdates.number === 44, 1000)
            .then(
              () => true,
              () => false,
            );
          if (seen) break;
          if (attempt === 10) throw new Error("the subscription never received a change");
        }
        const held = await other.data<{ reserveSeat: { id: string } }>(
          RESERVE,
          { d: dateId, n: 45 },
          actor.token,
        );
        const first = await sub.next((e) => e.data?.seatUpdates.number === 45);
        expect(first.data?.seatUpdates).toEqual({ concertDateId: dateId, number: 45, status: "HELD" });
        await other.data(CANCEL, { r: held.reserveSeat.id }, actor.token);
        const freed = await sub.next((e) => e.data?.seatUpdates.number === 45);
        expect(freed.data?.seatUpdates).toEqual({ concertDateId: dateId, number: 45, status: "FREE" });
      } finally {
        sub.unsubscribe();
        await ws.dispose();
      }
    });

    it("ends a subscription whose token argument is forged with UNAUTHENTICATED", async () => {
      const ws = cluster.servers[1]!.client.ws();
      const sub = subscribe(
        ws,
        `subscription ($d: ID!) { seatUpdates(concertDateId: $d, token: "forged") { number } }`,
        { d: dateId },
      );
      try {
        const ended = await sub.done;
        // docs/api.md: a graphql-ws `error` message (not a result carrying errors), and no data.
        const errors = ended.error as { extensions?: { code?: string } }[] | undefined;
        expect(errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
        expect(sub.events).toEqual([]);
      } finally {
        await ws.dispose();
      }
    });

    it("refuses another concert's token with FORBIDDEN", async () => {
      const concerts = await cluster.servers[0]!.client.data<{ concerts: { id: string }[] }>(
        `{ concerts { id } }`,
      );
      const otherConcert = concerts.concerts[1]!.id;
      const [stranger] = await activeShoppers(cluster, otherConcert, 1);
      const body = await stranger!.client.request(SEATS, { d: dateId }, stranger!.token);
      expect(body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      const reserve = await stranger!.client.request(RESERVE, { d: dateId, n: 2 }, stranger!.token);
      expect(reserve.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    });
  });
});
