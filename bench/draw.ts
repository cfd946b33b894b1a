// The pre-queue draw at scale, straight against Redis through the queue's own stores (no
// server): N PREQUEUED tickets are entered with their real draw keys, then the draw script
// orders them into the waiting line. Prints the draw's wall time (one script call: Redis serves
// nothing else meanwhile) and the CPU time Redis's main thread spent on it (INFO cpu; on a
// loaded machine the wall time also counts the time Redis waited for a core), and checks the
// result against the order recomputed from the seed. Bounded: one concert, one prefix, deleted at the end.
//   node --import @swc-node/register/esm-register bench/draw.ts [entrants=100000] [runs=1] [late]
// `late`: the draw runs 10 minutes after the opening the entrants waited for (as after a moved
// opening), the script's slower path that sets every heartbeat one by one.
import { randomBytes, randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { RedisPrequeueStore } from "../src/modules/queue/prequeue.store.js";
import { queueKeys, type QueueSettings } from "../src/modules/queue/queue.model.js";
import { RedisQueueStore } from "../src/modules/queue/queue.store.js";
import { drawKeyOf } from "../src/modules/sale/draw-key.js";

const ENTRANTS = Math.min(Number(process.argv[2] ?? 100_000), 1_000_000);
const RUNS = Math.min(Number(process.argv[3] ?? 1), 5);
const LATE_MS = process.argv[4] === "late" ? 600_000 : 0;
const REDIS_URL = process.env["TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379";
const IN_FLIGHT = 2_000;
const SETTINGS: QueueSettings = {
  maxActive: 100,
  admitPerTick: 50,
  tickMs: 1000,
  activeMs: 600_000,
  idleMs: 60_000,
  maxAgeMs: 86_400_000,
};

const redis = new Redis(REDIS_URL);
const prefix = `bench:draw:${randomUUID()}:`;
const queue = new RedisQueueStore(redis, prefix, SETTINGS);
const prequeue = new RedisPrequeueStore(redis, prefix, SETTINGS);

/** CPU time of Redis's main thread (INFO cpu): what the draw costs Redis, whatever the load. */
async function redisMainThreadCpuMs(): Promise<number> {
  const info = await redis.info("cpu");
  const field = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? NaN);
  return (field("used_cpu_user_main_thread") + field("used_cpu_sys_main_thread")) * 1000;
}

async function once(run: number): Promise<void> {
  const concertId = randomUUID();
  const seed = randomBytes(32).toString("hex");
  const users = Array.from({ length: ENTRANTS }, () => randomUUID());
  const now = Date.now();
  const enterStart = performance.now();
  for (let i = 0; i < users.length; i += IN_FLIGHT) {
    await Promise.all(
      users.slice(i, i + IN_FLIGHT).map((u, j) =>
        queue.enter(concertId, u, `t${i + j}`, now, {
          drawKey: drawKeyOf(seed, u),
          opensAtMs: now + 1_000,
        }),
      ),
    );
  }
  const enterMs = performance.now() - enterStart;
  const cpuBefore = await redisMainThreadCpuMs();
  const drawStart = performance.now();
  const outcome = await prequeue.draw(concertId, now + 1_000 + LATE_MS);
  const drawMs = performance.now() - drawStart;
  const drawCpuMs = (await redisMainThreadCpuMs()) - cpuBefore;
  const againStart = performance.now();
  const again = await prequeue.draw(concertId, now + 2_000 + LATE_MS);
  const againMs = performance.now() - againStart;

  // The whole line must be the order recomputed from the seed.
  const k = queueKeys(prefix, concertId);
  const line = await redis.zrange(k.waiting, 0, -1);
  const expected = users
    .map((u) => [drawKeyOf(seed, u), u] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([, u]) => u);
  const ordered = line.length === expected.length && line.every((u, i) => u === expected[i]);
  const memory = await redis.memory("USAGE", k.waiting);
  console.log(
    `run ${run}${LATE_MS ? " (late draw)" : ""}: ${ENTRANTS} PREQUEUED entered in ${(enterMs / 1000).toFixed(1)} s ` +
      `(${Math.round(ENTRANTS / (enterMs / 1000))}/s, ${IN_FLIGHT} in flight); ` +
      `draw ${drawMs.toFixed(0)} ms wall, ${drawCpuMs.toFixed(0)} ms of Redis's CPU ` +
      `(drew=${outcome.drew}, entrants=${outcome.entrants}); ` +
      `second draw ${againMs.toFixed(1)} ms (drew=${again.drew}); order ${ordered ? "exact" : "WRONG"}; ` +
      `waiting set ${(Number(memory) / 1e6).toFixed(1)} MB`,
  );
  if (!ordered || outcome.entrants !== ENTRANTS || again.drew) process.exitCode = 1;
  await redis.unlink(...(await redis.keys(`${prefix}queue:{${concertId}}:*`)));
}

try {
  for (let run = 1; run <= RUNS; run++) await once(run);
} finally {
  const left = await redis.keys(`${prefix}*`);
  if (left.length) await redis.unlink(...left);
  redis.disconnect();
}
