// What 100 operators watching a sale cost the fans (bounded; numbers depend on the machine).
//   node --import @swc-node/register/esm-register bench/operator-watchers.ts [fans] [seconds] [operators]
// One server process. `fans` users enter a concert's queue and subscribe to queueUpdates; every
// tick admits QUEUE_ADMIT_PER_TICK of them and each admitted fan leaves at once (a slot per
// departure, so every tick moves everyone's place). For `seconds` the fans' push latency is
// measured (push arrival minus the tick that caused it, from the admit script's log), first
// with no operator watching, then with `operators` saleStatsUpdates subscriptions open on
// /admin/graphql for the same concert. The hub computes the figures once per concert per tick
// whatever the number of operators, so the second phase should cost the fans about nothing.
import { Redis } from "ioredis";
import WebSocket from "ws";
import { queueKeys } from "../src/modules/queue/queue.model.js";
import { startCluster } from "../tests/helpers/server-processes.js";
import { gql, pool, seedUsers, sleep, summarize, type Summary } from "./lib.js";
import { QueueWatcher, type Push } from "./queue-watcher.js";

const FANS = Number(process.argv[2] ?? 500);
const SECONDS = Number(process.argv[3] ?? 8);
const OPERATORS = Number(process.argv[4] ?? 100);
const PER_TICK = Math.max(1, Math.round(FANS / 50));
const OPERATOR = { name: "bench", secret: "bench-operator-secret-0123456789abcdef" };
const REDIS_URL = process.env["TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379";
const ISSUE = `mutation ($u: ID!, $k: String!, $c: ID!) { issueQueueToken(userId: $u, accessKey: $k, concertId: $c) { token } }`;
const STATS =
  "subscription ($c: ID!) { saleStatsUpdates(concertId: $c) { waiting active admittedLastMinute } }";

/** A raw graphql-ws saleStatsUpdates subscriber; counts its pushes. */
function operatorWatcher(wsUrl: string, concertId: string, onPush: () => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, "graphql-transport-ws");
    ws.on("open", () =>
      ws.send(
        JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${OPERATOR.secret}` } }),
      ),
    );
    ws.on("message", (raw: Buffer) => {
      const msg = JSON.parse(raw.toString()) as { type: string };
      if (msg.type === "connection_ack")
        ws.send(
          JSON.stringify({
            id: "1",
            type: "subscribe",
            payload: { query: STATS, variables: { c: concertId } },
          }),
        );
      else if (msg.type === "next") {
        onPush();
        resolve(ws);
      } else if (msg.type === "ping") ws.send(JSON.stringify({ type: "pong" }));
      else if (msg.type === "error") reject(new Error(raw.toString()));
    });
    ws.on("error", reject);
  });
}

const cluster = await startCluster(1, {
  OPERATOR_KEYS: `${OPERATOR.name}:${OPERATOR.secret}`,
  RATE_LIMIT_ENABLED: "false",
  QUEUE_TICK_MS: "1000",
  QUEUE_MAX_ACTIVE: String(PER_TICK),
  QUEUE_ADMIT_PER_TICK: String(PER_TICK),
  QUEUE_ACTIVE_SECONDS: "600",
  QUEUE_IDLE_SECONDS: "600",
});
const redis = new Redis(REDIS_URL);
try {
  const server = cluster.servers[0]!;
  const { data } = await gql<{ concerts: { id: string }[] }>(server.url, "{ concerts { id } }");
  const concertId = data!.concerts[0]!.id;
  const users = await seedUsers(cluster.env.databaseUrl, FANS);
  const tokens: string[] = new Array(FANS);
  await pool(FANS, 50, async (i) => {
    const r = await gql<{ issueQueueToken: { token: string } }>(server.url, ISSUE, {
      u: users[i]!.userId,
      k: users[i]!.accessKey,
      c: concertId,
    });
    tokens[i] = r.data!.issueQueueToken.token;
  });
  const wsUrl = `${server.url.replace(/^http/, "ws")}/graphql`;
  let recording = false;
  const arrivals: Push[] = [];
  const watchers = tokens.map(
    (token) =>
      new QueueWatcher((_w, push) => {
        if (recording) arrivals.push(push);
        if (push.status === "ACTIVE") void gql(server.url, "mutation { leaveQueue { status } }", {}, token);
      }),
  );
  await pool(FANS, 50, (i) => watchers[i]!.open(wsUrl, tokens[i]!));

  const admitsKey = queueKeys(cluster.env.redisPrefix, concertId).admits;
  async function phase(): Promise<Summary> {
    arrivals.length = 0;
    const from = Date.now();
    recording = true;
    await sleep(SECONDS * 1000);
    recording = false;
    const log = await redis.zrangebyscore(admitsKey, from - 2000, "+inf", "WITHSCORES");
    const ticks: number[] = [];
    for (let i = 1; i < log.length; i += 2) ticks.push(Number(log[i]));
    const latencies = arrivals.flatMap((p) => {
      const tick = ticks.filter((t) => t <= p.at).pop();
      return tick === undefined ? [] : [p.at - tick];
    });
    return summarize(latencies);
  }

  const without = await phase();
  let operatorPushes = 0;
  const adminUrl = `${server.url.replace(/^http/, "ws")}/admin/graphql`;
  const sockets = await Promise.all(
    Array.from({ length: OPERATORS }, () =>
      operatorWatcher(adminUrl, concertId, () => (operatorPushes += 1)),
    ),
  );
  operatorPushes = 0;
  const withOperators = await phase();
  const pushesPerOperatorPerSecond = operatorPushes / OPERATORS / SECONDS;
  for (const s of sockets) s.terminate();
  for (const w of watchers) w.close();
  console.log(
    JSON.stringify(
      {
        fans: FANS,
        perTick: PER_TICK,
        seconds: SECONDS,
        operators: OPERATORS,
        fanPushLatencyMs: { withoutOperators: without, withOperators },
        pushesPerOperatorPerSecond: Math.round(pushesPerOperatorPerSecond * 100) / 100,
      },
      null,
      2,
    ),
  );
} finally {
  redis.disconnect();
  await cluster.stop();
}
