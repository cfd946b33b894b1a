// The Operator API on real server processes: a catalogue change made on one instance is on the
// public API of the other at once (no cache waited out), races between operators on two
// instances are decided by MySQL, and a malformed OPERATOR_KEYS stops start-up naming it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, businessToday } from "../../src/platform/business-day.js";
import type { PrismaClient } from "../../src/platform/db/prisma.js";
import {
  ADD_DATE,
  AdminTestClient,
  BOB,
  createConcert,
  SCHEDULE,
  TEST_OPERATOR_KEYS,
} from "../helpers/admin-client.js";
import type { GraphQLTestClient } from "../helpers/graphql-client.js";
import { runToExit, startCluster, UNREACHABLE_DATABASE, type Cluster } from "../helpers/server-processes.js";
import { activeShoppers, clusterDb, RESERVE, SEATS } from "../helpers/reservation-helpers.js";

let cluster: Cluster;
let prisma: PrismaClient;
let adminA: AdminTestClient;
let adminB: AdminTestClient;
const day = (offset: number) =>
  addDays(businessToday(new Date(), "Asia/Seoul"), offset).toISOString().slice(0, 10);

beforeAll(async () => {
  cluster = await startCluster(2, { OPERATOR_KEYS: TEST_OPERATOR_KEYS });
  prisma = clusterDb(cluster);
  adminA = new AdminTestClient(cluster.servers[0]!.url);
  adminB = new AdminTestClient(cluster.servers[1]!.url, BOB.secret);
}, 90_000);
afterAll(async () => {
  await prisma?.$disconnect();
  await cluster?.stop();
});

describe("a catalogue change on one instance", () => {
  it("is on the other instance's public API at once: the concert, its date and its seats' prices", async () => {
    const b = cluster.servers[1]!.client;
    // B has served the concert list (and entered a queue) before the change.
    await activeShoppers({ ...cluster, servers: [cluster.servers[1]!] }, await firstId(b), 1);

    const concert = await createConcert(adminA, { title: "Fresh on A" });
    const listed = await b.data<{ concerts: { id: string; saleOpensAt: string | null }[] }>(
      "{ concerts { id saleOpensAt } }",
    );
    expect(listed.concerts).toContainEqual({ id: concert.id, saleOpensAt: null });

    const prices = [
      { fromSeat: 1, toSeat: 25, price: 70_000 },
      { fromSeat: 26, toSeat: 50, price: 40_000 },
    ];
    const added = await adminA.data<{ addConcertDate: { id: string } }>(ADD_DATE, {
      concertId: concert.id,
      date: day(4),
      prices,
    });
    const dateId = added.addConcertDate.id;
    const [fan] = await activeShoppers({ ...cluster, servers: [cluster.servers[1]!] }, concert.id, 1);
    const dates = await b.data<{ availableDates: { id: string; availableSeatCount: number }[] }>(
      "query ($c: ID!) { availableDates(concertId: $c) { id availableSeatCount } }",
      { c: concert.id },
      fan!.token,
    );
    expect(dates.availableDates).toEqual([{ id: dateId, availableSeatCount: 50 }]);
    const seats = await b.data<{ availableSeats: { number: number; price: number }[] }>(
      SEATS,
      { d: dateId },
      fan!.token,
    );
    expect(seats.availableSeats[0]).toEqual({ number: 1, price: 70_000 });
    const held = await b.data<{ reserveSeat: { price: number; status: string } }>(
      RESERVE,
      { d: dateId, n: 30 },
      fan!.token,
    );
    expect(held.reserveSeat).toMatchObject({ price: 40_000, status: "HELD" });
  });
});

async function firstId(client: GraphQLTestClient): Promise<string> {
  const data = await client.data<{ concerts: { id: string }[] }>("{ concerts { id } }");
  return data.concerts[0]!.id;
}

describe("operators racing on two instances", () => {
  it("adds a date once when both add it at the same moment", async () => {
    const concert = await createConcert(adminA);
    const vars = {
      concertId: concert.id,
      date: day(6),
      prices: [{ fromSeat: 1, toSeat: 50, price: 10_000 }],
    };
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? adminB : adminA).request(ADD_DATE, vars)),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(new Set(results.flatMap((r) => r.errors?.map((e) => e.extensions?.code) ?? []))).toEqual(
      new Set(["BAD_USER_INPUT"]),
    );
    expect(await prisma.seat.count({ where: { concertDate: { concertId: concert.id } } })).toBe(50);
    expect(
      await prisma.operatorAction.count({ where: { concertId: concert.id, action: "addConcertDate" } }),
    ).toBe(1);
  });

  it("records every racing move of an opening in commit order; the last recorded is in force, the seed kept", async () => {
    const concert = await createConcert(adminA, {
      saleOpensAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const seed = (await prisma.saleDraw.findUniqueOrThrow({ where: { concertId: concert.id } })).seed;
    const times = Array.from({ length: 12 }, (_, i) =>
      new Date(Date.now() + (2 + i) * 3_600_000).toISOString(),
    );
    const results = await Promise.all(
      times.map((opensAt, i) =>
        (i % 2 ? adminB : adminA).request(SCHEDULE, { concertId: concert.id, opensAt }),
      ),
    );
    expect(results.filter((r) => r.errors)).toEqual([]);
    const log = await prisma.operatorAction.findMany({
      where: { concertId: concert.id, action: "scheduleSale" },
      orderBy: { id: "asc" },
    });
    expect(log).toHaveLength(times.length);
    const row = await prisma.concert.findUniqueOrThrow({ where: { id: concert.id } });
    expect(row.saleOpensAt?.toISOString()).toBe(JSON.parse(log.at(-1)!.details).args.opensAt);
    expect((await prisma.saleDraw.findUniqueOrThrow({ where: { concertId: concert.id } })).seed).toBe(seed);
  });
});

describe("OPERATOR_KEYS at start-up", () => {
  // Every malformed shape is checked in tests/unit/platform/config.test.ts; this runs the real entry point.
  it("stops with exit 78 naming OPERATOR_KEYS, without quoting the secret", async () => {
    const { code, output } = await runToExit({
      DATABASE_URL: UNREACHABLE_DATABASE,
      OPERATOR_KEYS: `alice:${"s".repeat(40)},bad name:${"s".repeat(40)}`,
    });
    expect(code).toBe(78);
    expect(output).toMatch(/OPERATOR_KEYS: entry 2: the name must match/);
    expect(output).not.toContain("s".repeat(40));
  });
});
