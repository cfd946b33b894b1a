// Lapse with a real clock: HOLD_SECONDS=2 on two server processes. A lapsed hold frees its
// seat at once (read-time), and the sweeper on some instance announces it FREE to the others.
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
  type Shopper,
  freeSeats as freeSeatsOf,
} from "../helpers/reservation-helpers.js";

let cluster: Cluster;
let prisma: PrismaClient;
let shoppers: Shopper[];
let dateId: string;

beforeAll(async () => {
  cluster = await startCluster(2, { QUEUE_MAX_ACTIVE: "1000", QUEUE_TICK_MS: "100", HOLD_SECONDS: "2" });
  prisma = clusterDb(cluster);
  const concertId = await firstConcert(cluster.servers[0]!.client);
  shoppers = await activeShoppers(cluster, concertId, 4);
  dateId = await firstDate(cluster.servers[0]!.client, concertId, shoppers[0]!.token);
});

afterAll(async () => {
  await prisma?.$disconnect();
  await cluster?.stop();
});

const freeSeats = (s: Shopper) => freeSeatsOf(s, dateId);

describe("a hold that runs out", () => {
  it("offers the seat again, lets another user take it, and reads EXPIRED for the first holder", async () => {
    const [first, second] = [shoppers[0]!, shoppers[1]!];
    const held = await first.client.data<{ reserveSeat: { id: string; expiresAt: string } }>(
      RESERVE,
      { d: dateId, n: 5 },
      first.token,
    );
    expect(await freeSeats(second)).not.toContain(5);
    await eventually(async () => (await freeSeats(second)).includes(5), 10_000);
    expect(Date.now()).toBeGreaterThanOrEqual(new Date(held.reserveSeat.expiresAt).getTime() - 50);

    const taken = await second.client.data<{ reserveSeat: { status: string } }>(
      RESERVE,
      { d: dateId, n: 5 },
      second.token,
    );
    expect(taken.reserveSeat.status).toBe("HELD");
    const mine = await first.client.data<{ myReservations: { id: string; status: string }[] }>(
      MINE,
      {},
      first.token,
    );
    expect(mine.myReservations.find((r) => r.id === held.reserveSeat.id)?.status).toBe("EXPIRED");
    const cancel = await first.client.request(
      `mutation ($r: ID!) { cancelReservation(reservationId: $r) { id } }`,
      { r: held.reserveSeat.id },
      first.token,
    );
    expect(cancel.errors?.[0]?.extensions?.code).toBe("RESERVATION_EXPIRED");
  });

  it("is released by the sweeper, which announces the seat FREE on the other instance", async () => {
    const [watcher, holder] = [shoppers[2]!, shoppers[3]!];
    const ws = cluster.servers[0]!.client.ws(`Bearer ${watcher.token}`);
    const sub = subscribe<{ seatUpdates: { number: number; status: string } }>(
      ws,
      `subscription ($d: ID!) { seatUpdates(concertDateId: $d) { number status } }`,
      { d: dateId },
    );
    try {
      // Wait until the stream is live: hold seats on the other instance until a HELD arrives.
      // Each attempt holds a new seat (one live seat per user and date lapses in 2 s anyway).
      let seat = 20;
      for (;;) {
        await cluster.servers[1]!.client.data(RESERVE, { d: dateId, n: seat }, holder.token);
        const n = seat;
        const seen = await sub
          .next((e) => e.data?.seatUpdates.number === n, 1500)
          .then(
            () => true,
            () => false,
          );
        if (seen) break;
        if (seat === 30) throw new Error("the subscription never received a change");
        await eventually(async () => (await liveRows(prisma, dateId, n)) === 0, 10_000);
        seat += 1;
      }
      const freed = await sub.next(
        (e) => e.data?.seatUpdates.number === seat && e.data.seatUpdates.status === "FREE",
      );
      expect(freed.data?.seatUpdates).toEqual({ number: seat, status: "FREE" });
      const row = await prisma.$queryRaw<{ status: string; live: number | null }[]>`
        SELECT r.status, r.live FROM reservations r JOIN seats s ON s.id = r.seat_id
        WHERE s.concert_date_id = ${dateId} AND s.number = ${seat}`;
      expect(row).toEqual([{ status: "EXPIRED", live: null }]);
    } finally {
      sub.unsubscribe();
      await ws.dispose();
    }
  });
});
