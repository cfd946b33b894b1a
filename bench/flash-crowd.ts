// Flash crowd on ONE instance: N users (signed up beforehand) all call issueQueueToken as fast as
// the machine allows; then N WebSocket subscribers (a fleet of child processes, bench/watchers.ts)
// watch their place while admission runs for a bounded window. Admission is driven the way a
// sale runs: each admitted user finishes (here: leaveQueue) and frees a slot that the next tick
// refills. The tick times come from the queue's own admission log in Redis (one entry
// "<at>:<admitted>" per tick that admitted), so every push is matched to the tick that caused it
// and timed from it (bench/pushes.ts).
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import type { ServerProcess } from "../tests/helpers/server-processes.js";
import { cannon, type LoadResult } from "./baselines.js";
import {
  collectGarbage,
  gql,
  rssOf,
  scrape,
  sleep,
  summarize,
  type SeededUser,
  type Summary,
} from "./lib.js";
import { FRONT, type Tick } from "./pushes.js";
import { WatcherFleet } from "./watchers.js";

const ISSUE = `mutation ($u: ID!, $k: String!, $c: ID!) {
  issueQueueToken(userId: $u, accessKey: $k, concertId: $c) { token status position } }`;
const LEAVE = "mutation { leaveQueue { status } }";

export interface Ticket {
  token: string;
  status: string;
  position: number | null;
}

export interface FlashCrowdResult {
  entry: LoadResult & {
    active: number;
    waiting: number;
    distinctPositions: number;
    positionsGapFree: boolean;
  };
  subscribers: {
    wanted: number;
    opened: number;
    failed: number;
    /** Not started within the opening time limit. */
    notTried: number;
    firstError: string | null;
    processes: number;
    openSeconds: number;
  };
  memory: {
    rssBeforeMiB: number;
    rssAfterMiB: number;
    heapBeforeMiB: number;
    heapAfterMiB: number;
    rssPerSubKB: number;
    heapPerSubKB: number;
    /** Both readings taken right after a full GC (server started with --inspect). */
    afterFullGc: boolean;
  };
  admission: {
    windowSeconds: number;
    drainSeconds: number;
    admitted: number;
    ticks: number;
    admittedPerSecond: number;
    leaves: number;
    leaveErrors: number;
  };
  pushes: {
    subscribers: number;
    received: number;
    latencyMs: Summary;
    withinOneSecond: number;
    /** Pushes to subscribers in the first FRONT places at their tick. */
    front: number;
    frontLatencyMs: Summary;
    frontMissed: number;
    /** Per subscriber, the longest time its position was out of date (bench/pushes.ts). */
    maxGapMs: Summary;
    gapsOver5s: number;
    lost: number;
    outOfOrder: number;
    coalesced: number;
    repeated: number;
    unexplained: number;
    active: number;
    subscriberErrors: number;
    serverHistogramWithin1s: number | null;
    /**
     * How late the subscriber processes' event loops ran during the window (100 ms timer drift):
     * a push arriving while a process is behind is stamped late by as much.
     */
    clientLoopLagMs: Summary;
  };
}

export interface FlashCrowdOptions {
  /** Seconds admission runs once every subscriber is open. */
  windowSeconds: number;
  /** No subscription is started after this many seconds (a busy machine opens them slowly). */
  openSeconds: number;
  /**
   * Entries into ANOTHER concert's queue, sent the same way right before the burst, so that the
   * burst runs on a warmed-up server as the trivial baseline does (which has its own warm-up).
   * They touch neither the burst's queue nor its checks.
   */
  warmUp?: { concertId: string; users: SeededUser[] };
  /** Called after the entry burst, before the subscribers open (baselines, seat reads). */
  afterEntry: (tickets: Ticket[]) => Promise<void>;
}

const issueBody = (u: SeededUser, concertId: string) =>
  JSON.stringify({ query: ISSUE, variables: { u: u.userId, k: u.accessKey, c: concertId } });

