// A quick, bounded measurement of reserveSeat under contention on two real server processes
// (one database, one Redis). Run: node --import @swc-node/register/esm-register bench/quick-reserve.ts [users]
// Scenario "one seat": every user asks for the same seat at once (exactly one may win).
// Scenario "spread": every user asks for a different seat at once (all may win).
// Prints latency percentiles and outcomes; nothing is asserted (tests assert correctness).
import { cpus, loadavg } from "node:os";
import { startCluster } from "../tests/helpers/server-processes.js";
import { activeShoppers, firstConcert, RESERVE, type Shopper } from "../tests/helpers/reservation-helpers.js";

const USERS = Math.min(Number(process.argv[2] ?? 200), 500);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function race(label: string, calls: { shopper: Shopper; dateId: string; seat: number }[]) {
  const winners = new Set<Shopper>();
  const latencies: number[] = [];
  const outcomes = new Map<string, number>();
  const started = performance.now();
  await Promise.all(
    calls.map(async ({ shopper, dateId, seat }) => {
      const t0 = performance.now();
      const body = await shopper.client.request<{ reserveSeat: { status: string } }>(
        RESERVE,
        { d: dateId, n: seat },
        shopper.token,
      );
      latencies.push(performance.now() - t0);
      if (body.data) winners.add(shopper);
      const outcome = body.data?.reserveSeat.status ?? String(body.errors?.[0]?.extensions?.code);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }),
  );
  const wall = performance.now() - started;
  latencies.sort((a, b) => a - b);
  console.log(
    `${label}: ${calls.length} concurrent reserveSeat in ${wall.toFixed(0)} ms ` +
      `(${((calls.length / wall) * 1000).toFixed(0)} req/s); latency ms p50 ${percentile(latencies, 50).toFixed(0)} ` +
      `p95 ${percentile(latencies, 95).toFixed(0)} p99 ${percentile(latencies, 99).toFixed(0)} max ${latencies.at(-1)!.toFixed(0)}; ` +
      `outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`,
  );
  return winners;
}

const cluster = await startCluster(2, { QUEUE_MAX_ACTIVE: "2000", QUEUE_TICK_MS: "100", LOG_LEVEL: "error" });
try {
  const client = cluster.servers[0]!.client;
  const concertId = await firstConcert(client);
  const shoppers = await activeShoppers(cluster, concertId, USERS);
  const dates = (
    await client.data<{ availableDates: { id: string }[] }>(
      `query ($c: ID!) { availableDates(concertId: $c) { id } }`,
      { c: concertId },
      shoppers[0]!.token,
    )
  ).availableDates.map((d) => d.id);
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
