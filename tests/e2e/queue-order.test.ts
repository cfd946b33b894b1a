// Exact FIFO across instances: 500 users enter at once through two server processes while the
// only slot is taken; positions are exactly 1..500 and admission follows them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../helpers/server-processes.js";
import type { GraphQLTestClient } from "../helpers/graphql-client.js";
import {
  eventually,
  issue,
  leave,
  queueStatus,
  signUp,
  type TestUser,
  type Ticket,
} from "../helpers/queue-helpers.js";

async function concertIdsOf(client: GraphQLTestClient): Promise<string[]> {
  const data = await client.data<{ concerts: { id: string }[] }>("{ concerts { id } }");
  return data.concerts.map((c) => c.id);
}

async function inBatches<T, R>(
  items: T[],
  size: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => fn(item, i + j)))));
  }
  return out;
}

describe("queue order across two instances", () => {
  let cluster: Cluster;
  let concerts: string[];

  beforeAll(async () => {
    cluster = await startCluster(2, {
      QUEUE_MAX_ACTIVE: "1",
      QUEUE_ADMIT_PER_TICK: "1",
      QUEUE_TICK_MS: "100",
      QUEUE_ACTIVE_SECONDS: "600",
      QUEUE_IDLE_SECONDS: "600",
    });
    concerts = await concertIdsOf(cluster.servers[0]!.client);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("gives 500 concurrent entries over two processes positions exactly 1..500, and admits in that order", async () => {
    const [a, b] = cluster.servers.map((s) => s.client) as [GraphQLTestClient, GraphQLTestClient];
    const concertId = concerts[0]!;
    const users = await inBatches(Array.from({ length: 501 }), 50, (_, i) => signUp(i % 2 ? b : a));
    const holder = await issue(a, users[0]!, concertId);
    expect(holder.status).toBe("ACTIVE");

    const entrants = users.slice(1);
    const tickets = await Promise.all(entrants.map((u, i) => issue(i % 2 ? b : a, u, concertId)));
    expect(tickets.every((t) => t.status === "WAITING")).toBe(true);
    expect(tickets.map((t) => t.position).sort((x, y) => x! - y!)).toEqual(
      Array.from({ length: 500 }, (_, i) => i + 1),
    );

    const byPosition = [...tickets].sort((x, y) => x.position! - y.position!);
    // Free the slot 10 times, on alternating instances: each time exactly the head is admitted.
    let current: Ticket = holder;
    for (let k = 0; k < 10; k++) {
      await leave(k % 2 ? a : b, current.token);
      const next = byPosition[k]!;
      await eventually(async () => (await queueStatus(a, next.token)).status === "ACTIVE", 10_000, 25);
      expect(await queueStatus(b, byPosition[k + 1]!.token)).toMatchObject({
        status: "WAITING",
        position: 1,
      });
      current = next;
    }
    // Everyone else kept their relative order: position dropped by exactly 10.
    const rest = await inBatches(byPosition.slice(10), 50, (t, i) => queueStatus(i % 2 ? b : a, t.token));
    expect(rest.map((t) => t.position)).toEqual(byPosition.slice(10).map((t) => t.position! - 10));
  });

  it("re-issues the same token and place on either instance while WAITING", async () => {
    const [a, b] = cluster.servers.map((s) => s.client) as [GraphQLTestClient, GraphQLTestClient];
    const concertId = concerts[1]!;
    const [u0, u1]: TestUser[] = [await signUp(a), await signUp(a)];
    await issue(a, u0!, concertId);
    const first = await issue(a, u1!, concertId);
    const again = await Promise.all([
      issue(a, u1!, concertId),
      issue(b, u1!, concertId),
      issue(b, u1!, concertId),
    ]);
    for (const t of again) expect(t).toMatchObject({ token: first.token, position: 1, status: "WAITING" });
  });

  it("guards seat operations: QUEUE_NOT_ADMITTED with position while WAITING, FORBIDDEN for another concert", async () => {
    const [a, b] = cluster.servers.map((s) => s.client) as [GraphQLTestClient, GraphQLTestClient];
    const concertId = concerts[2]!;
    const [u0, u1] = [await signUp(a), await signUp(a)];
    const active = await issue(a, u0, concertId);
    const waiting = await issue(b, u1, concertId);
    const q = "query($c: ID!) { availableDates(concertId: $c) { id } }";
    const res = await b.request(q, { c: concertId }, waiting.token);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "QUEUE_NOT_ADMITTED", position: 1 });
    expect(await a.errorCode(q, { c: concerts[0]! }, active.token)).toBe("FORBIDDEN");
    expect(await a.errorCode(q, { c: concertId }, active.token)).toBeUndefined();
    expect(await a.errorCode(q, { c: concertId }, `${active.token}x`)).toBe("UNAUTHENTICATED");
    expect(await a.errorCode(q, { c: concertId }, null)).toBe("UNAUTHENTICATED");
  });
});
