// Charges over HTTP against two real server processes on one database: the conditional
// UPDATE and the idempotency key hold across instances, not just within one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrisma, type PrismaClient } from "../../src/platform/db/prisma.js";
import { startCluster, type Cluster } from "../helpers/server-processes.js";
import { concertIds, issue, signUp } from "../helpers/queue-helpers.js";

const MAX_CHARGE = 500_000;
const MAX_BALANCE = 1_000_000;
const CHARGE = `mutation($amount: Int!, $key: String) { chargeBalance(amount: $amount, idempotencyKey: $key) { userId balance } }`;
const BALANCE = `query { balance { userId balance } }`;

describe("wallet across two server processes", () => {
  let cluster: Cluster;
  let prisma: PrismaClient;
  let concertId: string;

  beforeAll(async () => {
    cluster = await startCluster(2, {
      MAX_CHARGE: String(MAX_CHARGE),
      MAX_BALANCE: String(MAX_BALANCE),
      DATABASE_POOL_SIZE: "10",
    });
    prisma = createPrisma(cluster.env.databaseUrl, 2);
    concertId = (await concertIds(prisma))[0]!;
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await cluster?.stop();
  });

  /** A signed-up user's queue token (any status may charge). */
  async function newToken(): Promise<{ userId: string; token: string }> {
    const client = cluster.servers[0]!.client;
    const user = await signUp(client);
    const ticket = await issue(client, user, concertId);
    return { userId: user.userId, token: ticket.token };
  }
  const serverFor = (i: number) => cluster.servers[i % 2]!.client;
  async function ledger(userId: string) {
    const rows = await prisma.ledgerEntry.findMany({ where: { userId }, select: { amount: true } });
    return { rows: rows.length, sum: rows.reduce((s, r) => s + r.amount, 0) };
  }

  it("adds exactly 1,000 for 1,000 concurrent charges of 1 split over both processes", async () => {
    const { userId, token } = await newToken();
    // A client that follows the contract: SERVICE_UNAVAILABLE is "safe to retry", and so is a
    // dropped connection (a kept-alive socket closed by the server as the request went out),
    // always with the same idempotency key, so a retry can never charge twice. On a loaded
    // machine a burst of 1,000 on one wallet can outwait the connection pool; the sum must be
    // exact regardless.
    let retries = 0;
    const chargeOne = async (i: number) => {
      for (let attempt = 0; ; attempt++) {
        const sent = serverFor(i + attempt).request(CHARGE, { amount: 1, key: `burst-${i}` }, token);
        const body = await sent.catch((error: unknown) => {
          if (attempt < 5 && error instanceof TypeError && error.message === "fetch failed") return null;
          throw error;
        });
        if (body && (body.errors?.[0]?.extensions?.code !== "SERVICE_UNAVAILABLE" || attempt === 5))
          return body;
        retries++;
      }
    };
    const started = Date.now();
    const bodies = await Promise.all(Array.from({ length: 1_000 }, (_, i) => chargeOne(i)));
    console.info(
      `race report: 1,000 concurrent chargeBalance(1) on 2 processes: ${Date.now() - started} ms, ${retries} retries (SERVICE_UNAVAILABLE or dropped connection)`,
    );
    expect(bodies.filter((b) => b.errors)).toEqual([]);
    const { balance } = (await serverFor(1).data<{ balance: { balance: number } }>(BALANCE, {}, token))
      .balance;
    expect(balance).toBe(1_000);
    expect(await ledger(userId)).toEqual({ rows: 1_000, sum: 1_000 });
    // Every balance from 1 to 1,000 was seen by exactly one charge: none was lost or doubled.
    const after = await prisma.ledgerEntry.findMany({ where: { userId }, select: { balanceAfter: true } });
    expect(after.map((r) => r.balanceAfter).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 1_000 }, (_, i) => i + 1),
    );
  });

  it("never passes MAX_BALANCE under concurrent charges from both processes", async () => {
    const { userId, token } = await newToken();
    await serverFor(0).data(CHARGE, { amount: MAX_CHARGE }, token);
    await serverFor(1).data(CHARGE, { amount: MAX_CHARGE - 30 }, token);
    const bodies = await Promise.all(
      Array.from({ length: 100 }, (_, i) => serverFor(i).request(CHARGE, { amount: 1 }, token)),
    );
    const codes = bodies.flatMap((b) => b.errors?.map((e) => e.extensions?.code) ?? []);
    expect(bodies.filter((b) => !b.errors)).toHaveLength(30);
    expect(new Set(codes)).toEqual(new Set(["BALANCE_LIMIT_EXCEEDED"]));
    const { balance } = (await serverFor(0).data<{ balance: { balance: number } }>(BALANCE, {}, token))
      .balance;
    expect(balance).toBe(MAX_BALANCE);
    expect(await ledger(userId)).toEqual({ rows: 32, sum: MAX_BALANCE });
  });

  it("charges once for one idempotency key sent 40 times at once to both processes", async () => {
    const { userId, token } = await newToken();
    const bodies = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        serverFor(i).request(CHARGE, { amount: 1234, key: "once" }, token),
      ),
    );
    expect(bodies.map((b) => b.data)).toEqual(Array(40).fill({ chargeBalance: { userId, balance: 1234 } }));
    expect(await ledger(userId)).toEqual({ rows: 1, sum: 1234 });
    const other = await serverFor(1).request(CHARGE, { amount: 1, key: "once" }, token);
    expect(other.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it.each([0, -100, MAX_CHARGE + 1, 1.5, 3_000_000_000])(
    "refuses the amount %s with BAD_USER_INPUT and changes nothing",
    async (amount) => {
      const { userId, token } = await newToken();
      const body = await serverFor(0).request(CHARGE, { amount }, token);
      expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      expect(body.errors?.[0]?.message).toMatch(/amount/);
      expect(
        (await serverFor(1).data<{ balance: { balance: number } }>(BALANCE, {}, token)).balance.balance,
      ).toBe(0);
      expect(await ledger(userId)).toEqual({ rows: 0, sum: 0 });
    },
  );

  it("refuses a missing or forged token with UNAUTHENTICATED", async () => {
    expect(await serverFor(0).errorCode(BALANCE)).toBe("UNAUTHENTICATED");
    expect(await serverFor(1).errorCode(CHARGE, { amount: 1 }, "forged.token")).toBe("UNAUTHENTICATED");
  });
});
