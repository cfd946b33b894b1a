// Flash crowd on ONE instance: N users (signed up beforehand) all call issueQueueToken as fast as
// the machine allows; then N WebSocket subscribers watch their place while admission runs.
// Admission is driven the way a sale runs: each admitted user finishes (here: leaveQueue) and
// frees a slot that the next tick refills. The tick times come from the queue's own admission
// log in Redis (one entry "<at>:<admitted>" per tick that admitted), so every push is matched to
// the tick that caused it and timed from it.
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import type { ServerProcess } from "../tests/helpers/server-processes.js";
import { cannon, type LoadResult } from "./baselines.js";
import {
  collectGarbage,
  gql,
  pool,
  rssOf,
  scrape,
  sleep,
  summarize,
  type SeededUser,
  type Summary,
} from "./lib.js";
import { QueueWatcher, type Push } from "./queue-watcher.js";

const ISSUE = `mutation ($u: ID!, $k: String!, $c: ID!) {
  issueQueueToken(userId: $u, accessKey: $k, concertId: $c) { token status position } }`;
const LEAVE = "mutation { leaveQueue { status } }";

interface Ticket {
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
  subscribers: { opened: number; failed: number; openSeconds: number };
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
    seconds: number;
    admitted: number;
    ticks: number;
    admittedPerSecond: number;
    leaves: number;
    leaveErrors: number;
  };
  pushes: {
    received: number;
    latencyMs: Summary;
    withinOneSecond: number;
    lost: number;
    outOfOrder: number;
    coalesced: number;
    unexplained: number;
    neverActive: number;
    subscriberErrors: number;
    serverHistogramWithin1s: number | null;
  };
}

