// A real Redis Cluster for tests: 3 primaries and 3 replicas of the machine's redis-server on
// free loopback ports, in a temporary directory, nothing saved to disk. Started once per test
// file that needs it (a few seconds), stopped at its end.
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";

const run = promisify(execFile);

export interface ClusterNode {
  port: number;
  child: ChildProcess;
}

export interface RedisClusterHandle {
  nodes: ClusterNode[];
  /** REDIS_CLUSTER_NODES for the service: every node as a seed. */
  seeds: string;
  /** The port of the primary that owns `key`'s slot now. */
  primaryOf(key: string): Promise<number>;
  /** SIGKILLs one node (a crash: no shutdown, no last sync to the replica). */
  kill(port: number): void;
  /** Resolves when every live node reports cluster_state:ok and each slot has a live primary. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** A port P such that P and its cluster bus port P + 10000 are both free. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 25_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await portFree(port)) && (await portFree(port + 10_000))) {
      taken.add(port);
      taken.add(port + 10_000);
      return port;
    }
  }
}

async function info(port: number, section: string): Promise<string> {
  const redis = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    return section === "cluster"
      ? String(await redis.call("CLUSTER", "INFO"))
      : String(await redis.info(section));
  } finally {
    redis.disconnect();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startRedisCluster(
  options: { nodeTimeoutMs?: number } = {},
): Promise<RedisClusterHandle> {
  const dir = mkdtempSync(join(tmpdir(), "redis-cluster-"));
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < 6; i++) ports.push(await freeClusterPort(taken));
  const nodes: ClusterNode[] = ports.map((port) => ({
    port,
    child: spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        `nodes-${port}.conf`,
        "--cluster-node-timeout",
        String(options.nodeTimeoutMs ?? 1500),
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
        "--repl-diskless-sync",
        "yes",
        "--repl-diskless-sync-delay",
        "0",
        "--logfile",
        join(dir, `redis-${port}.log`),
      ],
      { stdio: "ignore" },
    ),
  }));
  const alive = new Set(ports);
  const live = () => nodes.filter((n) => alive.has(n.port));

  for (const node of nodes) {
    for (let i = 0; ; i++) {
      try {
        await info(node.port, "server");
        break;
      } catch (error) {
        if (i > 100) throw error;
        await sleep(50);
      }
    }
  }
  await run("redis-cli", [
    "--cluster",
    "create",
    ...ports.map((p) => `127.0.0.1:${p}`),
    "--cluster-replicas",
    "1",
    "--cluster-yes",
  ]);

  const handle: RedisClusterHandle = {
    nodes,
    seeds: ports.map((p) => `127.0.0.1:${p}`).join(","),
    async primaryOf(key) {
      const redis = new Redis({ port: live()[0]!.port, host: "127.0.0.1", maxRetriesPerRequest: 0 });
      try {
        const slot = Number(await redis.call("CLUSTER", "KEYSLOT", key));
        const slots = (await redis.call("CLUSTER", "SLOTS")) as [number, number, [string, number]][];
        const range = slots.find(([from, to]) => slot >= from && slot <= to);
        if (!range) throw new Error(`no node serves slot ${slot}`);
        return Number(range[2][1]);
      } finally {
        redis.disconnect();
      }
    },
    kill(port) {
      alive.delete(port);
      nodes.find((n) => n.port === port)?.child.kill("SIGKILL");
    },
    async waitHealthy(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await Promise.all(
          live().map((n) =>
            info(n.port, "cluster").then(
              (s) => s.includes("cluster_state:ok"),
              () => false,
            ),
          ),
        );
        const replicated = await Promise.all(
          live().map((n) =>
            info(n.port, "replication").then(
              (s) => s.includes("role:master") || s.includes("master_link_status:up"),
              () => false,
            ),
          ),
        );
        if (states.every(Boolean) && replicated.every(Boolean)) return;
        if (Date.now() > deadline) throw new Error("the Redis Cluster did not become healthy");
        await sleep(100);
      }
    },
    async stop() {
      for (const n of nodes) if (n.child.exitCode === null) n.child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await handle.waitHealthy();
  return handle;
}
