// The platform's Redis pieces on a real Redis Cluster (3 primaries, 3 replicas): the shared rate
// budget, and pubsub on sharded channels (SPUBLISH/SSUBSCRIBE) that live on the shard owning
// the id's hash tag, so a concert's channel never travels to the other shards.
import { randomUUID } from "node:crypto";
import { Redis as SingleRedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.js";
import { RedisRateLimitStore } from "../../../src/platform/http/rate-limit.store.js";
import { createAppPubSub } from "../../../src/platform/redis/pubsub.js";
import { createRedis, type Redis } from "../../../src/platform/redis/redis.js";
import { startRedisCluster, type RedisClusterHandle } from "../../helpers/redis-cluster.js";

type Topics = { QUEUE_CHANGED: [string, { n: number }] };

describe("platform Redis on a real cluster", () => {
  let cluster: RedisClusterHandle;
  const clients: Redis[] = [];
  const connect = (sharded = false) => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: cluster.seeds });
    const client = createRedis(config, { sharded });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    cluster = await startRedisCluster();
  });
  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.quit()));
    await cluster.stop();
  });

  it("reads REDIS_CLUSTER_NODES as seeds and waits for a replica by default", () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: "10.0.0.1:7000, redis-b:7001" });
    expect(config.REDIS_CLUSTER_NODES).toEqual([
      { host: "10.0.0.1", port: 7000 },
      { host: "redis-b", port: 7001 },
    ]);
    expect(config.REDIS_WAIT_REPLICAS).toBe(1);
    expect(loadConfig({}).REDIS_WAIT_REPLICAS).toBe(0);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: "redis-a" })).toThrow(/REDIS_CLUSTER_NODES.*host:port/);
  });

  it("spends one rate budget from two connections, as two instances would", async () => {
    const prefix = `test:${randomUUID()}:`;
    const connections = [connect(), connect()];
    // Before a connection is ready the limiter counts in memory (rejectIfRedisNotReady).
    await Promise.all(connections.map((r) => r.ping()));
    expect(connections.map((r) => r.status)).toEqual(["ready", "ready"]);
    const stores = connections.map((r) => new RedisRateLimitStore(r, prefix, { ip: 5, user: 5 }));
    const waits = [];
    for (let i = 0; i < 7; i++) waits.push(await stores[i % 2]!.consume("ip", "198.51.100.7"));
    expect(waits.slice(0, 5)).toEqual([null, null, null, null, null]);
    expect(waits.slice(5).every((w) => w !== null && w > 0)).toBe(true);
  });

  it("delivers a concert's events to a subscriber on another connection over a sharded channel of its slot", async () => {
    const prefix = `test:${randomUUID()}:`;
    const concertId = randomUUID();
    const publisher = createAppPubSub<Topics>(connect(), connect(true), prefix);
    const subscriber = createAppPubSub<Topics>(connect(), connect(true), prefix);
    const events = subscriber.subscribe("QUEUE_CHANGED", concertId);
    const first = events.next();
    const channel = `${prefix}QUEUE_CHANGED:{${concertId}}`;
    const owner = await cluster.primaryOf(channel);
    // The subscription is on the owning shard (primary or its replica), and on no other primary.
    let seen = false;
    for (let i = 0; i < 50 && !seen; i++) {
      const counts = await Promise.all(
        cluster.nodes.map(async (n) => {
          const r = new SingleRedis({ port: n.port, host: "127.0.0.1" });
          const list = (await r.call("PUBSUB", "SHARDCHANNELS")) as string[];
          r.disconnect();
          return { port: n.port, has: list.includes(channel) };
        }),
      );
      seen = counts.some((c) => c.has);
      if (seen) {
        const holders = counts.filter((c) => c.has).map((c) => c.port);
        expect(holders).toContain(owner);
      } else await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen).toBe(true);
    // The subscription may take a moment: publish until the first event arrives.
    let n = 0;
    const timer = setInterval(() => publisher.publish("QUEUE_CHANGED", concertId, { n: ++n }), 50);
    try {
      const event = await first;
      expect(event.value).toMatchObject({ n: expect.any(Number) });
    } finally {
      clearInterval(timer);
      await events.return?.();
    }
  });
});