export async function flashCrowd(
  server: ServerProcess,
  redisUrl: string,
  prefix: string,
  concertId: string,
  users: SeededUser[],
  log: (line: string) => void,
  options: FlashCrowdOptions,
): Promise<FlashCrowdResult> {
  const n = users.length;
  const tickets: (Ticket | undefined)[] = new Array(n);

  if (options.warmUp) {
    const { concertId: other, users: warm } = options.warmUp;
    log(`warm-up: ${warm.length} issueQueueToken calls for another concert`);
    await cannon({
      url: server.url,
      connections: 100,
      amount: warm.length,
      body: (i) => issueBody(warm[i]!, other),
    });
  }
  log(`flash crowd: ${n} issueQueueToken calls, 100 in flight`);
  const bodies = users.map((u) => issueBody(u, concertId));
  const entry = await cannon({
    url: server.url,
    connections: 100,
    amount: n,
    body: (i) => bodies[i]!,
    onData: (i, data) => {
      tickets[i] = (data as { issueQueueToken: Ticket }).issueQueueToken;
    },
  });
  bodies.length = 0;
  const issued = tickets.filter((t): t is Ticket => t !== undefined);
  const positions = issued.filter((t) => t.status === "WAITING").map((t) => t.position ?? 0);
  const distinct = new Set(positions);
  let maxPosition = 0;
  for (const p of positions) maxPosition = Math.max(maxPosition, p);
  const entryResult = {
    ...entry,
    active: issued.filter((t) => t.status === "ACTIVE").length,
    waiting: positions.length,
    distinctPositions: distinct.size,
    positionsGapFree: distinct.size === positions.length && maxPosition === positions.length,
  };
  log(`  ${entry.rps} calls/s, p99 ${entry.latencyMs.p99} ms, errors ${JSON.stringify(entry.errors)}`);

  await options.afterEntry(issued);

  // Memory with no subscriber, then with every ticket subscribed and nothing moving.
  const gc = () => collectGarbage(server.output());
  await gc();
  const pid = server.child.pid!;
  const heapOf = async () => (await scrape(server.url)).get("nodejs_heap_size_used_bytes") ?? 0;
  const rssBefore = rssOf(pid);
  const heapBefore = await heapOf();

  const wsUrl = `${server.url.replace(/^http/, "ws")}/graphql`;
  const leaveQueue: string[] = [];
  const fleet = new WatcherFleet((token) => leaveQueue.push(token));
  try {
    const openStart = performance.now();
    log(`  opening ${issued.length} subscriptions`);
    const opened = await fleet.open(
      wsUrl,
      issued.map((t) => t.token),
      Date.now() + options.openSeconds * 1000,
    );
    const openSeconds = (performance.now() - openStart) / 1000;
    await sleep(2000);
    const collected = await gc();
    const rssAfter = rssOf(pid);
    const heapAfter = await heapOf();
    const subs = Math.max(1, opened.opened);
    const memory = {
      rssBeforeMiB: mib(rssBefore),
      rssAfterMiB: mib(rssAfter),
      heapBeforeMiB: mib(heapBefore),
      heapAfterMiB: mib(heapAfter),
      rssPerSubKB: Math.round(((rssAfter - rssBefore) / subs / 1024) * 10) / 10,
      heapPerSubKB: Math.round(((heapAfter - heapBefore) / subs / 1024) * 10) / 10,
      afterFullGc: collected,
    };
    log(
      `  ${opened.opened} open (${opened.failed} failed, ${opened.notTried} not started in ${options.openSeconds} s) over ${opened.processes} processes in ${openSeconds.toFixed(1)} s; per idle subscription ${memory.rssPerSubKB} KB RSS, ${memory.heapPerSubKB} KB heap`,
    );

    // Admission: free the first slots, then every user admitted leaves as soon as their push says so.
    for (const t of issued) if (t.status === "ACTIVE") leaveQueue.push(t.token);
    const since = Date.now();
    const windowEnd = since + options.windowSeconds * 1000;
    let leaves = 0;
    let leaveErrors = 0;
    const leavers = Array.from({ length: 50 }, async () => {
      while (Date.now() < windowEnd) {
        const token = leaveQueue.shift();
        if (!token) {
          await sleep(20);
          continue;
        }
        const r = await gql(server.url, LEAVE, {}, token);
        if (r.code) leaveErrors++;
        else leaves++;
      }
    });
    log(`  admission running for ${options.windowSeconds} s`);
    await Promise.all(leavers);
    // Let pushes already on their way arrive: at least 7 s (one 5 s cadence round after the last
    // tick), then until every subscriber holds its final state, at most 60 s.
    const redis = new Redis(redisUrl);
    const readTicks = async () => {
      const flat = await redis.zrange(`${prefix}queue:{${concertId}}:admits`, 0, -1, "WITHSCORES");
      const out: Tick[] = [];
      for (let i = 0; i < flat.length; i += 2) {
        const at = Number(flat[i + 1]);
        if (at >= since) out.push({ at, admitted: Number(flat[i]!.split(":")[1]) });
      }
      return out;
    };
    const drainStart = Date.now();
    await sleep(7000);
    let ticks = await readTicks();
    let a = await fleet.analyse(ticks, since);
    while (a.lost > 0 && Date.now() - drainStart < 60_000) {
      await sleep(3000);
      ticks = await readTicks();
      a = await fleet.analyse(ticks, since);
    }
    redis.disconnect();
    const drainSeconds = (Date.now() - drainStart) / 1000;
    const hist = await scrape(server.url);
    const within = hist.get('queue_push_latency_seconds_bucket{le="1"}');
    const count = hist.get("queue_push_latency_seconds_count");
    const admitted = ticks.reduce((s, t) => s + t.admitted, 0);
    const gaps = summarize(a.maxGaps);
    const result: FlashCrowdResult = {
      entry: entryResult,
      subscribers: {
        wanted: issued.length,
        opened: opened.opened,
        failed: opened.failed,
        notTried: opened.notTried,
        firstError: opened.firstError,
        processes: opened.processes,
        openSeconds: Math.round(openSeconds * 10) / 10,
      },
      memory,
      admission: {
        windowSeconds: options.windowSeconds,
        drainSeconds: Math.round(drainSeconds * 10) / 10,
        admitted,
        ticks: ticks.length,
        admittedPerSecond: Math.round((admitted / options.windowSeconds) * 10) / 10,
        leaves,
        leaveErrors,
      },
      pushes: {
        subscribers: a.subscribers,
        received: a.received,
        latencyMs: summarize(a.latencies),
        withinOneSecond: ratio(a.latencies.filter((l) => l <= 1000).length, a.latencies.length),
        front: a.frontLatencies.length,
        frontLatencyMs: summarize(a.frontLatencies),
        frontMissed: a.frontMissed,
        maxGapMs: gaps,
        gapsOver5s: a.maxGaps.filter((g) => g > 5000).length,
        lost: a.lost,
        outOfOrder: a.outOfOrder,
        coalesced: a.coalesced,
        repeated: a.repeated,
        unexplained: a.unexplained,
        active: a.active,
        subscriberErrors: a.subscriberErrors,
        clientLoopLagMs: summarize(a.loopLagMs),
        serverHistogramWithin1s: within !== undefined && count ? ratio(within, count) : null,
      },
    };
    log(
      `  ${ticks.length} ticks, ${admitted} admitted; front (first ${FRONT}) p99 ${result.pushes.frontLatencyMs.p99} ms, all p99 ${result.pushes.latencyMs.p99} ms, longest out of date ${gaps.max} ms; lost ${a.lost}, out of order ${a.outOfOrder}; subscriber processes' loop lag p99 ${result.pushes.clientLoopLagMs.p99} ms, max ${result.pushes.clientLoopLagMs.max} ms`,
    );
    return result;
  } finally {
    await fleet.close().catch(() => fleet.kill());
  }
}

const ratio = (a: number, b: number) => (b ? Math.round((a / b) * 10000) / 10000 : 0);
const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
