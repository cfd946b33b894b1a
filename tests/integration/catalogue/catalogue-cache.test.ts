// CATALOGUE_CHANGED against real Redis: a date's seats, cached per process for reserveSeat
// (HOLD_TARGET_TTL_MS = 60 s), are dropped the moment the event arrives, for the named date or
// for every date of the named concert; an instance with no Operator API keys refuses every
// admin call with a message that says so, and introspection off holds there too.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CatalogueChangedEvent } from "../../../src/platform/redis/topics.js";
import { AdminTestClient, ADMIN_CONCERTS, TEST_OPERATOR_KEYS } from "../../helpers/admin-client.js";
import { concertIds, issue, signUp } from "../../helpers/queue-helpers.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

let t: TestApp;
const RESERVE = `mutation ($d: ID!, $n: Int!) { reserveSeat(concertDateId: $d, seatNumber: $n) { price } }`;

beforeAll(async () => {
  t = await startTestApp({ OPERATOR_KEYS: TEST_OPERATOR_KEYS });
});
afterAll(async () => {
  await t.stop();
});

async function activeToken(concertId: string): Promise<string> {
  const ticket = await issue(t.client, await signUp(t.client), concertId);
  expect(ticket.status).toBe("ACTIVE");
  return ticket.token;
}
const priceOf = async (token: string, d: string, n: number) =>
  (await t.client.data<{ reserveSeat: { price: number } }>(RESERVE, { d, n }, token)).reserveSeat.price;

/** Publishes like an operator change does and returns once this process has received it. */
async function announce(event: CatalogueChangedEvent): Promise<void> {
  const { pubsub } = t.app.infra;
  const received = pubsub.subscribe("CATALOGUE_CHANGED");
  const first = received.next();
  // The subscription reaches Redis asynchronously; publish until it hears one.
  const timer = setInterval(() => pubsub.publish("CATALOGUE_CHANGED", event), 20);
  try {
    await first;
  } finally {
    clearInterval(timer);
    await received.return?.();
  }
  // The app's own listener resumes in the same turn; let its microtasks run.
  await new Promise((r) => setImmediate(r));
}

describe("cached seats of a date", () => {
  it("are reused until CATALOGUE_CHANGED names the date, then read again at once", async () => {
    const [concertId] = await concertIds(t.app.infra.prisma);
    const date = await t.app.infra.prisma.concertDate.findFirstOrThrow({ where: { concertId: concertId! } });
    const original = await priceOf(await activeToken(concertId!), date.id, 1);
    await t.app.infra.prisma.seat.updateMany({ where: { concertDateId: date.id }, data: { price: 12_345 } });
    // Still the cached price: the cache is real, and only the event ends it early.
    expect(await priceOf(await activeToken(concertId!), date.id, 2)).toBe(original);
    await announce({ concertId: concertId!, concertDateId: date.id });
    expect(await priceOf(await activeToken(concertId!), date.id, 3)).toBe(12_345);
  });

  it("are all dropped for a concert-wide event", async () => {
    const [, concertId] = await concertIds(t.app.infra.prisma);
    const date = await t.app.infra.prisma.concertDate.findFirstOrThrow({ where: { concertId: concertId! } });
    const original = await priceOf(await activeToken(concertId!), date.id, 1);
    await t.app.infra.prisma.seat.updateMany({
      where: { concertDateId: date.id },
      data: { price: original + 1 },
    });
    expect(await priceOf(await activeToken(concertId!), date.id, 2)).toBe(original);
    await announce({ concertId: concertId! });
    expect(await priceOf(await activeToken(concertId!), date.id, 3)).toBe(original + 1);
  });
});

describe("an instance without OPERATOR_KEYS and with introspection off", () => {
  it("refuses every admin call with UNAUTHENTICATED (no operator keys are configured) and introspection", async () => {
    const bare = await startTestApp({ GRAPHIQL_ENABLED: "false" });
    try {
      const admin = new AdminTestClient(bare.url);
      for (const client of [admin, admin.as(null)]) {
        const error = await client.error(ADMIN_CONCERTS);
        expect(error.code).toBe("UNAUTHENTICATED");
        expect(error.message).toMatch(/no operator keys are configured/);
      }
      const introspection = await admin.request("{ __schema { queryType { name } } }");
      expect(introspection.data?.["__schema"]).toBeUndefined();
      expect(introspection.errors?.[0]?.message).toMatch(/introspection/i);
    } finally {
      await bare.stop();
    }
  });
});
