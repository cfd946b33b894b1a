// A Redis Cluster primary dies mid-sale: SIGKILL (a crash, no last sync) of the primary that
// owns the concert's queue slot while entries are in flight on two server processes. Its
// replica takes over (cluster-node-timeout 1 s); the service answers again within seconds
// without a restart; every entry that was answered keeps its place and the order (the queue
// waits for the replica after each ticket write: REDIS_WAIT_REPLICAS, 1 by default on a
// cluster); a subscriber's pushes go on over the new primary. The figures are logged.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subscribe } from "../helpers/graphql-client.js";
import {
  ISSUE,
  LEAVE,
  STATUS,
  UPDATES,
  signUp,
  type TestUser,
  type Ticket,
} from "../helpers/queue-helpers.js";
import { startRedisCluster, type RedisClusterHandle } from "../helpers/redis-cluster.js";
import { call, startCluster, type Cluster, type ServerProcess } from "../helpers/server-processes.js";

const BEFORE = 100;
const DURING = 100;

/** issueQueueToken as a client does it: retried on SERVICE_UNAVAILABLE until answered. */
async function enter(server: ServerProcess, user: TestUser, concertId: string, failures: string[]) {
  for (;;) {
    const body = await call(server, ISSUE, { ...user, concertId });
    const ticket = body.data?.["issueQueueToken"] as Ticket | undefined;
    if (ticket) return ticket;
    const code = body.errors?.[0]?.extensions?.code ?? "NONE";
    failures.push(code);
    if (code !== "SERVICE_UNAVAILABLE") throw new Error(`entry refused: ${JSON.stringify(body.errors)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const seqOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { s: number }).s;

describe("a Redis Cluster primary fails over mid-sale", () => {
  let redis: RedisClusterHandle;
  let cluster: Cluster;
  let concertId: string;

  beforeAll(async () => {
    redis = await startRedisCluster({ nodeTimeoutMs: 1000 });
    cluster = await startCluster(2, {
      REDIS_CLUSTER_NODES: redis.seeds,
      QUEUE_MAX_ACTIVE: "5",
      QUEUE_ACTIVE_SECONDS: "600",
      QUEUE_IDLE_SECONDS: "600",
      QUEUE_TICK_MS: "200",
    });
    const first = cluster.servers[0]!.client;
    concertId = (await first.data<{ concerts: { id: string }[] }>("{ concerts { id } }")).concerts[0]!.id;
  });
  afterAll(async () => {
    await cluster?.stop();
    await redis?.stop();
  });

  it("keeps every answered place and its order, answers again within seconds, and pushes on", async () => {
    const [a, b] = cluster.servers as [ServerProcess, ServerProcess];
    const users = await Promise.all(
      Array.from({ length: BEFORE + DURING }, (_, i) => signUp([a, b][i % 2]!.client)),
    );
    const failures: string[] = [];
    const early = await Promise.all(
      users.slice(0, BEFORE).map((u, i) => enter([a, b][i % 2]!, u, concertId, failures)),
    );
    const waiting = early.filter((t) => t.status === "WAITING").sort((x, y) => x.position! - y.position!);
    const [ahead, watcher] = [waiting[1]!, waiting[9]!];
    const ws = a.client.ws(`Bearer ${watcher.token}`, { retryAttempts: 20 });
    const sub = subscribe<{ queueUpdates: Ticket }>(ws, UPDATES);
    expect((await sub.next()).data?.queueUpdates.position).toBe(watcher.position);

    // The burst starts; once some of it is answered the primary of the concert's slot dies.
    const primary = await redis.primaryOf(`${cluster.env.redisPrefix}queue:{${concertId}}:seq`);
    let answered = 0;
    const burst = users
      .slice(BEFORE)
      .map((u, i) => enter([a, b][i % 2]!, u, concertId, failures).finally(() => answered++));
    while (answered < 20) await new Promise((r) => setTimeout(r, 5));
    const killedAt = Date.now();
    redis.kill(primary);

    // A client polling its status every 100 ms: when does it get an answer again?
    const polls: { sentAt: number; answeredAt: number; ok: boolean }[] = [];
    for (;;) {
      const sentAt = Date.now();
      const body = await call(b, STATUS, {}, early[0]!.token);
      polls.push({ sentAt, answeredAt: Date.now(), ok: Boolean(body.data?.["queueStatus"]) });
      if (polls.at(-1)!.ok && sentAt > killedAt + 200) break;
      if (Date.now() - killedAt > 60_000) throw new Error("no answer within 60 s of the failover");
      await new Promise((r) => setTimeout(r, 100));
    }
    const late = await Promise.all(burst);
    const firstOk = polls.find((p) => p.ok && p.sentAt >= killedAt)!;
    const answerAgainMs = firstOk.answeredAt - killedAt;
    await redis.waitHealthy();

    // Every answered entry: still there (not EXPIRED), and WAITING positions follow entry order.
    const tickets = [...early, ...late];
    const now = await Promise.all(tickets.map((t, i) => call([a, b][i % 2]!, STATUS, {}, t.token)));
    const statuses = now.map((r) => (r.data?.["queueStatus"] as Ticket).status);
    const kept = statuses.filter((s) => s !== "EXPIRED").length;
    const stillWaiting = now
      .map((r, i) => ({ t: r.data?.["queueStatus"] as Ticket, seq: seqOf(tickets[i]!.token) }))
      .filter((x) => x.t.status === "WAITING")
      .sort((x, y) => x.seq - y.seq);
    const positions = stillWaiting.map((x) => x.t.position);

    console.info(
      JSON.stringify({
        failover: {
          users: tickets.length,
          answeredBeforeKill: BEFORE + 20,
          kept,
          lost: tickets.length - kept,
          answerAgainMs,
          failedPolls: polls.filter((p) => !p.ok).length,
          longestPollMs: Math.max(...polls.map((p) => p.answeredAt - p.sentAt)),
          entryRetries: failures.length,
          distinctSeqs: new Set(tickets.map((t) => seqOf(t.token))).size,
        },
      }),
    );
    expect(kept).toBe(tickets.length);
    expect(positions).toEqual(Array.from({ length: positions.length }, (_, i) => i + 1));
    expect(answerAgainMs).toBeLessThan(15_000);

    // Pushes go on over the new primary: a departure ahead moves the watcher up.
    const before = (await call(a, STATUS, {}, watcher.token)).data?.["queueStatus"] as Ticket;
    await call(b, LEAVE, {}, ahead.token);
    const moved = await sub.next((e) => e.data?.queueUpdates.position === before.position! - 1, 20_000);
    expect(moved.data?.queueUpdates.status).toBe("WAITING");
    sub.unsubscribe();
    await ws.dispose();
  });
});
