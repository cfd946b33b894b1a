// Steering a sale across two server processes: a control made on A is obeyed by B within a
// tick, the policy knob, the audit log, and controls that survive a restart of both instances.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueKeys } from "../../src/modules/queue/queue.model.js";
import { ACTIONS, AdminTestClient, ALICE, BOB, TEST_OPERATOR_KEYS } from "../helpers/admin-client.js";
import { subscribe } from "../helpers/graphql-client.js";
import { eventually } from "../helpers/queue-helpers.js";
import { startCluster, startServerProcess, type Cluster } from "../helpers/server-processes.js";
import {
  control,
  fan,
  FAN_UPDATES,
  fanStatus,
  newSale,
  PAUSE,
  POLICY,
  RESUME,
  sleep,
  stats,
  type FanTicket,
} from "./live-sale-helpers.js";

const TICK_MS = 250;

/** The admit script's log: one entry per tick that admitted, with how many. */
async function admissions(redis: Redis, prefix: string, concertId: string) {
  const log = await redis.zrange(queueKeys(prefix, concertId).admits, 0, -1, "WITHSCORES");
  const ticks: { at: number; n: number }[] = [];
  for (let i = 0; i < log.length; i += 2)
    ticks.push({ at: Number(log[i + 1]), n: Number(log[i]!.split(":")[1]) });
  return ticks;
}

