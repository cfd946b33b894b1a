// `BENCH_SOAK_MINUTES=N npm run bench`: mixed sale traffic on two instances at half the measured
// capacity for N minutes. First a 20 s calibration: the same mix from 100 closed loops gives the
// capacity in operations per second; then an open-loop schedule at half of it (operations start
// on time whether or not earlier ones have finished, at most MAX_IN_FLIGHT at once; beyond that
// they are counted as shed). Every minute: each server's RSS (/proc), heap and event-loop delay
// (prom-client's nodejs_eventloop_lag_p99_seconds, reset at every scrape, so it covers the
// minute), and the client-side p99 of every request started in that minute. Flat means every
// reading from minute 2 to the end within 10% of minute 2's. At the end the money audit.
//
// The mix (weights per 100 operations): entry (issueQueueToken for a new user, ACTIVE at once,
// every 10th one also opens a queueUpdates subscription held for 30 s) 15, queueStatus poll 20,
// availableSeats 20, seatMap 15, reserve + cancel 20 (a random seat of two busy dates:
// SEAT_UNAVAILABLE and ALREADY_RESERVED are answers, not errors), checkout (charge + reserve
// + pay a seat of its own, by a recent entrant) 10.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { productionOverrides } from "../tests/helpers/test-env.js";
import { startCluster, type Cluster, type ServerProcess } from "../tests/helpers/server-processes.js";
import {
  addDates,
  countsSince,
  gql,
  load,
  machine,
  onAbort,
  rssOf,
  scrape,
  seedUsers,
  sleep,
  sumCounts,
  summarize,
  type Summary,
  withDb,
} from "./lib.js";
import { FsyncProbe, type FsyncFigures } from "./disk.js";
import { cpuShares, cpuTimes, tcpCounters, type CpuTimes, type TcpCounters } from "./kernel.js";
import { QueueWatcher } from "./queue-watcher.js";
import { keepServerLogs, renderServerLogs, type ServerLogs } from "./server-logs.js";
import { renderStatements, StatementLog, type StatementShape } from "./statement-log.js";
import {
  admit,
  auditExact,
  CANCEL,
  checkoutOnce,
  moneyAudit,
  RESERVE,
  SEATS,
  type MoneyAudit,
} from "./seats.js";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const REDIS_URL = process.env["TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379";
const MAX_IN_FLIGHT = 1000;
const CALIBRATION_SECONDS = 20;
const WEIGHTS = {
  entry: 15,
  poll: 20,
  availableSeats: 20,
  seatMap: 15,
  reserveCancel: 20,
  checkout: 10,
} as const;
type Kind = keyof typeof WEIGHTS;
const KINDS: Kind[] = (Object.keys(WEIGHTS) as Kind[]).flatMap((k) => Array<Kind>(WEIGHTS[k]).fill(k));
const ISSUE = `mutation ($u: ID!, $k: String!, $c: ID!) {
  issueQueueToken(userId: $u, accessKey: $k, concertId: $c) { token status } }`;
const POLL = "{ queueStatus { status position } }";
const SEAT_MAP = `query ($d: ID!) { seatMap(concertDateId: $d) { number status } }`;
const ANSWERS = new Set(["SEAT_UNAVAILABLE", "ALREADY_RESERVED"]);

interface Minute {
  minute: number;
  operations: number;
  requests: number;
  rps: number;
  latencyMs: Summary;
  errors: Record<string, number>;
  shed: number;
  servers: {
    rssMiB: number;
    heapMiB: number;
    eventLoopP99Ms: number;
    eventLoopMeanMs: number;
    eventLoopMaxMs: number;
    /** The server's seat map counters since it started. */
    seatMaps: SeatMapTotals;
    /** Statements that waited for a free MySQL connection since it started (db_pool_waits_total). */
    poolWaits: number;
    /** Its GraphQL operations since it started, and those over 50, 100 and 250 ms (its histogram). */
    operationTimes: SlowCounts;
    /** The same for its HTTP requests, timed from the endpoint's first middleware. */
    httpTimes: SlowCounts;
    /** Its garbage collector's pauses since it started (nodejs_gc_duration_seconds). */
    gc: GcPauses;
  }[];
  rssMiB: number;
  heapMiB: number;
  eventLoopP99Ms: number;
  /** The longest single event-loop delay of either server in the minute. */
  eventLoopMaxMs: number;
  /**
   * The load generator itself (this process, on the same two cores): its event-loop delay p99
   * and CPU share in the minute. A high delay here means the latencies include the client's
   * own wait, not only the servers'.
   */
  clientEventLoopP99Ms: number;
  /** The longest single delay of the load generator's loop in the minute (a GC pause, say). */
  clientEventLoopMaxMs: number;
  clientCpuPercent: number;
  /**
   * MariaDB in the minute: pages InnoDB had to read from disk (Innodb_buffer_pool_reads: the
   * working set no longer fits the buffer pool) and the soak database's size at its end.
   */
  db: { diskReads: number; sizeMiB: number };
  /**
   * The disk in the minute: the probe's 4 KiB write + fdatasync every 100 ms (bench/disk.ts),
   * MariaDB's own fsyncs (Innodb_data_fsyncs) and, at the minute's end, InnoDB's history list
   * (undo records purge has not removed yet: a long one slows every read of changed rows).
   * Soaks before 3 December have none.
   */
  disk?: {
    probe: FsyncFigures;
    mariadbFsyncs: number;
    historyLength: number;
    /** InnoDB's dirty pages at the minute's end and the pages it wrote in the minute (from 4 December evening). */
    dirtyPages?: number;
    pagesFlushed?: number;
  };
  /** Redis in the minute: its CPU seconds (user + system) and commands processed. */
  redis: { cpuSeconds: number; commands: number };
  /** Each operation's p99 in the minute (ms), to tell which one slowed down. */
  p99ByKindMs: Record<string, number>;
  /** Statements of both servers that waited for a free MySQL connection in the minute. */
  poolWaits: number;
  /**
   * The machine's CPU in the minute, percent of both cores (bench/kernel.ts): busy, idle, waiting
   * for the disk, and stolen by the hypervisor. Soaks before 3 December have none.
   */
  cpu?: CpuTimes;
  /**
   * Requests over 50, 100 and 250 ms in the minute, as the bench client timed them (single
   * requests only: a checkout's three are timed as one) and as the servers did, all of them
   * (graphql_operation_duration_seconds: Apollo's request start to its response, so the
   * servers' waits for MySQL and Redis are in it and the sockets and HTTP parsing are not).
   * `http` is the servers' HTTP layer (http_graphql_request_duration_seconds: the endpoint's
   * first middleware to the answer handed to the socket; from 3 December 10:00). More slow
   * requests on the client than in both means time spent in the kernel or the client. Soaks before 3 December have none; T0921 counted the client's checkouts too.
   */
  slow?: { client: SlowCounts; servers: SlowCounts; http?: SlowCounts };
  /** Both servers' garbage-collection pauses in the minute (from 4 December evening). */
  gc?: GcPauses;
  /** The kernel's TCP counters in the minute (bench/kernel.ts): loopback, so all of it is ours. */
  tcp: TcpCounters;
  /**
   * The seat maps in the minute, both servers (their /metrics): seat reads answered from SQL
   * and from memory, and maps read again (dates on their own, whole concerts).
   */
  seatMaps: SeatMapTotals;
}

interface SlowCounts {
  total: number;
  over50Ms: number;
  over100Ms: number;
  over250Ms: number;
}

/**
 * A server's request counts from one of its duration histograms (`name`): graphql_operation_
 * (Apollo's span) or http_graphql_request_ (the HTTP layer's). 0.05, 0.1 and 0.25 are bucket bounds.
 */
function timesOf(m: Map<string, number>, name: string): SlowCounts {
  let total = 0;
  let upTo50 = 0;
  let upTo100 = 0;
  let upTo250 = 0;
  for (const [key, value] of m) {
    if (key.startsWith(`${name}duration_seconds_count`)) total += value;
    else if (key.startsWith(`${name}duration_seconds_bucket{`)) {
      if (key.includes('le="0.05"')) upTo50 += value;
      else if (key.includes('le="0.1"')) upTo100 += value;
      else if (key.includes('le="0.25"')) upTo250 += value;
    }
  }
  return { total, over50Ms: total - upTo50, over100Ms: total - upTo100, over250Ms: total - upTo250 };
}

/**
 * A server's garbage-collection pauses by kind (prom-client's nodejs_gc_duration_seconds, one
 * observation per collection: the time the main thread was stopped in it), and the pauses of any
 * kind over 10 and 100 ms (0.01 and 0.1 are bucket bounds). A pause stops every request in
 * flight on that server, and the MySQL answers that arrive meanwhile keep their connections busy.
 */
interface GcPauses {
  minor: number;
  minorMs: number;
  major: number;
  majorMs: number;
  over10Ms: number;
  over100Ms: number;
}

function gcOf(m: Map<string, number>): GcPauses {
  const name = "nodejs_gc_duration_seconds";
  const pick = (suffix: string, kind: string, le?: string) =>
    [...m]
      .filter(
        ([key]) =>
          key.startsWith(`${name}_${suffix}`) &&
          (kind === "any" || key.includes(`kind="${kind}"`)) &&
          (le === undefined || key.includes(`le="${le}"`)),
      )
      .reduce((sum, [, value]) => sum + value, 0);
  const count = pick("count", "any");
  return {
    minor: pick("count", "minor"),
    minorMs: Math.round(pick("sum", "minor") * 1000),
    major: pick("count", "major"),
    majorMs: Math.round(pick("sum", "major") * 1000),
    over10Ms: count - pick("bucket", "any", "0.01"),
    over100Ms: count - pick("bucket", "any", "0.1"),
  };
}

/** The bench client's requests of the minute over 50, 100 and 250 ms. */
const clientSlow = (latencies: number[]): SlowCounts => ({
  total: latencies.length,
  over50Ms: latencies.filter((ms) => ms > 50).length,
  over100Ms: latencies.filter((ms) => ms > 100).length,
  over250Ms: latencies.filter((ms) => ms > 250).length,
});

interface SeatMapTotals {
  sqlReads: number;
  memoryReads: number;
  dateRereads: number;
  concertRereads: number;
}

interface Flatness {
  series: string;
  minute2: number;
  last: number;
  maxDeviation: number;
  flat: boolean;
}

export interface SoakReport {
  startedAt: string;
  finishedAt: string;
  minutes: number;
  machine: ReturnType<typeof machine>;
  loadAverage: Record<string, number[]>;
  calibration: {
    seconds: number;
    operations: number;
    opsPerSecond: number;
    latencyMs: Summary;
    byKindMs: Record<string, Summary>;
  };
  /** Each operation's time (a checkout is three requests, reserve + cancel two) over the whole soak. */
  byKindMs: Record<string, Summary>;
  firstErrorMessages: Record<string, string>;
  targetOpsPerSecond: number;
  /** innodb_buffer_pool_size in MiB: the soak's database outgrows the Debian default (128). */
  bufferPoolMiB: number;
  perMinute: Minute[];
  flatness: Flatness[];
  subscriptions: { opened: number; failed: number; pushes: number; errors: number };
  checkouts: number;
  audit: MoneyAudit;
  auditExact: boolean;
  unexpectedErrors: Record<string, number>;
  /** Where the servers' full output went, and its error-level lines grouped (server-logs.ts). */
  serverLogs: ServerLogs;
  /** With BENCH_SOAK_SQL_LOG=1: the statements with the largest total time, by minute (statement-log.ts). */
  statements?: StatementShape[];
}

export async function soak(minutes: number, stamp: string, clusters: Cluster[], log: (s: string) => void) {
  // Every statement, timed by MariaDB, when asked for (statement-log.ts): on before the servers
  // connect, and the server's settings put back whatever happens, the watchdog included.
  if (process.env["BENCH_SOAK_SQL_LOG"] !== "1") return runSoak(minutes, stamp, clusters, log);
  const statementLog = new StatementLog();
  await statementLog.start();
  const unhook = onAbort(() => statementLog.restoreSync());
  try {
    return await runSoak(minutes, stamp, clusters, log, statementLog);
  } finally {
    unhook();
    await statementLog.off();
    await statementLog.remove();
  }
}

async function runSoak(
  minutes: number,
  stamp: string,
  clusters: Cluster[],
  log: (s: string) => void,
  statementLog?: StatementLog,
) {
  const startedAt = new Date();
  const loadAverage: Record<string, number[]> = { start: load() };
  log(`soak: two instances, ${minutes} min of mixed traffic at half the measured capacity`);
  const cluster = await startCluster(
    2,
    productionOverrides({
      RATE_LIMIT_ENABLED: "false",
      LOG_LEVEL: "warn",
      DATABASE_POOL_SIZE: "20",
      QUEUE_MAX_ACTIVE: "1000000",
      QUEUE_ADMIT_PER_TICK: "1000",
      QUEUE_TICK_MS: "1000",
      QUEUE_ACTIVE_SECONDS: "900",
      QUEUE_IDLE_SECONDS: "900",
    }),
  );
  clusters.push(cluster);
  const servers = cluster.servers;
  const urls = servers.map((s) => s.url);
  const concertId = (await gql<{ concerts: { id: string }[] }>(urls[0]!, "{ concerts { id } }")).data!
    .concerts[0]!.id;

  // Calibration users and seats: generous for 20 s at any rate this machine reaches (2,000
  // operations/s sell 4,000 seats in 20 s; 60 dates ran out in the 16:12 soak).
  let users = await seedUsers(cluster.env.databaseUrl, 12_000);
  const starters = await admit(servers, concertId, users.splice(0, 500));
  const dateIds = (
    await gql<{ availableDates: { id: string }[] }>(
      urls[0]!,
      "query ($c: ID!) { availableDates(concertId: $c) { id } }",
      { c: concertId },
      starters[0]!.token,
    )
  ).data!.availableDates.map((d) => d.id);
  // 150 dates: 2,000 operations/s sell about 4,000 seats in 20 s (60 dates ran out in T1612).
  let seats = (await addDates(cluster.env.databaseUrl, concertId, 150)).flatMap((d) =>
    Array.from({ length: 50 }, (_, i) => ({ dateId: d, seat: i + 1 })),
  );

  // Shared state of the traffic.
  // Entrants' tokens: most go to `recent` (polls, seat reads, reserve + cancel), the rest wait in
  // `buyers` for one checkout each (paying ends a ticket, so a buyer's token is used by nobody
  // else). Tokens older than 5 minutes are dropped (ACTIVE for 15).
  const recent = starters.slice(0, 250).map((s) => ({ token: s.token, url: s.url, at: Date.now() }));
  const buyers = starters.slice(250).map((s) => ({ token: s.token, url: s.url }));
  let latencies: number[] = [];
  /** This minute's single requests (a checkout's three are one entry of `latencies`). */
  let singleRequests: number[] = [];
  let requests = 0;
  let operations = 0;
  let errors: Record<string, number> = {};
  const unexpected: Record<string, number> = {};
  let expectedAmount = 0;
  let checkouts = 0;
  let noUser = 0;
  const subs = { opened: 0, failed: 0, pushes: 0, errors: 0 };
  const openWatchers = new Set<QueueWatcher>();
  let entryCount = 0;
  const firstMessage: Record<string, string> = {};
  const fail = (code: string, message?: string) => {
    errors[code] = (errors[code] ?? 0) + 1;
    unexpected[code] = (unexpected[code] ?? 0) + 1;
    if (message) firstMessage[code] ??= message.slice(0, 200);
  };
  let byKind: Record<string, number[]> = {};
  let minuteByKind: Record<string, number[]> = {};
  const timed = async (url: string, q: string, v: Record<string, unknown>, token?: string) => {
    const r = await gql<Record<string, unknown>>(url, q, v, token);
    latencies.push(r.ms);
    singleRequests.push(r.ms);
    requests++;
    return r;
  };
  const pick = () => recent[Math.floor(Math.random() * recent.length)]!;
  const run = async (kind: Kind, n: number): Promise<void> => {
    const t0 = performance.now();
    await runOne(kind, n);
    const ms = performance.now() - t0;
    (byKind[kind] ??= []).push(ms);
    (minuteByKind[kind] ??= []).push(ms);
  };
  const runOne = async (kind: Kind, n: number): Promise<void> => {
    const url = urls[n % urls.length]!;
    operations++;
    if (kind === "entry") {
      const u = users.pop();
      if (!u) return void noUser++;
      const r = await timed(url, ISSUE, { u: u.userId, k: u.accessKey, c: concertId });
      if (r.code) return fail(`entry:${r.code}`, r.errors?.[0]?.message);
      const token = (r.data!["issueQueueToken"] as { token: string }).token;
      if (buyers.length < 200) buyers.push({ token, url });
      else recent.push({ token, url, at: Date.now() });
      while (recent.length > 2000 || (recent.length > 50 && recent[0]!.at < Date.now() - 300_000))
        recent.shift();
      if (entryCount++ % 10 === 0) {
        const w = new QueueWatcher(() => subs.pushes++);
        openWatchers.add(w);
        try {
          await w.open(`${url.replace(/^http/, "ws")}/graphql`, token, 30_000);
          subs.opened++;
          subs.pushes++;
          setTimeout(() => {
            if (w.error) subs.errors++;
            w.close();
            openWatchers.delete(w);
          }, 30_000).unref();
        } catch {
          subs.failed++;
          w.close();
          openWatchers.delete(w);
        }
      }
    } else if (kind === "poll") {
      const s = pick();
      const r = await timed(s.url, POLL, {}, s.token);
      if (r.code) fail(`poll:${r.code}`, r.errors?.[0]?.message);
    } else if (kind === "availableSeats" || kind === "seatMap") {
      const s = pick();
      const r = await timed(s.url, kind === "seatMap" ? SEAT_MAP : SEATS, { d: dateIds[n % 2]! }, s.token);
      if (r.code) fail(`${kind}:${r.code}`, r.errors?.[0]?.message);
    } else if (kind === "reserveCancel") {
      const s = pick();
      const r = await timed(
        s.url,
        RESERVE,
        { d: dateIds[n % 2]!, n: 1 + Math.floor(Math.random() * 50) },
        s.token,
      );
      if (r.code) {
        if (!ANSWERS.has(r.code)) fail(`reserve:${r.code}`, r.errors?.[0]?.message);
        else errors[r.code] = (errors[r.code] ?? 0) + 1;
        return;
      }
      const x = await timed(s.url, CANCEL, { id: (r.data!["reserveSeat"] as { id: string }).id }, s.token);
      if (x.code) fail(`cancel:${x.code}`, x.errors?.[0]?.message);
    } else {
      // A recent entrant buys once (paying ends the ticket), a seat nobody else is given.
      const s = buyers.shift();
      const seat = seats.pop();
      if (!s || !seat) {
        if (s) buyers.unshift(s);
        return void noUser++;
      }
      const t0 = performance.now();
      const r = await checkoutOnce({ userId: "", token: s.token, url: s.url }, seat.dateId, seat.seat);
      latencies.push(performance.now() - t0);
      requests += 3;
      if (r.code) return fail(`checkout:${r.code}`, r.message);
      expectedAmount += r.amount!;
      checkouts++;
    }
  };

  // Calibration: closed loops, as fast as the two instances answer.
  log(`calibration: the mix from 100 closed loops for ${CALIBRATION_SECONDS} s`);
  const calStart = performance.now();
  const calEnd = calStart + CALIBRATION_SECONDS * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: 100 }, async () => {
      while (performance.now() < calEnd) {
        const i = n++;
        await run(KINDS[i % KINDS.length]!, i);
      }
    }),
  );
  const calSeconds = (performance.now() - calStart) / 1000;
  const calibration = {
    seconds: Math.round(calSeconds * 10) / 10,
    operations,
    opsPerSecond: Math.round((operations / calSeconds) * 10) / 10,
    latencyMs: summarize(latencies),
    byKindMs: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, summarize(v)])),
  };
  byKind = {};
  const rate = Math.max(1, calibration.opsPerSecond / 2);
  log(`  capacity ${calibration.opsPerSecond} operations/s; soak at ${rate.toFixed(1)}/s`);

  // Users and seats for the soak itself.
  const soakSeconds = minutes * 60;
  const entriesNeeded = Math.ceil(rate * (WEIGHTS.entry / 100) * soakSeconds * 1.2) + 100;
  const seatsNeeded = Math.ceil(rate * (WEIGHTS.checkout / 100) * soakSeconds * 1.2) + 100;
  users = [
    ...users,
    ...(await seedUsers(cluster.env.databaseUrl, Math.max(0, entriesNeeded - users.length))),
  ];
  const extraDates = Math.max(0, Math.ceil((seatsNeeded - seats.length) / 50));
  seats = [
    ...seats,
    ...(await addDates(cluster.env.databaseUrl, concertId, extraDates)).flatMap((d) =>
      Array.from({ length: 50 }, (_, i) => ({ dateId: d, seat: i + 1 })),
    ),
  ];
  await Promise.all(servers.map((s) => scrape(s.url))); // resets the event-loop histograms
  loadAverage["soakStart"] = load();

  // The soak: open loop at `rate`, sampled every minute.
  const perMinute: Minute[] = [];
  let inFlight = 0;
  let shed = 0;
  const running = new Set<Promise<void>>();
  latencies = [];
  singleRequests = [];
  requests = 0;
  operations = 0;
  errors = {};
  const soakStart = performance.now();
  statementLog?.markSoakStart();
  let diskReads = await dbReading(cluster.env.databaseUrl);
  const bufferPool = await bufferPoolMiB(cluster.env.databaseUrl);
  const redisInfo = new Redis(REDIS_URL);
  let redisBefore = await redisReading(redisInfo);
  minuteByKind = {};
  const clientLag = monitorEventLoopDelay({ resolution: 10 });
  clientLag.enable();
  let clientCpu = process.cpuUsage();
  let clientCpuAt = performance.now();
  let started = 0;
  let nextSample = soakStart + 60_000;
  let seatTotals: SeatMapTotals = { sqlReads: 0, memoryReads: 0, dateRereads: 0, concertRereads: 0 };
  const scrapedAtStart = await Promise.all(servers.map((s) => scrape(s.url)));
  let poolWaitsBefore = scrapedAtStart.reduce((n, m) => n + (m.get("db_pool_waits_total") ?? 0), 0);
  let serverSlowBefore = sumCounts(scrapedAtStart.map((m) => timesOf(m, "graphql_operation_")));
  let httpSlowBefore = sumCounts(scrapedAtStart.map((m) => timesOf(m, "http_graphql_request_")));
  let gcBefore = sumCounts(scrapedAtStart.map(gcOf));
  let tcpBefore = tcpCounters();
  let cpuBefore = cpuTimes();
  const fsyncProbe = new FsyncProbe();
  await fsyncProbe.start();
  log(`soak: ${minutes} min at ${rate.toFixed(1)} operations/s`);
  while (perMinute.length < minutes) {
    const due = Math.floor(((performance.now() - soakStart) / 1000) * rate);
    for (; started < due; started++) {
      if (inFlight >= MAX_IN_FLIGHT) {
        shed++;
        continue;
      }
      inFlight++;
      const p = run(KINDS[started % KINDS.length]!, started)
        .catch((e: unknown) => fail("exception", String(e)))
        .finally(() => {
          inFlight--;
          running.delete(p);
        });
      running.add(p);
    }
    if (performance.now() >= nextSample) {
      const sampled = await sample(servers, perMinute.length + 1, {
        latencies,
        requests,
        operations,
        errors,
        shed,
      });
      const cpu = process.cpuUsage(clientCpu);
      const wallMs = performance.now() - clientCpuAt;
      const db = await dbReading(cluster.env.databaseUrl);
      const redisNow = await redisReading(redisInfo);
      const totals = sumCounts(sampled.servers.map((x) => x.seatMaps));
      const seatMaps = countsSince(seatTotals, totals);
      seatTotals = totals;
      const poolWaits = sampled.servers.reduce((n, x) => n + x.poolWaits, 0);
      const tcpNow = tcpCounters();
      const cpuNow = cpuTimes();
      const serverSlow = sumCounts(sampled.servers.map((x) => x.operationTimes));
      const httpSlow = sumCounts(sampled.servers.map((x) => x.httpTimes));
      const gcNow = sumCounts(sampled.servers.map((x) => x.gc));
      const m: Minute = {
        ...sampled,
        seatMaps,
        poolWaits: poolWaits - poolWaitsBefore,
        tcp: countsSince(tcpBefore, tcpNow),
        cpu: cpuShares(cpuBefore, cpuNow),
        slow: {
          client: clientSlow(singleRequests),
          servers: countsSince(serverSlowBefore, serverSlow),
          http: countsSince(httpSlowBefore, httpSlow),
        },
        gc: countsSince(gcBefore, gcNow),
        db: { diskReads: db.diskReads - diskReads.diskReads, sizeMiB: db.sizeMiB },
        disk: {
          probe: fsyncProbe.take(),
          mariadbFsyncs: db.fsyncs - diskReads.fsyncs,
          historyLength: db.historyLength,
          dirtyPages: db.dirtyPages,
          pagesFlushed: db.pagesFlushed - diskReads.pagesFlushed,
        },
        redis: {
          cpuSeconds: Math.round((redisNow.cpuSeconds - redisBefore.cpuSeconds) * 10) / 10,
          commands: redisNow.commands - redisBefore.commands,
        },
        p99ByKindMs: Object.fromEntries(Object.entries(minuteByKind).map(([k, v]) => [k, summarize(v).p99])),
        clientEventLoopP99Ms: Math.round(clientLag.percentile(99) / 1e5) / 10,
        clientEventLoopMaxMs: Math.round(clientLag.max / 1e5) / 10,
        clientCpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
      };
      diskReads = db;
      redisBefore = redisNow;
      poolWaitsBefore = poolWaits;
      tcpBefore = tcpNow;
      cpuBefore = cpuNow;
      serverSlowBefore = serverSlow;
      httpSlowBefore = httpSlow;
      gcBefore = gcNow;
      minuteByKind = {};
      clientLag.reset();
      clientCpu = process.cpuUsage();
      clientCpuAt = performance.now();
      perMinute.push(m);
      log(
        `  minute ${m.minute}: ${m.rps} req/s, p99 ${m.latencyMs.p99} ms, RSS ${m.rssMiB} MiB, heap ${m.heapMiB} MiB, event loop p99 ${m.eventLoopP99Ms} ms max ${m.eventLoopMaxMs} ms (bench client ${m.clientEventLoopP99Ms} ms, max ${m.clientEventLoopMaxMs} ms, CPU ${m.clientCpuPercent}%), MariaDB ${m.db.diskReads} pages from disk, database ${m.db.sizeMiB} MiB, Redis ${m.redis.cpuSeconds} CPU s, p99 by operation ${JSON.stringify(m.p99ByKindMs)}, pool waits ${m.poolWaits}, disk ${JSON.stringify(m.disk)}, CPU ${JSON.stringify(m.cpu)}, slow ${JSON.stringify(m.slow)}, GC ${JSON.stringify(m.gc)}, TCP ${JSON.stringify(m.tcp)}, shed ${m.shed}, errors ${JSON.stringify(m.errors)}`,
      );
      latencies = [];
      singleRequests = [];
      requests = 0;
      operations = 0;
      errors = {};
      shed = 0;
      nextSample += 60_000;
    }
    await sleep(10);
  }
  redisInfo.disconnect();
  await fsyncProbe.stop();
  await statementLog?.off();
  const statements = await statementLog?.read(new URL(cluster.env.databaseUrl).pathname.slice(1), minutes);
  log("soak: waiting for operations in flight");
  await Promise.race([Promise.all(running), sleep(60_000)]);
  for (const w of openWatchers) w.close();
  const audit = await moneyAudit(cluster.env.databaseUrl, expectedAmount);
  loadAverage["end"] = load();
  await cluster.stop();
  clusters.pop();
  const serverLogs = keepServerLogs(servers, stamp, "soak");

  const flatness = (["rssMiB", "heapMiB", "eventLoopP99Ms"] as const)
    .map((k) =>
      flat(
        k,
        perMinute.map((m) => m[k]),
      ),
    )
    .concat([
      flat(
        "p99Ms",
        perMinute.map((m) => m.latencyMs.p99),
      ),
    ]);
  const report: SoakReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    minutes,
    machine: machine(),
    loadAverage,
    calibration,
    targetOpsPerSecond: Math.round(rate * 10) / 10,
    bufferPoolMiB: bufferPool,
    perMinute,
    flatness,
    byKindMs: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, summarize(v)])),
    firstErrorMessages: firstMessage,
    subscriptions: subs,
    checkouts,
    audit,
    auditExact: auditExact(audit),
    unexpectedErrors: { ...unexpected, ...(noUser ? { NO_USER_OR_SEAT_LEFT: noUser } : {}) },
    serverLogs,
    statements,
  };
  const md = renderSoak(report);
  writeFileSync(`${HERE}results/${stamp}-soak.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${HERE}results/${stamp}-soak.md`, md);
  console.log(`\n${md}`);
  log(`wrote bench/results/${stamp}-soak.md and .json`);
}

