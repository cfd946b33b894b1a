// queueUpdates over a real WebSocket (graphql-ws) in one process: authentication failures as
// docs/api.md's Transport section says, the first push, and a push after a departure and a tick.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../../src/platform/clock.js";
import { createQueueModule } from "../../../src/modules/queue/queue.module.js";
import { subscribe } from "../../helpers/graphql-client.js";
import {
  concertIds,
  issue,
  leave,
  queueStatus,
  signUp,
  UPDATES,
  type Ticket,
} from "../../helpers/queue-helpers.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

describe("queueUpdates subscription", () => {
  let t: TestApp;
  const clock = new FakeClock(new Date());
  let concertId: string;
  const tickNow = () => {
    const infra = { ...t.app.infra, config: { ...t.app.infra.config, QUEUE_TICK_MS: 10 } };
    return createQueueModule(infra, { users: { verifyAccessKey: async () => undefined } }).service.tick();
  };

  beforeAll(async () => {
    t = await startTestApp(
      {
        QUEUE_MAX_ACTIVE: "1",
        QUEUE_ADMIT_PER_TICK: "1",
        QUEUE_TICK_MS: "3600000",
        QUEUE_ACTIVE_SECONDS: "60",
      },
      { clock },
    );
    concertId = (await concertIds(t.app.infra.prisma))[0]!;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("closes the socket with 4403 when connectionParams carry a bad token", async () => {
    const ws = t.client.ws("Bearer forged.token");
    const closed = new Promise<number>((resolve) =>
      ws.on("closed", (e) => resolve((e as { code: number }).code)),
    );
    const sub = subscribe<{ queueUpdates: Ticket }>(ws, UPDATES);
    expect(await closed).toBe(4403);
    sub.unsubscribe();
    await ws.dispose();
  });

  it("ends the subscription with UNAUTHENTICATED when the token argument is bad", async () => {
    const ws = t.client.ws();
    const sub = subscribe<{ queueUpdates: Ticket }>(ws, UPDATES, { token: "forged.token" });
    const { error } = await sub.done;
    const errors = error as { extensions?: { code?: string } }[];
    expect(errors[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    await ws.dispose();
  });

  it("pushes the ticket at once, the new position after a departure, ACTIVE on admission, and EXPIRED at the end", async () => {
    const users = [await signUp(t.client), await signUp(t.client), await signUp(t.client)];
    const [first, ahead, me] = [
      await issue(t.client, users[0]!, concertId),
      await issue(t.client, users[1]!, concertId),
      await issue(t.client, users[2]!, concertId),
    ];
    expect(me.position).toBe(2);
    const ws = t.client.ws(`Bearer ${me.token}`);
    const sub = subscribe<{ queueUpdates: Ticket }>(ws, UPDATES);
    expect((await sub.next()).data?.queueUpdates).toMatchObject({ status: "WAITING", position: 2 });

    await leave(t.client, ahead.token);
    expect((await sub.next()).data?.queueUpdates).toMatchObject({ status: "WAITING", position: 1 });

    await leave(t.client, first.token);
    await tickNow();
    const admitted = (await sub.next()).data?.queueUpdates;
    expect(admitted).toMatchObject({ status: "ACTIVE", position: null });
    expect(await queueStatus(t.client, me.token)).toMatchObject({
      status: "ACTIVE",
      activeUntil: admitted?.activeUntil,
    });

    clock.advance(60_000);
    await tickNow();
    expect((await sub.next()).data?.queueUpdates).toMatchObject({ status: "EXPIRED" });
    expect(await sub.done).toEqual({});
    await ws.dispose();
  });
});
