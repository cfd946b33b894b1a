// Admission with several instances ticking at once, and live pushes across instances: a
// subscriber on instance A sees what happens on instance B. Run on a single Redis node and on
// a real Redis Cluster (pushes over sharded pubsub there).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueKeys } from "../../src/modules/queue/queue.model.js";
import { startCluster, type Cluster } from "../helpers/server-processes.js";
import { subscribe, type GraphQLTestClient } from "../helpers/graphql-client.js";
import {
  eventually,
  issue,
  leave,
  queueStatus,
  signUp,
  UPDATES,
  type Ticket,
} from "../helpers/queue-helpers.js";
import { REDIS_MODES, startRedisMode, type RedisModeHandle } from "../helpers/redis-modes.js";
import type { Redis } from "../../src/platform/redis/redis.js";

const MAX_ACTIVE = 3;
const PER_TICK = 2;
const TICK_MS = 250;

describe.each(REDIS_MODES)("queue admission and live updates across two instances (%s Redis)", (mode) => {
  let target: RedisModeHandle;
  let cluster: Cluster;
  let concerts: string[];
  let redis: Redis;

  beforeAll(async () => {
    target = await startRedisMode(mode);
    cluster = await startCluster(2, {
      ...target.env,
      QUEUE_MAX_ACTIVE: String(MAX_ACTIVE),
      QUEUE_ADMIT_PER_TICK: String(PER_TICK),
      QUEUE_TICK_MS: String(TICK_MS),
      QUEUE_ACTIVE_SECONDS: "5",
      QUEUE_IDLE_SECONDS: "60",
    });
    const data = await cluster.servers[0]!.client.data<{ concerts: { id: string }[] }>("{ concerts { id } }");
    concerts = data.concerts.map((c) => c.id);
    redis = target.connect();
  });
  afterAll(async () => {
    redis?.disconnect();
    await cluster?.stop();
    await target?.stop();
  });

  it("never has more than QUEUE_MAX_ACTIVE active nor admits more than QUEUE_ADMIT_PER_TICK per tick", async () => {
    const clients = cluster.servers.map((s) => s.client);
    const concertId = concerts[0]!;
    const keys = queueKeys(cluster.env.redisPrefix, concertId);
    const users = await Promise.all(Array.from({ length: 15 }, (_, i) => signUp(clients[i % 2]!)));
    const tickets = await Promise.all(users.map((u, i) => issue(clients[i % 2]!, u, concertId)));
    expect(tickets.filter((t) => t.status === "ACTIVE").length).toBeLessThanOrEqual(MAX_ACTIVE);

    let maxSeen = 0;
    const admittedEver = new Set<string>();
    await eventually(
      async () => {
        const now = Date.now();
        const [live, members, waiting] = await Promise.all([
          redis.zcount(keys.active, `(${now}`, "+inf"),
          redis.zrange(keys.active, 0, -1),
          redis.zcard(keys.waiting),
        ]);
        maxSeen = Math.max(maxSeen, live);
        for (const m of members) admittedEver.add(m);
        return waiting === 0 && admittedEver.size === 15;
      },
      60_000,
      20,
    );
    expect(maxSeen).toBeLessThanOrEqual(MAX_ACTIVE);
    expect(maxSeen).toBe(MAX_ACTIVE);
    // Each tick's admissions, as the admit script logged them.
    const log = await redis.zrange(keys.admits, 0, -1, "WITHSCORES");
    const ticks: { at: number; n: number }[] = [];
    for (let i = 0; i < log.length; i += 2)
      ticks.push({ at: Number(log[i + 1]), n: Number(log[i]!.split(":")[1]) });
    expect(ticks.length).toBeGreaterThan(0);
    for (const t of ticks) expect(t.n).toBeLessThanOrEqual(PER_TICK);
    // Both instances tick, yet one admitting tick runs per interval (the per-concert gate).
    for (let i = 1; i < ticks.length; i++)
      expect(ticks[i]!.at - ticks[i - 1]!.at).toBeGreaterThanOrEqual(TICK_MS * 0.9);
  });

  it("pushes to a subscriber on A the move caused by a leave on B, then ACTIVE, then EXPIRED; queueStatus agrees", async () => {
    const [a, b] = cluster.servers.map((s) => s.client) as [GraphQLTestClient, GraphQLTestClient];
    const concertId = concerts[1]!;
    const holders = await Promise.all([signUp(a), signUp(b), signUp(b)]);
    for (const h of holders) expect((await issue(b, h, concertId)).status).toBe("ACTIVE");
    const ahead = await issue(b, await signUp(b), concertId);
    const me = await issue(a, await signUp(a), concertId);
    expect(me.position).toBe(2);

    const ws = a.ws(`Bearer ${me.token}`);
    const sub = subscribe<{ queueUpdates: Ticket }>(ws, UPDATES);
    expect((await sub.next()).data?.queueUpdates).toMatchObject({ status: "WAITING", position: 2 });

    await leave(b, ahead.token);
    const moved = (await sub.next()).data?.queueUpdates;
    expect(moved).toMatchObject({ status: "WAITING", position: 1 });

    // The holders' 5 s run out; the next tick (on any instance) admits me.
    const admitted = (await sub.next((e) => e.data?.queueUpdates.status !== "WAITING", 15_000)).data
      ?.queueUpdates;
    expect(admitted).toMatchObject({ status: "ACTIVE", position: null });
    const polled = await queueStatus(b, me.token);
    expect(polled).toMatchObject({ status: "ACTIVE", activeUntil: admitted!.activeUntil });

    // My own 5 s run out: EXPIRED is pushed and the stream completes.
    const expired = (await sub.next((e) => e.data?.queueUpdates.status === "EXPIRED", 15_000)).data
      ?.queueUpdates;
    expect(expired?.status).toBe("EXPIRED");
    expect(await sub.done).toEqual({});
    expect((await queueStatus(b, me.token)).status).toBe("EXPIRED");
    expect(
      await b.errorCode(
        "query($c: ID!) { availableDates(concertId: $c) { id } }",
        { c: concertId },
        me.token,
      ),
    ).toBe("QUEUE_TOKEN_EXPIRED");
    await ws.dispose();
  });

  it("fills a slot freed by leaveQueue on one instance at the next tick of any instance", async () => {
    const [a, b] = cluster.servers.map((s) => s.client) as [GraphQLTestClient, GraphQLTestClient];
    const concertId = concerts[2]!;
    const holders = await Promise.all([signUp(a), signUp(a), signUp(a)]);
    const held = [];
    for (const h of holders) held.push(await issue(a, h, concertId));
    const next = await issue(b, await signUp(b), concertId);
    expect(next.status).toBe("WAITING");
    await leave(a, held[0]!.token);
    await eventually(async () => (await queueStatus(b, next.token)).status === "ACTIVE", 2_000, 25);
    // The slot came from the departure: the other holders' time has not run out.
    expect((await queueStatus(b, held[1]!.token)).status).toBe("ACTIVE");
  });
});