async function sample(
  servers: ServerProcess[],
  minute: number,
  c: {
    latencies: number[];
    requests: number;
    operations: number;
    errors: Record<string, number>;
    shed: number;
  },
): Promise<
  Omit<
    Minute,
    | "clientEventLoopP99Ms"
    | "clientEventLoopMaxMs"
    | "clientCpuPercent"
    | "db"
    | "redis"
    | "p99ByKindMs"
    | "seatMaps"
    | "poolWaits"
    | "tcp"
  >
> {
  const per = await Promise.all(
    servers.map(async (s) => {
      const m = await scrape(s.url);
      return {
        rssMiB: mib(rssOf(s.child.pid!)),
        heapMiB: mib(m.get("nodejs_heap_size_used_bytes") ?? 0),
        eventLoopP99Ms: Math.round((m.get("nodejs_eventloop_lag_p99_seconds") ?? 0) * 10_000) / 10,
        eventLoopMaxMs: Math.round((m.get("nodejs_eventloop_lag_max_seconds") ?? 0) * 10_000) / 10,
        eventLoopMeanMs: Math.round((m.get("nodejs_eventloop_lag_mean_seconds") ?? 0) * 10_000) / 10,
        seatMaps: {
          sqlReads: m.get('seat_reads_total{source="sql"}') ?? 0,
          memoryReads: m.get('seat_reads_total{source="memory"}') ?? 0,
          dateRereads: m.get('seat_map_rereads_total{scope="dates"}') ?? 0,
          concertRereads: m.get('seat_map_rereads_total{scope="concert"}') ?? 0,
        },
        poolWaits: m.get("db_pool_waits_total") ?? 0,
        operationTimes: timesOf(m, "graphql_operation_"),
        httpTimes: timesOf(m, "http_graphql_request_"),
        gc: gcOf(m),
      };
    }),
  );
  return {
    minute,
    operations: c.operations,
    requests: c.requests,
    rps: Math.round((c.requests / 60) * 10) / 10,
    latencyMs: summarize(c.latencies),
    errors: { ...c.errors },
    shed: c.shed,
    servers: per,
    rssMiB: Math.round(per.reduce((s, x) => s + x.rssMiB, 0) * 10) / 10,
    heapMiB: Math.round(per.reduce((s, x) => s + x.heapMiB, 0) * 10) / 10,
    eventLoopP99Ms: Math.max(...per.map((x) => x.eventLoopP99Ms)),
    eventLoopMaxMs: Math.max(...per.map((x) => x.eventLoopMaxMs)),
  };
}