export async function flashCrowd(
  server: ServerProcess,
  redisUrl: string,
  prefix: string,
  concertId: string,
  users: SeededUser[],
  log: (line: string) => void,
  afterEntry: () => Promise<void>,
): Promise<FlashCrowdResult> {
  const n = users.length;
  const tickets: (Ticket | undefined)[] = new Array(n);

  log(`flash crowd: ${n} issueQueueToken calls`);
  const bodies = users.map((u) =>
    JSON.stringify({ query: ISSUE, variables: { u: u.userId, k: u.accessKey, c: concertId } }),
  );
  const entry = await cannon({
    url: server.url,
    connections: 100,
    amount: n,
    body: (i) => bodies[i]!,
    onData: (i, data) => {
      tickets[i] = (data as { issueQueueToken: Ticket }).issueQueueToken;
    },
  });
  const issued = tickets.filter((t): t is Ticket => t !== undefined);
  const positions = issued.filter((t) => t.status === "WAITING").map((t) => t.position ?? 0);
  const distinct = new Set(positions);
  const entryResult = {
    ...entry,
    active: issued.filter((t) => t.status === "ACTIVE").length,
    waiting: positions.length,
    distinctPositions: distinct.size,
    positionsGapFree: distinct.size === positions.length && Math.max(0, ...positions) === positions.length,
  };
  log(`  ${entry.rps} calls/s, p99 ${entry.latencyMs.p99} ms, errors ${JSON.stringify(entry.errors)}`);

  await afterEntry();

  // Memory with no subscriber, then with every ticket subscribed and nothing moving.
  const gc = () => collectGarbage(server.output());
  await gc();
  const pid = server.child.pid!;
  const heapOf = async () => (await scrape(server.url)).get("nodejs_heap_size_used_bytes") ?? 0;
  const rssBefore = rssOf(pid);
  const heapBefore = await heapOf();

  const wsUrl = `${server.url.replace(/^http/, "ws")}/graphql`;
  const leaveQueue: string[] = [];
  const watchers: QueueWatcher[] = [];
  const tokenOf = new Map<QueueWatcher, string>();
  const onPush = (w: QueueWatcher, p: Push) => {
    if (p.status === "ACTIVE" && w.pushes.length > 1) leaveQueue.push(tokenOf.get(w)!);
  };
  let failed = 0;
  const openStart = performance.now();
  log(`  opening ${issued.length} subscriptions`);
  await pool(issued.length, 300, async (i) => {
    const w = new QueueWatcher(onPush);
    tokenOf.set(w, issued[i]!.token);
    try {
      await w.open(wsUrl, issued[i]!.token);
      watchers.push(w);
    } catch {
      failed++;
      w.close();
    }
  });
  const openSeconds = (performance.now() - openStart) / 1000;
  await sleep(2000);
  const collected = await gc();
  const rssAfter = rssOf(pid);
  const heapAfter = await heapOf();
  const subs = Math.max(1, watchers.length);
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
    `  ${watchers.length} open in ${openSeconds.toFixed(1)} s; per idle subscription ${memory.rssPerSubKB} KB RSS, ${memory.heapPerSubKB} KB heap`,
  );

  // Admission: free the first slots, then every user admitted leaves as soon as their push says so.
  for (const t of issued) if (t.status === "ACTIVE") leaveQueue.push(t.token);
  const redis = new Redis(redisUrl);
  const admitsKey = `${prefix}queue:{${concertId}}:admits`;
  const admits = new Map<string, number>();
  const readAdmits = async () => {
    const flat = await redis.zrange(admitsKey, 0, -1, "WITHSCORES");
    for (let i = 0; i < flat.length; i += 2) admits.set(flat[i]!, Number(flat[i + 1]));
  };
  const waitingWatchers = watchers.filter((w) => w.pushes[0]!.status === "WAITING");
  const admissionStart = performance.now();
  const deadline = Date.now() + Math.max(60_000, (n / 500) * 4000);
  let leaves = 0;
  let leaveErrors = 0;
  let stop = false;
  const leavers = Array.from({ length: 50 }, async () => {
    while (!stop) {
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
  log(`  admission running for ${waitingWatchers.length} waiting subscribers`);
  while (Date.now() < deadline) {
    await readAdmits();
    if (waitingWatchers.every((w) => w.pushes.some((p) => p.status === "ACTIVE") || w.error)) break;
    await sleep(1000);
  }
  stop = true;
  await Promise.all(leavers);
  // Let pushes already on their way arrive (at most 15 s, until 2 s pass without one).
  const received = () => waitingWatchers.reduce((s, w) => s + w.pushes.length, 0);
  for (let i = 0, last = -1; i < 15 && received() !== last; i++) {
    last = received();
    await sleep(2000);
  }
  await readAdmits();
  redis.disconnect();
  const admissionSeconds = (performance.now() - admissionStart) / 1000;

  const pushes = analysePushes(waitingWatchers, admits);
  const hist = await scrape(server.url);
  const within = hist.get('queue_push_latency_seconds_bucket{le="1"}');
  const count = hist.get("queue_push_latency_seconds_count");
  for (const w of watchers) w.close();
  const admittedTotal = [...admits.keys()].reduce((s, m) => s + Number(m.split(":")[1]), 0);
  log(
    `  pushes p50 ${pushes.latencyMs.p50} ms p99 ${pushes.latencyMs.p99} ms; lost ${pushes.lost}, out of order ${pushes.outOfOrder}`,
  );
  return {
    entry: entryResult,
    subscribers: { opened: watchers.length, failed, openSeconds: Math.round(openSeconds * 10) / 10 },
    memory,
    admission: {
      seconds: Math.round(admissionSeconds * 10) / 10,
      admitted: admittedTotal,
      ticks: admits.size,
      admittedPerSecond: Math.round((admittedTotal / admissionSeconds) * 10) / 10,
      leaves,
      leaveErrors,
    },
    pushes: {
      ...pushes,
      subscriberErrors: watchers.filter((w) => w.error).length,
      serverHistogramWithin1s:
        within !== undefined && count ? Math.round((within / count) * 10000) / 10000 : null,
    },
  };
}

/**
 * Matches every push to the tick that caused it. With C_j the admissions up to tick j, a
 * subscriber first at position p0 should see p0 - C_j after every tick with C_j < p0, then
 * ACTIVE at the first tick with C_j >= p0. A missing step followed by a later one is
 * "coalesced" (the hub folded two ticks into one refresh); a missing ACTIVE is "lost".
 */
function analysePushes(watchers: QueueWatcher[], admits: Map<string, number>) {
  const ticks = [...admits.entries()]
    .map(([member, at]) => ({ at, admitted: Number(member.split(":")[1]) }))
    .sort((a, b) => a.at - b.at);
  const cumulative: number[] = [];
  ticks.reduce((sum, t) => (cumulative.push(sum + t.admitted), sum + t.admitted), 0);
  const tickOfCumulative = new Map(cumulative.map((c, j) => [c, j]));
  const latencies: number[] = [];
  let lost = 0;
  let outOfOrder = 0;
  let coalesced = 0;
  let unexplained = 0;
  let neverActive = 0;
  let received = 0;
  for (const w of watchers) {
    const p0 = w.pushes[0]!.position!;
    const activeTick = cumulative.findIndex((c) => c >= p0);
    let lastTick = -1;
    let sawActive = false;
    for (const p of w.pushes.slice(1)) {
      if (p.status === "EXPIRED") break;
      received++;
      const j = p.status === "ACTIVE" ? activeTick : (tickOfCumulative.get(p0 - (p.position ?? 0)) ?? -2);
      if (j < 0) {
        unexplained++;
        continue;
      }
      if (j <= lastTick || sawActive) outOfOrder++;
      else coalesced += j - lastTick - 1;
      lastTick = Math.max(lastTick, j);
      if (p.status === "ACTIVE") sawActive = true;
      latencies.push(p.at - ticks[j]!.at);
    }
    if (!sawActive) {
      neverActive++;
      if (activeTick >= 0) lost++;
    }
  }
  const withinOneSecond = latencies.length ? latencies.filter((l) => l <= 1000).length / latencies.length : 0;
  return {
    received,
    latencyMs: summarize(latencies),
    withinOneSecond: Math.round(withinOneSecond * 10000) / 10000,
    lost,
    outOfOrder,
    coalesced,
    unexplained,
    neverActive,
  };
}

const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
