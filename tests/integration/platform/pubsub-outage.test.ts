// The pubsub with Redis away (through a TCP proxy that refuses connections): a PUBLISH or
// SUBSCRIBE that fails is reported instead of ending the process with an unhandled rejection,
// and a subscription that failed is made once Redis is back, so events flow again without a
// restart (ioredis restores on reconnect only the subscriptions that had succeeded).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppPubSub } from "../../../src/platform/redis/pubsub.js";
import { createRedis, type Redis } from "../../../src/platform/redis/redis.js";
import type { Topics } from "../../../src/platform/redis/topics.js";
import { TcpProxy } from "../../e2e/faults-proxy.js";

const REDIS_PORT = Number(new URL(process.env["TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379").port || 6379);
const prefix = `test:pubsub-outage:${Date.now()}:`;
let proxy: TcpProxy;
let clients: Redis[] = [];

const swallow = (client: Redis) => client.on("error", () => undefined);

beforeAll(async () => {
  proxy = new TcpProxy("127.0.0.1", REDIS_PORT);
  await proxy.start();
  await proxy.cut();
});
afterAll(async () => {
  await proxy.cut();
  for (const c of clients) c.disconnect();
});

describe("pubsub while Redis is away", () => {
  it("reports failed commands and subscribes once Redis is back", async () => {
    const url = `redis://127.0.0.1:${proxy.port}`;
    const publisher = swallow(createRedis({ REDIS_URL: url }));
    const subscriber = swallow(createRedis({ REDIS_URL: url }));
    const direct = createRedis({ REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}` });
    clients = [publisher, subscriber, direct];
    const failures: string[] = [];
    const pubsub = createAppPubSub<Topics>(publisher, subscriber, prefix, (_error, what) =>
      failures.push(what),
    );

    const events = pubsub.subscribe("CATALOGUE_CHANGED");
    const first = events.next();
    pubsub.publish("CATALOGUE_CHANGED", { concertId: "lost" });
    const deadline = Date.now() + 10_000;
    while (!(
      failures.some((f) => f.startsWith("subscribe")) && failures.some((f) => f.startsWith("publish"))
    )) {
      if (Date.now() > deadline) throw new Error(`no failures reported: ${JSON.stringify(failures)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(failures).toContain(`subscribe ${prefix}CATALOGUE_CHANGED`);

    await proxy.start();
    await new Promise<void>((resolve) => subscriber.once("ready", () => resolve()));
    // The retry is sent on "ready"; publish until the subscriber hears one.
    const timer = setInterval(
      () => void direct.publish(`${prefix}CATALOGUE_CHANGED`, JSON.stringify({ concertId: "back" })),
      50,
    );
    try {
      expect((await first).value).toEqual({ concertId: "back" });
    } finally {
      clearInterval(timer);
      await events.return?.();
    }
  }, 30_000);
});