interface DbReading {
  diskReads: number;
  sizeMiB: number;
  fsyncs: number;
  historyLength: number;
  /** Pages of the buffer pool changed and not yet written to the data files, now. */
  dirtyPages: number;
  /** Pages InnoDB has written to its data files so far. */
  pagesFlushed: number;
}

/** InnoDB's disk reads, fsyncs and page writes so far (server-wide), its history list, and this database's size. */
async function dbReading(databaseUrl: string): Promise<DbReading> {
  return withDb(databaseUrl, async (c) => {
    const status = new Map(
      (
        await c.query<{ Variable_name: string; Value: string }[]>(
          `SHOW GLOBAL STATUS WHERE Variable_name IN
           ('Innodb_buffer_pool_reads', 'Innodb_data_fsyncs', 'Innodb_history_list_length',
            'Innodb_buffer_pool_pages_dirty', 'Innodb_buffer_pool_pages_flushed')`,
        )
      ).map((r) => [r.Variable_name, Number(r.Value)]),
    );
    const [size] = await c.query<{ bytes: number | null }[]>(
      "SELECT SUM(data_length + index_length) AS bytes FROM information_schema.tables WHERE table_schema = DATABASE()",
    );
    return {
      diskReads: status.get("Innodb_buffer_pool_reads") ?? NaN,
      sizeMiB: mib(Number(size!.bytes ?? 0)),
      fsyncs: status.get("Innodb_data_fsyncs") ?? NaN,
      historyLength: status.get("Innodb_history_list_length") ?? NaN,
      dirtyPages: status.get("Innodb_buffer_pool_pages_dirty") ?? NaN,
      pagesFlushed: status.get("Innodb_buffer_pool_pages_flushed") ?? NaN,
    };
  });
}

