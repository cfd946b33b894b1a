// A quick, bounded measurement of the queue (not a test: numbers depend on the machine).
//   node --import @swc-node/register/esm-register bench/quick-queue.ts [entries] [concurrency]
// Starts two server processes on a fresh test database, then measures
//   1. issueQueueToken calls per second on ONE instance (entries distinct users, `concurrency`
//      requests in flight), and
//   2. push latency: a subscriber on instance A, a leaveQueue on instance B ahead of it; the time
//      from sending the leave to A's push arriving (median and p95 of 30 moves).
// BENCH_REDIS=single,cluster runs it on a single Redis node and on a private 3+3 Redis Cluster
// (tests/helpers/redis-cluster.ts), one after the other in the same run (default: single).
import { performance } from "node:perf_hooks";
import { subscribe, type GraphQLTestClient } from "../tests/helpers/graphql-client.js";
import { startCluster } from "../tests/helpers/server-processes.js";
import { startRedisMode, type RedisMode } from "../tests/helpers/redis-modes.js";
import { issue, leave, signUp, UPDATES, type TestUser, type Ticket } from "../tests/helpers/queue-helpers.js";

const ENTRIES = Number(process.argv[2] ?? 2000);
const CONCURRENCY = Number(process.argv[3] ?? 100);
const MOVES = 30;

async function pool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) out[i] = await fn(i);
    }),
  );
  return out;
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

async function run(mode: RedisMode): Promise<void> {
  const redis = await startRedisMode(mode);
  const cluster = await startCluster(2, {
    ...redis.env,
    QUEUE_MAX_ACTIVE: "1",
    QUEUE_TICK_MS: "1000",
    QUEUE_ACTIVE_SECONDS: "600",
    QUEUE_IDLE_SECONDS: "600",
    LOG_LEVEL: "warn",
  });
  try {
    const [a, b] = cluster.servers.map((s) => s.client) as [GraphQLTestClient, GraphQLTestClient];
    const { concerts } = await a.data<{ concerts: { id: string }[] }>("{ concerts { id } }");
    const [c1, c2] = [concerts[0]!.id, concerts[1]!.id];

    const users: TestUser[] = await pool(ENTRIES, 50, (i) => signUp(i % 2 ? a : b));
    const start = performance.now();
    const tickets = await pool(ENTRIES, CONCURRENCY, (i) => issue(a, users[i]!, c1));
    const seconds = (performance.now() - start) / 1000;
    const positions = new Set(tickets.map((t) => t.position ?? 0));
    console.log(
      `[${mode}] issueQueueToken: ${ENTRIES} calls, ${CONCURRENCY} in flight, one instance: ${(ENTRIES / seconds).toFixed(0)} calls/s ` +
        `(${seconds.toFixed(2)} s; ${positions.size} distinct places)`,
    );

    // Push latency: holder ACTIVE, MOVES waiters ahead of the subscriber.
    await issue(b, users[0]!, c2);
    const ahead: Ticket[] = [];
    for (let i = 1; i <= MOVES; i++) ahead.push(await issue(b, users[i]!, c2));
    const me = await issue(a, users[MOVES + 1]!, c2);
    const ws = a.ws(`Bearer ${me.token}`);
    const sub = subscribe<{ queueUpdates: Ticket }>(ws, UPDATES);
    await sub.next();
    const latencies: number[] = [];
    for (let i = 0; i < MOVES; i++) {
      const expected = MOVES - i;
      const t0 = performance.now();
      const pushed = sub.next((e) => e.data?.queueUpdates.position === expected);
      await leave(b, ahead[i]!.token);
      await pushed;
      latencies.push(performance.now() - t0);
    }
    await ws.dispose();
    console.log(
      `[${mode}] push latency (leaveQueue sent to instance B → position pushed by instance A): ` +
        `median ${pct(latencies, 0.5).toFixed(1)} ms, p95 ${pct(latencies, 0.95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms over ${MOVES} moves`,
    );
  } finally {
    await cluster.stop();
    await redis.stop();
  }
}

for (const mode of (process.env["BENCH_REDIS"] ?? "single").split(",") as RedisMode[]) await run(mode);
