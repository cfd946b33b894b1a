// Redis cost of the queue per operation, measured on private servers (a single node and a real
// 3+3 Redis Cluster, in the same run), for docs/scaling.md. Not a test: figures only.
//   node --import @swc-node/register/esm-register bench/redis-costs.ts [users]
// For each deployment, USERS users go through the queue store (the production code, with the
// production settings for replica waits), phase by phase:
//   entry (issueQueueToken), poll (queueStatus / a subscriber's heartbeat: view with touch),
//   admit (ticks until everybody is ACTIVE), push (one QUEUE_CHANGED refresh: PUBLISH + one
//   view per local subscriber).
// Per phase: commands Redis ran (INFO commandstats deltas, commands inside scripts included),
// round trips (EVALSHA), bytes in and out (INFO stats), and after the entries MEMORY USAGE of
// the concert's keys per waiting user; entry throughput at 100 calls in flight; the refresh rate
// of subscribers' views in pipelines of 500 (what one QUEUE_CHANGED costs an instance).
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { Redis as SingleRedis } from "ioredis";
import { queueKeys, type QueueSettings } from "../src/modules/queue/queue.model.js";
import { RedisQueueStore } from "../src/modules/queue/queue.store.js";
import { createRedis, type Redis } from "../src/platform/redis/redis.js";
import { startRedisCluster } from "../tests/helpers/redis-cluster.js";
import { freePort } from "../tests/helpers/server-processes.js";

const USERS = Number(process.argv[2] ?? 5000);
const SETTINGS: QueueSettings = {
  maxActive: USERS,
  admitPerTick: 500,
  tickMs: 1000,
  activeMs: 600_000,
  idleMs: 600_000,
  maxAgeMs: 86_400_000,
};
const IGNORED =
  /^(info|config|memory|cluster|command|ping|client|readonly|hello|select|script|scan|keys|wait|flushall|dbsize)/;

/** Summed over the primaries (replicas apply the same writes: replicaCommands). */
type Stats = {
  commands: number;
  evalsha: number;
  bytesIn: number;
  bytesOut: number;
  replicaCommands: number;
};

async function stats(ports: number[]): Promise<Stats> {
  const total: Stats = { commands: 0, evalsha: 0, bytesIn: 0, bytesOut: 0, replicaCommands: 0 };
  for (const port of ports) {
    const r = new SingleRedis({ port, host: "127.0.0.1" });
    const text = await r.info("all");
    r.disconnect();
    const replica = /^role:slave/m.test(text);
    for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      if (IGNORED.test(m[1]!)) continue;
      if (replica) {
        total.replicaCommands += Number(m[2]);
        continue;
      }
      total.commands += Number(m[2]);
      if (m[1] === "evalsha" || m[1] === "eval") total.evalsha += Number(m[2]);
    }
    if (replica) continue;
    total.bytesIn += Number(/total_net_input_bytes:(\d+)/.exec(text)?.[1] ?? 0);
    total.bytesOut += Number(/total_net_output_bytes:(\d+)/.exec(text)?.[1] ?? 0);
  }
  return total;
}