/** Redis's CPU time so far (user + system, seconds) and its commands processed. */
async function redisReading(redis: Redis): Promise<{ cpuSeconds: number; commands: number }> {
  const info = await redis.info();
  const field = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, "m").exec(info)?.[1] ?? NaN);
  return {
    cpuSeconds: field("used_cpu_user") + field("used_cpu_sys"),
    commands: field("total_commands_processed"),
  };
}

/** The buffer pool MariaDB was given, in MiB (the Debian default is 128). */
async function bufferPoolMiB(databaseUrl: string): Promise<number> {
  return withDb(databaseUrl, async (c) => {
    const [row] = await c.query<{ bytes: number }[]>("SELECT @@innodb_buffer_pool_size AS bytes");
    return mib(Number(row!.bytes));
  });
}

/** Every reading from minute 2 on within 10% of minute 2's (minute 1 is warm-up). */
function flat(series: string, values: number[]): Flatness {
  const from = values.slice(1);
  const base = from[0] ?? 0;
  const maxDeviation = from.reduce((m, v) => Math.max(m, base ? Math.abs(v - base) / base : 0), 0);
  return {
    series,
    minute2: base,
    last: from.at(-1) ?? 0,
    maxDeviation: Math.round(maxDeviation * 1000) / 1000,
    flat: from.length > 0 && maxDeviation <= 0.1,
  };
}

