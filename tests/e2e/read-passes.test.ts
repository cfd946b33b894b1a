// Seat and date reads trust a ticket's ACTIVE answer for up to READ_PASS_MS per process (README,
// "Decisions"); holds never do. On two server processes: a ticket that leaves through A is
// refused its reads on A at once and its holds everywhere at once, and its reads on B, which
// had just trusted it, within READ_PASS_MS.
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { READ_PASS_MS } from "../../src/modules/queue/queue-access.js";
import { startCluster, type Cluster } from "../helpers/server-processes.js";
import { activeShoppers, firstConcert, firstDate, RESERVE, SEATS } from "../helpers/reservation-helpers.js";

let cluster: Cluster;
let concertId: string;
let dateId: string;

beforeAll(async () => {
  cluster = await startCluster(2, { QUEUE_MAX_ACTIVE: "1000", QUEUE_TICK_MS: "100" });
  concertId = await firstConcert(cluster.servers[0]!.client);
});
afterAll(async () => {
  await cluster?.stop();
});

describe("read passes across two instances", () => {
  it("refuses a ticket that left: at once on its instance and for holds, within READ_PASS_MS on the other", async () => {
    const [shopper] = await activeShoppers(cluster, concertId, 1);
    const token = shopper!.token;
    const [a, b] = [cluster.servers[0]!.client, cluster.servers[1]!.client];
    dateId ??= await firstDate(a, concertId, token);
    // Both instances answer the reads, so both trust the pass now.
    for (const client of [a, b]) {
      expect(await client.data(SEATS, { d: dateId }, token)).toHaveProperty("availableSeats");
    }
    await a.data("mutation { leaveQueue { status } }", {}, token);
    const left = performance.now();
    expect(await a.errorCode(SEATS, { d: dateId }, token)).toBe("QUEUE_TOKEN_EXPIRED");
    expect(await b.errorCode(RESERVE, { d: dateId, n: 1 }, token)).toBe("QUEUE_TOKEN_EXPIRED");
    for (;;) {
      const started = performance.now();
      const code = await b.errorCode(SEATS, { d: dateId }, token);
      if (code === "QUEUE_TOKEN_EXPIRED") break;
      expect(code).toBeUndefined();
      expect(started - left, "B still answers the reads of a ticket that left").toBeLessThanOrEqual(
        READ_PASS_MS,
      );
    }
  });
});
