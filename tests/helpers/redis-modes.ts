// The two Redis deployments the service runs on, for suites that run against both: a single
// node (REDIS_URL, the default) and a real Redis Cluster (REDIS_CLUSTER_NODES), plus the key
// guard that checks the rule of every Lua script as it runs.
import { Cluster, Redis } from "ioredis";
import type { QueueSettings } from "../../src/modules/queue/queue.model.js";
import type { Redis as AnyRedis } from "../../src/platform/redis/redis.js";
import { startRedisCluster, type RedisClusterHandle } from "./redis-cluster.js";

export type RedisMode = "single" | "cluster";
export const REDIS_MODES: RedisMode[] = ["single", "cluster"];

const REDIS_URL = process.env["TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379";

export interface RedisModeHandle {
  mode: RedisMode;
  /** The environment that points a server at this Redis. */
  env: Record<string, string>;
  /** A new connection (close it with quit()). */
  connect(): AnyRedis;
  cluster?: RedisClusterHandle;
  stop(): Promise<void>;
}

export async function startRedisMode(mode: RedisMode): Promise<RedisModeHandle> {
  if (mode === "single") {
    // Auto-pipelining as in production (src/platform/redis/redis.ts): on a cluster it routes a
    // command by its first key, which a script's arguments must allow.
    const connect = () => new Redis(REDIS_URL, { enableAutoPipelining: true });
    return { mode, env: { REDIS_URL }, connect, stop: async () => {} };
  }
  const cluster = await startRedisCluster();
  const seeds = cluster.seeds.split(",").map((s) => ({ host: "127.0.0.1", port: Number(s.split(":")[1]) }));
  return {
    mode,
    cluster,
    env: { REDIS_CLUSTER_NODES: cluster.seeds },
    connect: () =>
      new Cluster(seeds, { enableAutoPipelining: true, redisOptions: { maxRetriesPerRequest: 1 } }),
    stop: () => cluster.stop(),
  };
}

/**
 * Prepended to a script, it enforces the rule of docs/scaling.md at run time: every key that
 * any redis.call / redis.pcall touches (as Redis itself names them: COMMAND GETKEYS) is one of
 * KEYS, and all KEYS share one hash tag. A breach fails the script with KEYGUARD in the error.
 */
export const KEY_GUARD = `
local __redis = redis
local __declared = {}
local __tag = nil
for _, k in ipairs(KEYS) do
  __declared[k] = true
  local t = string.match(k, '{([^}]+)}') or k
  if __tag == nil then __tag = t
  elseif __tag ~= t then error('KEYGUARD keys of different hash tags: ' .. KEYS[1] .. ' and ' .. k) end
end
local function __check(...)
  local ok, keys = pcall(__redis.call, 'COMMAND', 'GETKEYS', ...)
  if ok then
    for _, k in ipairs(keys) do
      if not __declared[k] then error('KEYGUARD undeclared key ' .. k) end
    end
  end
end
local redis = setmetatable({
  call = function(...) __check(...) return __redis.call(...) end,
  pcall = function(...) __check(...) return __redis.pcall(...) end,
}, { __index = __redis })
`;

/** Makes every script later defined on this connection run under KEY_GUARD. */
export function guardScriptKeys<R extends AnyRedis>(redis: R): R {
  const define = redis.defineCommand.bind(redis);
  redis.defineCommand = (name, definition) =>
    define(name, { ...definition, lua: KEY_GUARD + definition.lua });
  return redis;
}

/** The scripts' clock starts here in the store suites (time is an argument, never a sleep). */
export const SCRIPT_T0 = Date.parse("2030-01-01T00:00:00Z");

/** Queue settings for the store suites: a tick of 1 s, 60 s active, 30 s idle, a day's tokens. */
export function scriptSettings(capacity: { maxActive: number; admitPerTick: number }): QueueSettings {
  return { ...capacity, tickMs: 1000, activeMs: 60_000, idleMs: 30_000, maxAgeMs: 86_400_000 };
}