/** The disk's cells of a minute; soaks from before the probe have none. */
function diskCells(x: Minute): string {
  if (!x.disk) return "— | — | — | —";
  const p = x.disk.probe;
  const pages = x.disk.dirtyPages === undefined ? "—" : `${x.disk.dirtyPages}, ${x.disk.pagesFlushed}`;
  return `${p.p50Ms} / ${p.p99Ms} / ${p.maxMs} | ${x.disk.mariadbFsyncs} | ${pages} | ${x.disk.historyLength}`;
}

function renderSoak(r: SoakReport): string {
  const m = r.machine;
  return [
    `# Soak ${r.startedAt}`,
    "",
    `Machine: ${m.nproc} × ${m.cpuModel}, Node ${m.node}. Two instances, ${r.minutes} min. Load average: ${Object.entries(
      r.loadAverage,
    )
      .map(([k, v]) => `${k} ${v.join(" ")}`)
      .join("; ")}.`,
    "",
    `Calibration (100 closed loops, ${r.calibration.seconds} s): ${r.calibration.opsPerSecond} operations/s, p99 ${r.calibration.latencyMs.p99} ms. Soak at ${r.targetOpsPerSecond} operations/s (half).`,
    "",
    `MariaDB's InnoDB buffer pool: ${r.bufferPoolMiB} MiB.`,
    "",
    "| Minute | Requests/s | p50 / p99 ms | RSS MiB (both) | Heap MiB (both) | Event loop p99 / max ms (worst) | Bench client: event loop p99 / max ms, CPU | MariaDB: pages read from disk, database MiB | Redis: CPU s, commands | Seat reads from SQL / memory; maps read again (dates, concerts) | Shed | Answers and errors |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...r.perMinute.map(
      (x) =>
        `| ${x.minute} | ${x.rps} | ${x.latencyMs.p50} / ${x.latencyMs.p99} | ${x.rssMiB} | ${x.heapMiB} | ${x.eventLoopP99Ms} / ${x.eventLoopMaxMs} | ${x.clientEventLoopP99Ms} / ${x.clientEventLoopMaxMs}, ${x.clientCpuPercent}% | ${x.db.diskReads}, ${x.db.sizeMiB} | ${x.redis.cpuSeconds}, ${x.redis.commands} | ${x.seatMaps.sqlReads} / ${x.seatMaps.memoryReads}; ${x.seatMaps.dateRereads}, ${x.seatMaps.concertRereads} | ${x.shed} | ${Object.keys(x.errors).length ? JSON.stringify(x.errors) : "none"} |`,
    ),
    "",
    "MySQL pool waits (both servers: statements that found every connection busy), the disk (a 4 KiB write + fdatasync every 100 ms, bench/disk.ts; MariaDB's own fsyncs; InnoDB's dirty pages at the minute's end and the pages it wrote to its data files in the minute; its history list at the minute's end), the machine's CPU (both cores: busy, waiting for the disk, stolen by the hypervisor) and the kernel's TCP counters (bench/kernel.ts) by minute:",
    "",
    "| Minute | p99 ms | Pool waits | Disk probe flush p50 / p99 / max ms | MariaDB fsyncs | InnoDB dirty pages, pages written | History list | CPU busy / iowait / steal % | Retransmitted | RTO timeouts | Loss probes | Zero windows | Listen drops |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...r.perMinute.map(
      (x) =>
        `| ${x.minute} | ${x.latencyMs.p99} | ${x.poolWaits} | ${diskCells(x)} | ${x.cpu ? `${x.cpu.busy} / ${x.cpu.iowait} / ${x.cpu.steal}` : "—"} | ${x.tcp.retransmitted} | ${x.tcp.timeouts} | ${x.tcp.lossProbes} | ${x.tcp.zeroWindows} | ${x.tcp.listenDrops} |`,
    ),
    "",
    "Requests over 50, 100 and 250 ms by minute, as the bench client timed them (single requests: a checkout's three are not among them) and as the servers' HTTP layer did (from the endpoint's first middleware to the answer handed to the socket) and as their GraphQL histogram did (all of them; Apollo's request start to its response: the servers' waits for MySQL and Redis are in it, their sockets and HTTP parsing are not), with the servers' garbage-collection pauses (prom-client's nodejs_gc_duration_seconds: each stops every request in flight on its server):",
    "",
    "| Minute | p99 ms | Client: requests, over 50, 100, 250 ms | Servers' HTTP layer: requests, over 50, 100, 250 ms | Servers' Apollo: operations, over 50, 100, 250 ms | Servers' GC: minor pauses, ms; major pauses, ms; pauses over 10, 100 ms |",
    "| --- | --- | --- | --- | --- | --- |",
    ...r.perMinute.map((x) => {
      const cells = (c: SlowCounts | undefined) =>
        c ? `${c.total}, ${c.over50Ms}, ${c.over100Ms}, ${c.over250Ms}` : "—";
      const gc = x.gc
        ? `${x.gc.minor}, ${x.gc.minorMs}; ${x.gc.major}, ${x.gc.majorMs}; ${x.gc.over10Ms}, ${x.gc.over100Ms}`
        : "—";
      return `| ${x.minute} | ${x.latencyMs.p99} | ${cells(x.slow?.client)} | ${cells(x.slow?.http)} | ${cells(x.slow?.servers)} | ${gc} |`;
    }),
    "",
    "p99 of each operation by minute (ms):",
    "",
    `| Minute | ${Object.keys(r.byKindMs).join(" | ")} |`,
    `| --- | ${Object.keys(r.byKindMs)
      .map(() => "---")
      .join(" | ")} |`,
    ...r.perMinute.map(
      (x) =>
        `| ${x.minute} | ${Object.keys(r.byKindMs)
          .map((k) => x.p99ByKindMs[k] ?? "—")
          .join(" | ")} |`,
    ),
    "",
    "| Operation | Count | p50 / p95 / p99 / max ms (whole soak) | Calibration p50 / p99 ms |",
    "| --- | --- | --- | --- |",
    ...Object.entries(r.byKindMs).map(
      ([k, v]) =>
        `| ${k} | ${v.count} | ${v.p50} / ${v.p95} / ${v.p99} / ${v.max} | ${r.calibration.byKindMs[k]?.p50 ?? "—"} / ${r.calibration.byKindMs[k]?.p99 ?? "—"} |`,
    ),
    "",
    ...renderStatements(r.statements, r.minutes),
    "| Series | Minute 2 | Last | Largest deviation from minute 2 | Flat (≤ 10%) |",
    "| --- | --- | --- | --- | --- |",
    ...r.flatness.map(
      (f) =>
        `| ${f.series} | ${f.minute2} | ${f.last} | ${(f.maxDeviation * 100).toFixed(1)}% | ${f.flat ? "yes" : "**no**"} |`,
    ),
    "",
    `Subscriptions: ${r.subscriptions.opened} opened (${r.subscriptions.failed} failed), ${r.subscriptions.pushes} pushes, ${r.subscriptions.errors} with errors. Checkouts: ${r.checkouts}.`,
    "",
    `Money audit: ${JSON.stringify(r.audit)} — ${r.auditExact ? "exact, nothing lost" : "**NOT EXACT**"}.`,
    "",
    `Unexpected errors: ${Object.keys(r.unexpectedErrors).length ? `**${JSON.stringify(r.unexpectedErrors)}** (first messages: ${JSON.stringify(r.firstErrorMessages)})` : "none"}.`,
    "",
    ...renderServerLogs(r.serverLogs),
    "",
  ].join("\n");
}

const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
