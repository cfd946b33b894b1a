// Abandonment with the real clock and the app's own ticker: a waiter that neither polls nor
// subscribes loses the place after QUEUE_IDLE_SECONDS; an open subscription keeps it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subscribe } from "../../helpers/graphql-client.js";
import { concertIds, issue, queueStatus, signUp, UPDATES, type Ticket } from "../../helpers/queue-helpers.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

describe("queue abandonment", () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      QUEUE_MAX_ACTIVE: "1",
      QUEUE_TICK_MS: "100",
      QUEUE_IDLE_SECONDS: "2",
      QUEUE_ACTIVE_SECONDS: "600",
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("drops a silent waiter after the idle limit while a subscribed waiter keeps its place", async () => {
    const concertId = (await concertIds(t.app.infra.prisma))[0]!;
    const [holder, silent, listening] = [
      await signUp(t.client),
      await signUp(t.client),
      await signUp(t.client),
    ];
    expect((await issue(t.client, holder, concertId)).status).toBe("ACTIVE");
    const ghost = await issue(t.client, silent, concertId);
    const me = await issue(t.client, listening, concertId);
    expect([ghost.position, me.position]).toEqual([1, 2]);

    const ws = t.client.ws(`Bearer ${me.token}`);
    const sub = subscribe<{ queueUpdates: Ticket }>(ws, UPDATES);
    expect((await sub.next()).data?.queueUpdates.position).toBe(2);
    // The ghost is dropped by the ticker: the subscriber moves up without anyone leaving.
    expect((await sub.next(undefined, 10_000)).data?.queueUpdates).toMatchObject({
      status: "WAITING",
      position: 1,
    });

    // Two and a half idle limits later the subscriber still waits: its open stream is its heartbeat.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(sub.events.map((e) => e.data?.queueUpdates.status)).toEqual(["WAITING", "WAITING"]);
    expect(await queueStatus(t.client, me.token)).toMatchObject({ status: "WAITING", position: 1 });
    expect((await queueStatus(t.client, ghost.token)).status).toBe("EXPIRED");
    sub.unsubscribe();
    await ws.dispose();
  });
});
