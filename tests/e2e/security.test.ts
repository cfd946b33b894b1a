// Abuse across two real server processes: the rate-limit budget is one budget for every
// instance (counted in Redis), and a bot cannot multiply its chances in the queue by issuing
// again or in parallel for the same user and concert (one live ticket: same token and place).
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ISSUE, type TestUser, type Ticket } from "../helpers/queue-helpers.js";
import { startCluster, type Cluster, type ServerProcess } from "../helpers/server-processes.js";

let ipCounter = 0;
/** Each request from its own address (TRUST_PROXY=true), so only the limit under test bites. */
const freshIp = () => `100.64.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

async function call(
  server: ServerProcess,
  query: string,
  variables: Record<string, unknown> = {},
  ip = freshIp(),
): Promise<{ data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] }> {
  const res = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": ip },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as never;
}

describe("abuse across two instances", () => {
  let cluster: Cluster;
  let a: ServerProcess;
  let b: ServerProcess;
  let redis: Redis;
  let concertId: string;

  beforeAll(async () => {
    cluster = await startCluster(2, {
      RATE_LIMIT_ENABLED: "true",
      TRUST_PROXY: "true",
      RATE_LIMIT_IP_PER_SECOND: "10",
      RATE_LIMIT_USER_PER_SECOND: "1000",
      // One slot, taken by a holder: everyone else WAITS, so places are observable.
      QUEUE_MAX_ACTIVE: "1",
      QUEUE_IDLE_SECONDS: "600",
    });
    [a, b] = cluster.servers as [ServerProcess, ServerProcess];
    redis = new Redis(cluster.env.env["REDIS_URL"]!);
    const concerts = await call(a, "{ concerts { id } }");
    concertId = (concerts.data!["concerts"] as { id: string }[])[0]!.id;
  });
  afterAll(async () => {
    redis?.disconnect();
    await cluster?.stop();
  });

  const signUp = async (server: ServerProcess): Promise<TestUser> =>
    (await call(server, 'mutation { signUp(name: "bot") { userId accessKey } }')).data!["signUp"] as TestUser;
  const issue = async (server: ServerProcess, user: TestUser) => {
    const r = await call(server, ISSUE, { ...user, concertId });
    if (!r.data) throw new Error(JSON.stringify(r.errors));
    return r.data["issueQueueToken"] as Ticket;
  };

  it("shares one IP's budget between the instances (counted once in Redis)", async () => {
    const ip = "203.0.113.9";
    // Alternate between the instances one request at a time: the eleventh is refused, which
    // could not happen before the twentieth if each instance counted on its own.
    let served = 0;
    let refused: string | undefined;
    for (let i = 0; i < 25 && !refused; i++) {
      const r = await call(i % 2 ? b : a, "{ serverTime }", {}, ip);
      if (r.errors) refused = r.errors[0]?.extensions?.code;
      else served++;
    }
    expect(refused).toBe("RATE_LIMITED");
    expect(served).toBe(10);
  });

  it("gives one user 60 parallel issueQueueToken calls over both instances exactly one ticket and place", async () => {
    const holder = await signUp(a);
    expect((await issue(a, holder)).status).toBe("ACTIVE");
    const earlier = await signUp(b);
    const bot = await signUp(a);
    const later = await signUp(b);
    const earlierTicket = await issue(b, earlier);
    expect(earlierTicket.position).toBe(1);

    const tickets = await Promise.all(Array.from({ length: 60 }, (_, i) => issue(i % 2 ? b : a, bot)));
    expect(new Set(tickets.map((t) => t.token)).size).toBe(1);
    expect(new Set(tickets.map((t) => t.position))).toEqual(new Set([2]));

    // The bot holds one place in Redis, and the next user is right behind it.
    const waiting = await redis.zrange(`${cluster.env.redisPrefix}queue:{${concertId}}:waiting`, 0, -1);
    expect(waiting.filter((m) => m.includes(bot.userId))).toHaveLength(1);
    expect((await issue(b, later)).position).toBe(3);

    // Re-issuing later (another burst) still gives the same token and place.
    const again = await Promise.all(Array.from({ length: 10 }, (_, i) => issue(i % 2 ? a : b, bot)));
    expect(new Set(again.map((t) => t.token))).toEqual(new Set([tickets[0]!.token]));
    expect(again.every((t) => t.position === 2)).toBe(true);
  });

  it("sends a bot that leaves and re-enters to the back of the line, never ahead of its old place", async () => {
    const users = [await signUp(a), await signUp(b), await signUp(a)];
    const [bot, x, y] = users as [TestUser, TestUser, TestUser];
    const first = await issue(a, bot);
    await issue(b, x);
    const res = await fetch(`${a.url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${first.token}`,
        "x-forwarded-for": freshIp(),
      },
      body: JSON.stringify({ query: `mutation { leaveQueue { status } }` }),
    });
    expect(((await res.json()) as { data: { leaveQueue: { status: string } } }).data.leaveQueue.status).toBe(
      "EXPIRED",
    );
    const yTicket = await issue(a, y);
    const reentered = await Promise.all(Array.from({ length: 20 }, (_, i) => issue(i % 2 ? b : a, bot)));
    expect(new Set(reentered.map((t) => t.token)).size).toBe(1);
    expect(reentered[0]!.token).not.toBe(first.token);
    expect(reentered[0]!.position).toBe(yTicket.position! + 1);
  });
});