describe("sale controls across two instances", () => {
  let cluster: Cluster;
  let redis: Redis;
  let a: AdminTestClient;
  let b: AdminTestClient;

  beforeAll(async () => {
    cluster = await startCluster(2, {
      OPERATOR_KEYS: TEST_OPERATOR_KEYS,
      QUEUE_TICK_MS: String(TICK_MS),
      QUEUE_MAX_ACTIVE: "100",
      QUEUE_ADMIT_PER_TICK: "50",
      QUEUE_ACTIVE_SECONDS: "300",
    });
    redis = new Redis(cluster.env.config.REDIS_URL);
    a = new AdminTestClient(cluster.servers[0]!.url, ALICE.secret);
    b = new AdminTestClient(cluster.servers[1]!.url, BOB.secret);
  });
  afterAll(async () => {
    redis?.disconnect();
    await cluster?.stop();
  });

  it("stops admission on B within a tick of a pause on A, keeps ACTIVE users, and admits again on resume", async () => {
    const fans = cluster.servers[1]!.client;
    const { concertId } = await newSale(a);
    // A backlog: fans enter while paused, then admission runs at one per tick.
    await control(a, POLICY, { c: concertId, admitPerTick: 1 });
    await control(a, PAUSE, { c: concertId });
    await sleep(TICK_MS * 2);
    const line = [];
    for (let i = 0; i < 12; i++) line.push(await fan(fans, concertId));
    expect(line.every((t) => t.status === "WAITING")).toBe(true);
    await control(b, RESUME, { c: concertId });
    await eventually(
      async () => (await admissions(redis, cluster.env.redisPrefix, concertId)).length >= 2,
      10_000,
      20,
    );

    const paused = await control(a, PAUSE, { c: concertId });
    const pausedAt = Date.now();
    expect(paused).toMatchObject({ concertId, paused: true, admitPerTick: 1, updatedBy: ALICE.name });
    await sleep(TICK_MS * 6);
    const late = (await admissions(redis, cluster.env.redisPrefix, concertId)).filter(
      (t) => t.at > pausedAt + TICK_MS,
    );
    expect(late).toEqual([]);
    const during = await stats(b, concertId);
    expect(during).toMatchObject({ paused: true, waiting: 12 - during.active });
    expect(during.waiting).toBeGreaterThan(0);
    // The first in line was admitted before the pause and stays ACTIVE through it.
    expect((await fanStatus(fans, line[0]!.token)).status).toBe("ACTIVE");
    await sleep(TICK_MS * 2);
    expect((await stats(b, concertId)).waiting).toBe(during.waiting);

    const resumedAt = Date.now();
    expect((await control(b, RESUME, { c: concertId })).paused).toBe(false);
    await eventually(async () => (await stats(a, concertId)).waiting < during.waiting, 10_000, 50);
    const after = (await admissions(redis, cluster.env.redisPrefix, concertId)).filter(
      (t) => t.at >= resumedAt,
    );
    expect(after.length).toBeGreaterThan(0);
  });

  it("admits nobody at once into an empty paused queue, and pushes admissionPaused to the waiting fan", async () => {
    const fans = cluster.servers[1]!.client;
    const { concertId } = await newSale(a);
    await control(a, PAUSE, { c: concertId });
    await sleep(TICK_MS * 2);
    const waiter = await fan(fans, concertId);
    expect(waiter).toMatchObject({ status: "WAITING", position: 1, admissionPaused: true, soldOut: false });
    const ws = fans.ws();
    const stream = subscribe<{ queueUpdates: FanTicket }>(ws, FAN_UPDATES, { token: waiter.token });
    await stream.next((e) => e.data?.queueUpdates.admissionPaused === true);
    await control(a, RESUME, { c: concertId });
    const resumed = await stream.next((e) => e.data?.queueUpdates.status === "ACTIVE", 10_000);
    expect(resumed.data!.queueUpdates.admissionPaused).toBe(false);
    stream.unsubscribe();
    await ws.dispose();
  });

  it("admits admitPerTick=1 one per tick and never more than maxActive at once", async () => {
    const fans = cluster.servers[1]!.client;
    const { concertId } = await newSale(a);
    await control(a, PAUSE, { c: concertId });
    const policy = await control(b, POLICY, { c: concertId, maxActive: 3, admitPerTick: 1 });
    expect(policy).toMatchObject({ maxActive: 3, admitPerTick: 1, paused: true, updatedBy: BOB.name });
    await sleep(TICK_MS * 2);
    for (let i = 0; i < 8; i++) await fan(fans, concertId);
    await control(a, RESUME, { c: concertId });
    const keys = queueKeys(cluster.env.redisPrefix, concertId);
    let maxSeen = 0;
    const deadline = Date.now() + TICK_MS * 12;
    while (Date.now() < deadline) {
      maxSeen = Math.max(maxSeen, await redis.zcount(keys.active, `(${Date.now()}`, "+inf"));
      await sleep(20);
    }
    expect(maxSeen).toBe(3);
    const ticks = await admissions(redis, cluster.env.redisPrefix, concertId);
    expect(ticks.length).toBe(3);
    for (const t of ticks) expect(t.n).toBe(1);
    for (let i = 1; i < ticks.length; i++)
      expect(ticks[i]!.at - ticks[i - 1]!.at).toBeGreaterThanOrEqual(TICK_MS * 0.9);
    // Raising the cap is obeyed within a tick or two on both instances.
    await control(a, POLICY, { c: concertId, maxActive: 5 });
    await eventually(async () => (await stats(b, concertId)).active === 5, 10_000, 50);
  });

  it("audits each control with its operator, newest first, and audits nothing for a refused one", async () => {
    const { concertId } = await newSale(a);
    await control(a, PAUSE, { c: concertId });
    await control(b, POLICY, { c: concertId, maxActive: 40 });
    await control(a, RESUME, { c: concertId });
    const read = async () =>
      (
        await a.data<{ operatorActions: { operator: string; action: string; details: string }[] }>(ACTIONS, {
          concertId,
        })
      ).operatorActions;
    const log = await read();
    expect(log.map((e) => [e.action, e.operator])).toEqual([
      ["resumeAdmission", ALICE.name],
      ["setAdmissionPolicy", BOB.name],
      ["pauseAdmission", ALICE.name],
      ["addConcertDate", ALICE.name],
      ["createConcert", ALICE.name],
    ]);
    expect(JSON.parse(log[1]!.details)).toMatchObject({
      args: { concertId, maxActive: 40 },
      result: { maxActive: 40, paused: true },
    });

    const refused = [
      [{ c: concertId, maxActive: -1 }, "BAD_USER_INPUT", /maxActive/],
      [{ c: concertId, maxActive: 1_000_001 }, "BAD_USER_INPUT", /maxActive/],
      [{ c: concertId, admitPerTick: 0 }, "BAD_USER_INPUT", /admitPerTick/],
      [{ c: concertId, admitPerTick: 100_001 }, "BAD_USER_INPUT", /admitPerTick/],
      [{ c: "019abcde-0000-7000-8000-00000000ffff", maxActive: 1 }, "NOT_FOUND", /not found/],
    ] as const;
    for (const [vars, code, message] of refused) {
      const error = await a.error(POLICY, vars);
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    }
    expect((await a.error(PAUSE, { c: "019abcde-0000-7000-8000-00000000ffff" })).code).toBe("NOT_FOUND");
    expect(await read()).toEqual(log);
    expect(await stats(a, concertId)).toMatchObject({ maxActive: 40, admitPerTick: 50, paused: false });
  });

  it("keeps the pause and the policy when both instances restart", async () => {
    const { concertId } = await newSale(a);
    await control(a, POLICY, { c: concertId, maxActive: 7, admitPerTick: 2 });
    await control(b, PAUSE, { c: concertId });
    await Promise.all(cluster.servers.map((s) => s.stop()));
    const restarted = await Promise.all([
      startServerProcess(cluster.env.env),
      startServerProcess(cluster.env.env),
    ]);
    cluster.servers.splice(0, cluster.servers.length, ...restarted);
    const admin = new AdminTestClient(restarted[0]!.url, ALICE.secret);
    expect(await stats(admin, concertId)).toMatchObject({ paused: true, maxActive: 7, admitPerTick: 2 });
    // The new processes obey it: an empty paused queue still admits nobody, on either of them.
    const waiter = await fan(restarted[1]!.client, concertId);
    expect(waiter).toMatchObject({ status: "WAITING", admissionPaused: true });
    await sleep(TICK_MS * 4);
    expect((await fanStatus(restarted[0]!.client, waiter.token)).status).toBe("WAITING");
    await control(admin, RESUME, { c: concertId });
    await eventually(
      async () => (await fanStatus(restarted[1]!.client, waiter.token)).status === "ACTIVE",
      10_000,
      50,
    );
  });
});
