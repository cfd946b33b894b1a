// A quick, bounded measurement of reserveSeat under contention on two real server processes
// (one database, one Redis). Run: node --import @swc-node/register/esm-register bench/quick-reserve.ts [users]
// Scenario "one seat": every user asks for the same seat at once (exactly one may win).
// Scenario "spread": every user asks for a different seat at once (all may win).
// Prints latency percentiles and outcomes; nothing is asserted (tests assert correctness).
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { startCluster } from "../tests/helpers/server-processes.js";
import { countBy, gql, seedUsers, summarize } from "./lib.js";
import { admit, RESERVE, type Shopper } from "./seats.js";

const USERS = Math.min(Number(process.argv[2] ?? 200), 500);

async function race(label: string, calls: { shopper: Shopper; dateId: string; seat: number }[]) {
  const started = performance.now();
  const results = await Promise.all(
    calls.map(({ shopper, dateId, seat }) =>
      gql<{ reserveSeat: { id: string } }>(shopper.url, RESERVE, { d: dateId, n: seat }, shopper.token),
    ),
  );
  const wall = performance.now() - started;
  const l = summarize(results.map((r) => r.ms));
  console.log(
    `${label}: ${calls.length} concurrent reserveSeat in ${wall.toFixed(0)} ms ` +
      `(${((calls.length / wall) * 1000).toFixed(0)} req/s); latency ms p50 ${l.p50} p95 ${l.p95} p99 ${l.p99} max ${l.max}; ` +
      `outcomes ${JSON.stringify(
        countBy(
          results.map((r) => r.code),
          "HELD",
        ),
      )}`,
  );
  return new Set(calls.filter((_, i) => results[i]!.data?.reserveSeat).map((c) => c.shopper));
}

const cluster = await startCluster(2, { QUEUE_MAX_ACTIVE: "2000", QUEUE_TICK_MS: "100", LOG_LEVEL: "error" });
try {
  const url = cluster.servers[0]!.url;
  const concertId = (await gql<{ concerts: { id: string }[] }>(url, "{ concerts { id } }")).data!.concerts[0]!
    .id;
  const shoppers = await admit(cluster.servers, concertId, await seedUsers(cluster.env.databaseUrl, USERS));
  const dates = (
    await gql<{ availableDates: { id: string }[] }>(
      url,
      `query ($c: ID!) { availableDates(concertId: $c) { id } }`,
      { c: concertId },
      shoppers[0]!.token,
    )
  ).data!.availableDates.map((d) => d.id);
  // Warm both servers' pools and code paths on the last date (not used below).
  await race(
    "warm-up",
    shoppers.slice(0, 10).map((shopper, i) => ({ shopper, dateId: dates.at(-1)!, seat: i + 1 })),
  );
  console.log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")} on ${cpus().length} cores`,
  );
  const oneSeatWinners = await race(
    "one seat",
    shoppers.map((shopper) => ({ shopper, dateId: dates[0]!, seat: 1 })),
  );
  // The winner of "one seat" already holds a seat on the first date: leave them out.
  const spread = shoppers
    .filter((s) => !oneSeatWinners.has(s))
    .slice(0, 49 * (dates.length - 1))
    .map((shopper, i) => ({ shopper, dateId: dates[Math.floor(i / 49)]!, seat: (i % 49) + 2 }));
  await race("spread", spread);
} finally {
  await cluster.stop();
}