async function measure(label: string, redis: Redis, ports: number[], waitReplicas: number) {
  const prefix = `bench:${randomUUID()}:`;
  const wait = { replicas: waitReplicas, timeoutMs: 200 };
  // Entries with one slot (taken by the blocker): everybody waits; admission with room for all.
  const store = new RedisQueueStore(redis, prefix, { ...SETTINGS, maxActive: 1 }, wait);
  const admitter = new RedisQueueStore(redis, prefix, SETTINGS, wait);
  const concert = randomUUID();
  const T0 = Date.now();
  // Warm-up: load the scripts on the node (EVALSHA misses once per script and node).
  const warm = randomUUID();
  await store.enter(warm, "w", "tw", T0);
  await store.views([{ concertId: warm, userId: "w", ticketId: "tw" }], T0, true);
  await store.admit(warm, T0);
  await store.end({ concertId: warm, userId: "w", ticketId: "tw" }, "LEFT");
  const blocker = await store.enter(concert, "blocker", "tb", T0); // someone waits first: no instant admission
  void blocker;
  const refs = Array.from({ length: USERS }, (_, i) => ({
    concertId: concert,
    userId: `u${i}`,
    ticketId: `t${i}`,
  }));
  const per = (a: Stats, b: Stats, n: number) => ({
    commands: +((b.commands - a.commands) / n).toFixed(2),
    roundTrips: +((b.evalsha - a.evalsha) / n).toFixed(2),
    bytesIn: Math.round((b.bytesIn - a.bytesIn) / n),
    bytesOut: Math.round((b.bytesOut - a.bytesOut) / n),
    ...(b.replicaCommands > a.replicaCommands
      ? { replicaCommands: +((b.replicaCommands - a.replicaCommands) / n).toFixed(2) }
      : {}),
  });
  const out: Record<string, unknown> = { deployment: label, users: USERS, waitReplicas };

  let s0 = await stats(ports);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 100 }, async () => {
      for (let i = next++; i < USERS; i = next++)
        await store.enter(concert, refs[i]!.userId, refs[i]!.ticketId, T0);
    }),
  );
  const entryMs = performance.now() - t0;
  let s1 = await stats(ports);
  out["entry"] = { ...per(s0, s1, USERS), perSecond: Math.round((USERS / entryMs) * 1000) };

  const k = queueKeys(prefix, concert);
  const memKeys = [k.seq, k.waiting, k.active, k.seen, k.admits, k.meta];
  let bytes = 0;
  for (const key of memKeys) bytes += Number((await redis.call("MEMORY", "USAGE", key)) ?? 0);
  let ticketBytes = 0;
  for (let i = 0; i < 200; i++)
    ticketBytes += Number((await redis.call("MEMORY", "USAGE", k.ticket(`u${i}`))) ?? 0);
  out["memoryPerWaitingUser"] = Math.round(bytes / USERS + ticketBytes / 200);

  s0 = await stats(ports);
  for (let i = 0; i < USERS; i += 1) await store.views([refs[i]!], T0 + 1000, true);
  s1 = await stats(ports);
  out["poll"] = per(s0, s1, USERS);

  s0 = await stats(ports);
  const p0 = performance.now();
  for (let i = 0; i < USERS; i += 500) await store.views(refs.slice(i, i + 500), T0 + 2000, true);
  const pushMs = performance.now() - p0;
  s1 = await stats(ports);
  out["pushPerSubscriber"] = { ...per(s0, s1, USERS), viewsPerSecond: Math.round((USERS / pushMs) * 1000) };

  s0 = await stats(ports);
  let admitted = 0;
  let tick = 0;
  await store.end({ concertId: concert, userId: "blocker", ticketId: "tb" }, "LEFT");
  while (admitted < USERS && tick < 1000) {
    tick++;
    admitted += (await admitter.admit(concert, T0 + 3000 + tick * 1000)).admitted;
  }
  s1 = await stats(ports);
  out["admitPerUser"] = { ...per(s0, s1, USERS), ticks: tick };
  console.log(JSON.stringify(out));
}

const port = await freePort();
const single = spawn("redis-server", ["--port", String(port), "--save", "", "--appendonly", "no"], {
  stdio: "ignore",
});
await new Promise((r) => setTimeout(r, 300));
const cluster = await startRedisCluster();
try {
  const one = createRedis({ REDIS_URL: `redis://127.0.0.1:${port}` });
  await measure("single node", one, [port], 0);
  one.disconnect();
  const seeds = cluster.seeds.split(",").map((s) => ({ host: "127.0.0.1", port: Number(s.split(":")[1]) }));
  for (const wait of [1, 0]) {
    const many = createRedis({ REDIS_URL: "", REDIS_CLUSTER_NODES: seeds });
    await measure(
      `cluster 3+3`,
      many,
      cluster.nodes.map((n) => n.port),
      wait,
    );
    many.disconnect();
  }
} finally {
  single.kill("SIGKILL");
  await cluster.stop();
}
