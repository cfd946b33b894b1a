// `npm run bench`: the sale-day benchmark (issue 17's target table). Starts its own server
// processes (one, then two) on fresh databases and Redis prefixes, measures every target next to
// a baseline taken in the same run the same way, and writes bench/results/<UTC>.md and .json.
// BENCH_SCALE=0.1 for a quick run; BENCH_SOAK_MINUTES=N runs the soak instead (bench/soak.ts).
// Loopback only; every loop is bounded; a watchdog stops everything.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { productionOverrides } from "../tests/helpers/test-env.js";
import { startCluster, type Cluster } from "../tests/helpers/server-processes.js";
import {
  rawConditionalUpdate,
  rawRedisIncr,
  trivialBurst,
  trivialLoops,
  trivialQuery,
  type LoadResult,
} from "./baselines.js";
import { bareRace, bareReads } from "./bare-framework.js";
import { flashCrowd } from "./flash-crowd.js";
import { addDates, gql, load, machine, runAbortHooks, SCALE, scaled, seedUsers, warmSockets } from "./lib.js";
import { ceilingTable, checkTable, renderReport, targetTable, type BenchReport } from "./report.js";
import { admit, checkout, seatRace, seatReads, steady } from "./seats.js";
import { keepServerLogs } from "./server-logs.js";
import { openFleets, raiseFileLimit } from "./watchers.js";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const REDIS_URL = process.env["TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379";
const SOAK_MINUTES = Number(process.env["BENCH_SOAK_MINUTES"] ?? "0") || 0;
const TIME_LIMIT_MS = SOAK_MINUTES ? (SOAK_MINUTES + 6) * 60_000 : 10 * 60_000;

const fileLimit = raiseFileLimit();
// One server process holds every subscriber's socket: the open-file limit caps the count (a
// container's hard limit cannot be raised without CAP_SYS_RESOURCE). 1,000 fds stay in reserve.
const wantedSubscribers = scaled(50_000, 500);
const counts = {
  wantedSubscribers,
  subscribers: Math.min(wantedSubscribers, fileLimit.soft - 1000),
  admitPerTick: scaled(500, 10),
  admissionWindowSeconds: SCALE < 1 ? 12 : 25,
  subscriberOpenSeconds: SCALE < 1 ? 60 : 150,
  seatReadClients: 50,
  seatRaceUsers: scaled(2_000, 100),
  steadyClients: 50,
  steadySeconds: SCALE < 1 ? 5 : 15,
  checkoutWarmUpBuyers: scaled(200, 20),
  checkoutBuyers: scaled(2_000, 50),
  checkoutConcurrency: Math.min(100, scaled(500, 50)),
  baselineSeconds: SCALE < 1 ? 3 : 6,
};

const startedAt = new Date();
const stamp = startedAt.toISOString().slice(0, 16).replace(":", "");
mkdirSync(`${HERE}results`, { recursive: true });
const clusters: Cluster[] = [];
let partial: unknown = null;
/** On a failure or the watchdog: the output of the servers still running, and their error lines. */
const keepLogsOfRunning = () => {
  clusters.forEach((c, i) => {
    const logs = keepServerLogs(c.servers, stamp, SOAK_MINUTES ? "soak" : `cluster-${i + 1}`);
    console.error(`bench: server logs in ${logs.files.join(", ")}`);
    for (const g of logs.errors) console.error(`  server ${g.server}: ${g.count} × ${g.message}: ${g.error}`);
  });
};
const watchdog = setTimeout(() => {
  console.error(`bench: over ${TIME_LIMIT_MS / 60_000} minutes, stopping`);
  if (partial) {
    writeFileSync(`${HERE}results/${stamp}-partial.json`, `${JSON.stringify(partial, null, 2)}\n`);
    console.error(`bench: what was measured so far is in bench/results/${stamp}-partial.json`);
  }
  keepLogsOfRunning();
  for (const f of openFleets) f.kill();
  for (const c of clusters) for (const s of c.servers) s.child.kill("SIGKILL");
  runAbortHooks();
  process.exit(2);
}, TIME_LIMIT_MS);
watchdog.unref();

export const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
// The servers run as production does (NODE_ENV=production: graphql-js and express drop their
// development checks), with rate limits off so that one load generator can drive them.
const common = productionOverrides({
  RATE_LIMIT_ENABLED: "false",
  LOG_LEVEL: "warn",
  DATABASE_POOL_SIZE: "20",
});

async function firstConcertAndDates(url: string, token?: string) {
  const c = await gql<{ concerts: { id: string }[] }>(url, "{ concerts { id } }");
  const concertId = c.data!.concerts[0]!.id;
  if (!token) return { concertId, dateIds: [] };
  const d = await gql<{ availableDates: { id: string }[] }>(
    url,
    "query ($c: ID!) { availableDates(concertId: $c) { id } }",
    { c: concertId },
    token,
  );
  return { concertId, dateIds: d.data!.availableDates.map((x) => x.id) };
}

if (SOAK_MINUTES) {
  const { soak } = await import("./soak.js");
  try {
    await soak(SOAK_MINUTES, stamp, clusters, log);
  } catch (error) {
    keepLogsOfRunning();
    throw error;
  } finally {
    for (const c of clusters) await c.stop();
  }
  process.exit(0);
}

const report = {
  startedAt: startedAt.toISOString(),
  scale: SCALE,
  counts,
  machine: machine(),
  fileLimit,
  loadAverage: { start: load() },
} as unknown as BenchReport;
const baselines: Partial<BenchReport["baselines"]> = {};
report.baselines = baselines as BenchReport["baselines"];
partial = report;

try {
  // One instance: baselines, the flash crowd, the seat reads, the subscribers.
  log(`one instance (scale ${SCALE}; open-file limit ${fileLimit.soft})`);
  const one = await startCluster(1, {
    ...common,
    QUEUE_MAX_ACTIVE: String(counts.admitPerTick),
    QUEUE_ADMIT_PER_TICK: String(counts.admitPerTick),
    QUEUE_TICK_MS: "1000",
    QUEUE_ACTIVE_SECONDS: "900",
    QUEUE_IDLE_SECONDS: "900",
    // Loopback inspector, used only to run a full GC before each memory reading.
    NODE_OPTIONS: "--inspect=127.0.0.1:0",
  });
  clusters.push(one);
  const server = one.servers[0]!;
  const { concertId } = await firstConcertAndDates(server.url);
  const crowd = await seedUsers(one.env.databaseUrl, counts.subscribers);
  const warmUpUsers = await seedUsers(one.env.databaseUrl, scaled(3_000, 300));
  const otherConcertId = (await gql<{ concerts: { id: string }[] }>(server.url, "{ concerts { id } }")).data!
    .concerts[1]!.id;
  log("baseline: raw conditional UPDATE on MariaDB");
  baselines.rawConditionalUpdate = await rawConditionalUpdate(
    one.env.databaseUrl,
    crowd.map((u) => u.userId),
    counts.baselineSeconds,
    20,
  );
  log("baseline: raw Redis INCR");
  baselines.rawRedisIncr = await rawRedisIncr(
    REDIS_URL,
    `${one.env.redisPrefix}bench:incr`,
    counts.baselineSeconds,
    100,
  );
  await trivialQuery(server.url, 2, 100); // warm-up
  // Every rate baseline brackets its load (right before and right after): the machine is shared.
  const trivial = async (connections: number): Promise<LoadResult> => {
    const r = await trivialQuery(server.url, counts.baselineSeconds, connections);
    log(`baseline: { serverTime } ${connections} connections: ${r.rps} req/s, p99 ${r.latencyMs.p99} ms`);
    return r;
  };
  baselines.trivial100Before = await trivial(100);
  report.loadAverage.beforeFlashCrowd = load();
  report.flashCrowd = await flashCrowd(server, REDIS_URL, one.env.redisPrefix, concertId, crowd, log, {
    windowSeconds: counts.admissionWindowSeconds,
    openSeconds: counts.subscriberOpenSeconds,
    warmUp: { concertId: otherConcertId, users: warmUpUsers },
    afterEntry: async (tickets) => {
      baselines.trivial100After = await trivial(100);
      const tokens = tickets.filter((t) => t.status === "ACTIVE").map((t) => t.token);
      const { dateIds } = await firstConcertAndDates(server.url, tokens[0]);
      baselines.trivial50Before = await trivial(counts.seatReadClients);
      const { availableSeats, between, seatMap } = await seatReads(
        server.url,
        tokens.slice(0, counts.seatReadClients),
        dateIds[0]!,
        counts.baselineSeconds,
        counts.seatReadClients,
        () => trivial(counts.seatReadClients),
      );
      report.seatReads = { availableSeats, seatMap };
      baselines.trivial50Between = between;
      log(
        `seat reads: availableSeats ${report.seatReads.availableSeats.rps} req/s, seatMap ${report.seatReads.seatMap.rps} req/s`,
      );
      baselines.trivial50After = await trivial(counts.seatReadClients);
    },
  });
  await one.stop();
  clusters.pop();

  // Two instances on one database: seat race, steady phase, checkout.
  log("two instances");
  const two = await startCluster(2, {
    ...common,
    QUEUE_MAX_ACTIVE: "100000",
    QUEUE_ADMIT_PER_TICK: "1000",
    QUEUE_TICK_MS: "1000",
    QUEUE_ACTIVE_SECONDS: "1800",
  });
  clusters.push(two);
  const urls = two.servers.map((x) => x.url);
  const buyers = counts.checkoutWarmUpBuyers + counts.checkoutBuyers;
  const users = await seedUsers(two.env.databaseUrl, counts.seatRaceUsers + buyers);
  const { concertId: c2 } = await firstConcertAndDates(urls[0]!);
  const warmUpDates = await addDates(two.env.databaseUrl, c2, Math.ceil(counts.checkoutWarmUpBuyers / 50));
  const checkoutDates = await addDates(two.env.databaseUrl, c2, Math.ceil(counts.checkoutBuyers / 50));
  log(`admitting ${users.length} users`);
  const shoppers = await admit(two.servers, c2, users);
  const { dateIds } = await firstConcertAndDates(urls[0]!, shoppers[0]!.token);
  const racers = shoppers.slice(0, counts.seatRaceUsers);
  report.loadAverage.beforeSeatRace = load();
  await warmSockets(urls, Math.ceil(racers.length / urls.length));
  // The trivial query has run for minutes by now; reserveSeat not once. The same race on another
  // date first (its figures are kept), so that both bursts run on warmed-up code.
  log(`warm-up: ${racers.length} reserveSeat at once for another date's 50 seats`);
  report.seatRaceWarmUp = await seatRace(two.env.databaseUrl, racers, dateIds[2]!);
  log(`  p99 ${report.seatRaceWarmUp.latencyMs.p99} ms, held ${report.seatRaceWarmUp.held}`);
  const burst = async () => {
    const r = await trivialBurst(urls, racers.length);
    log(`baseline: ${r.requests} simultaneous { serverTime }: p99 ${r.latencyMs.p99} ms`);
    return r;
  };
  baselines.trivialBurstBefore = await burst();
  log(`seat race: ${racers.length} reserveSeat at once for 50 seats`);
  report.seatRace = await seatRace(two.env.databaseUrl, racers, dateIds[0]!);
  log(
    `  held ${report.seatRace.held}, p99 ${report.seatRace.latencyMs.p99} ms, ${JSON.stringify(report.seatRace.outcomes)}`,
  );
  baselines.trivialBurstAfter = await burst();
  baselines.trivialSteady = await trivialLoops(urls, counts.steadyClients, counts.steadySeconds);
  log(
    `baseline: { serverTime } ${counts.steadyClients} loops: ${baselines.trivialSteady.rps} req/s, p99 ${baselines.trivialSteady.latencyMs.p99} ms`,
  );
  log(`steady: ${counts.steadyClients} clients reserving and cancelling for ${counts.steadySeconds} s`);
  // One seat per user per date: racers may hold a seat on the first date and still take one here.
  report.steady = await steady(racers.slice(0, counts.steadyClients), dateIds[1]!, counts.steadySeconds);
  log(`  ${report.steady.opsPerSecond} ops/s, p99 ${report.steady.allOpsMs.p99} ms`);
  baselines.trivialCheckout = await trivialLoops(urls, counts.checkoutConcurrency, counts.baselineSeconds);
  log(`baseline: { serverTime } ${counts.checkoutConcurrency} loops: ${baselines.trivialCheckout.rps} req/s`);
  // As for the race: the servers' first payments are a warm-up of other buyers (their figures
  // kept); until 5 December the row was 500 cold checkouts, 1.4 s mostly of first-time costs.
  const checkoutBuyers = shoppers.slice(counts.seatRaceUsers);
  log(`warm-up: ${counts.checkoutWarmUpBuyers} buyers charge, reserve and pay on dates of their own`);
  report.checkoutWarmUp = await checkout(
    two.env.databaseUrl,
    checkoutBuyers.slice(0, counts.checkoutWarmUpBuyers),
    warmUpDates,
    counts.checkoutConcurrency,
  );
  log(`checkout: ${counts.checkoutBuyers} buyers charge, reserve and pay`);
  report.checkout = await checkout(
    two.env.databaseUrl,
    checkoutBuyers.slice(counts.checkoutWarmUpBuyers),
    checkoutDates,
    counts.checkoutConcurrency,
    report.checkoutWarmUp.audit.expectedAmount,
  );
  log(`  ${report.checkout.checkoutsPerSecond} checkouts/s; audit ${JSON.stringify(report.checkout.audit)}`);
  await two.stop();
  clusters.pop();

  // The framework alone, on the same machine in the same run: the bounds of the seat-read and
  // race rows on this stack (bench/bare-framework.ts).
  log("bare framework: the seat reads' answers from constants, one server");
  const bareReadsResult = await bareReads(counts.baselineSeconds, counts.seatReadClients);
  log(
    `  availableSeats ${bareReadsResult.availableSeats.rps} req/s, seatMap ${bareReadsResult.seatMap.rps} req/s, trivial ${bareReadsResult.trivialBefore.rps} / ${bareReadsResult.trivialBetween.rps} / ${bareReadsResult.trivialAfter.rps} req/s`,
  );
  log(`bare framework: ${counts.seatRaceUsers} reserveSeat at once, refusals as GraphQLErrors, two servers`);
  const bareRaceResult = await bareRace(counts.seatRaceUsers);
  log(
    `  race p99 ${bareRaceResult.race.latencyMs.p99} ms, trivial bursts p99 ${bareRaceResult.trivialBefore.latencyMs.p99} / ${bareRaceResult.trivialAfter.latencyMs.p99} ms`,
  );
  report.bareFramework = { reads: bareReadsResult, race: bareRaceResult };
} catch (error) {
  keepLogsOfRunning();
  throw error;
} finally {
  for (const c of clusters) await c.stop();
  for (const f of openFleets) f.kill();
}

report.loadAverage.end = load();
report.finishedAt = new Date().toISOString();
report.durationSeconds = Math.round((Date.now() - startedAt.getTime()) / 1000);
writeFileSync(`${HERE}results/${stamp}.json`, `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(`${HERE}results/${stamp}.md`, renderReport(report));
console.log(
  ["", ...targetTable(report), "", ...ceilingTable(report), "", ...checkTable(report), ""].join("\n"),
);
log(`wrote bench/results/${stamp}.md and .json (${report.durationSeconds} s)`);
