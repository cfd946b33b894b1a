// The pre-queue draw with two server processes: the operator schedules the sale on one
// instance (the real scheduleSale of /admin/graphql), fans enter on both; both instances'
// tickers race for the draw at the opening and it happens once; subscribers on both instances
// are pushed PREQUEUED, then WAITING at the place the revealed seed gives them; the reveal
// matches the commitment published before.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subscribe } from "../helpers/graphql-client.js";
import { eventually, issue, signUp, UPDATES, type Ticket } from "../helpers/queue-helpers.js";
import { AdminTestClient, createConcert, SCHEDULE, TEST_OPERATOR_KEYS } from "../helpers/admin-client.js";
import { drawOrder, saleDraw, sha256Hex } from "../helpers/sale-fixture.js";
import { startCluster, type Cluster } from "../helpers/server-processes.js";

const TICK_MS = 300;
const ENTRANTS = 30;

describe("pre-queue draw across two instances", () => {
  let cluster: Cluster;

  beforeAll(async () => {
    // One slot: after the draw exactly the head of the draw is admitted, everyone else waits.
    cluster = await startCluster(2, {
      LOG_LEVEL: "info",
      QUEUE_TICK_MS: String(TICK_MS),
      QUEUE_MAX_ACTIVE: "1",
      QUEUE_ADMIT_PER_TICK: "1",
      QUEUE_IDLE_SECONDS: "120",
      OPERATOR_KEYS: TEST_OPERATOR_KEYS,
    });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("draws once at the opening and pushes every subscriber on both instances its drawn place", async () => {
    const clients = cluster.servers.map((s) => s.client);
    const opensAt = new Date(Date.now() + 10_000);
    // Created on instance A with an opening in an hour, moved to ten seconds from now on B.
    const { id: concertId } = await createConcert(new AdminTestClient(cluster.servers[0]!.url), {
      saleOpensAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const scheduled = await new AdminTestClient(cluster.servers[1]!.url).data<{
      scheduleSale: { saleOpensAt: string };
    }>(SCHEDULE, { concertId, opensAt: opensAt.toISOString() });
    expect(scheduled.scheduleSale.saleOpensAt).toBe(opensAt.toISOString());
    const users = await Promise.all(Array.from({ length: ENTRANTS }, (_, i) => signUp(clients[i % 2]!)));
    const tickets = await Promise.all(users.map((u, i) => issue(clients[i % 2]!, u, concertId)));
    expect(tickets.every((t) => t.status === "PREQUEUED" && t.position === null)).toBe(true);
    expect(Date.now()).toBeLessThan(opensAt.getTime());

    // Every ticket subscribes, half on each instance (not the instance it entered on).
    const sockets = tickets.map((t, i) => clients[(i + 1) % 2]!.ws(`Bearer ${t.token}`));
    const subs = sockets.map((ws) => subscribe<{ queueUpdates: Ticket }>(ws, UPDATES));
    try {
      for (const s of subs) expect((await s.next()).data?.queueUpdates.status).toBe("PREQUEUED");
      const before = (await saleDraw(clients[0]!, concertId))!;
      expect(before.seed).toBeNull();

      let draw = before;
      await eventually(async () => {
        draw = (await saleDraw(clients[1]!, concertId))!;
        return draw.drawnAt !== null;
      }, 30_000);
      expect(draw.entrants).toBe(ENTRANTS);
      expect(sha256Hex(Buffer.from(draw.seed!, "hex"))).toBe(before.commitment);
      // Within one tick of the opening (plus the instance's own scheduling slack).
      const late = new Date(draw.drawnAt!).getTime() - opensAt.getTime();
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(TICK_MS + 500);

      const order = drawOrder(
        draw.seed!,
        users.map((u) => u.userId),
      );
      // The head of the draw is admitted; everyone else ends up one place ahead of their draw rank.
      const last = (i: number) => subs[i]!.events.at(-1)?.data?.queueUpdates;
      await eventually(async () =>
        users.every((u, i) => {
          const rank = order.indexOf(u.userId);
          const t = last(i);
          return rank === 0 ? t?.status === "ACTIVE" : t?.status === "WAITING" && t.position === rank;
        }),
      );
      for (const [i, u] of users.entries()) {
        const statuses = subs[i]!.events.map((e) => e.data?.queueUpdates.status);
        expect(statuses[0]).toBe("PREQUEUED");
        expect(statuses.indexOf("PREQUEUED", 1)).toBe(-1);
        // The first push after the draw is the drawn place (the head's admission may come first).
        const first = subs[i]!.events[1]!.data!.queueUpdates;
        const rank = order.indexOf(u.userId);
        if (rank > 0) expect([rank, rank + 1]).toContain(first.position);
      }
      // Both instances run the draw job every tick; exactly one drew.
      const logs = cluster.servers.map((s) => s.output().split("pre-queue drawn").length - 1);
      expect(logs[0]! + logs[1]!).toBe(1);
    } finally {
      subs.forEach((s) => s.unsubscribe());
      await Promise.all(sockets.map((ws) => ws.dispose()));
    }
  });
});
