// The wallet's rules against real MariaDB: many concurrent transactions on one row, each
// decided by the conditional UPDATE or the idempotency primary key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type PrismaClient } from "../../../src/platform/db/prisma.js";
import type { Sql } from "../../../src/platform/db/sql.js";
import { migrate } from "../../../src/platform/db/migrate.js";
import { systemClock } from "../../../src/platform/clock.js";
import { SqlIdempotencyStore, sqlIdempotency } from "../../../src/platform/idempotency.js";
import { newId } from "../../../src/platform/db/ids.js";
import { sqlTransactionRunner, type SqlTransactionRunner } from "../../../src/platform/db/transaction.js";
import { SqlWalletStore } from "../../../src/modules/wallet/wallet.repository.js";
import { WalletService } from "../../../src/modules/wallet/wallet.service.js";
import { createTestEnv, type TestEnv } from "../../helpers/test-env.js";
import { FakeQueue } from "../../unit/wallet/fakes.js";

const MAX_CHARGE = 1_000_000;
const MAX_BALANCE = 10_000_000;

describe("wallet against MariaDB", () => {
  let env: TestEnv;
  let prisma: PrismaClient;
  let sql: Sql;
  let queue: FakeQueue;
  let transaction: SqlTransactionRunner;
  let service: WalletService;

  async function newUser(balance: number | null = 0): Promise<string> {
    const user = await prisma.user.create({ data: { accessKeyHash: "0".repeat(64) } });
    if (balance !== null) await prisma.wallet.create({ data: { userId: user.id, balance } });
    return user.id;
  }
  async function state(userId: string) {
    const wallet = await prisma.wallet.findUnique({ where: { userId } });
    const ledger = await prisma.ledgerEntry.findMany({ where: { userId } });
    return {
      balance: wallet?.balance ?? null,
      ledgerRows: ledger.length,
      ledgerSum: ledger.reduce((sum, r) => sum + r.amount, 0),
    };
  }

  beforeAll(async () => {
    env = createTestEnv({ DATABASE_POOL_SIZE: "10" });
    await migrate(env.databaseUrl);
    ({ prisma, sql } = createDatabase(env.databaseUrl, 10));
    queue = new FakeQueue();
    transaction = sqlTransactionRunner(sql);
    service = new WalletService({
      guard: queue,
      wallets: new SqlWalletStore(sql),
      idempotency: sqlIdempotency(sql, systemClock),
      clock: systemClock,
      limits: { maxCharge: MAX_CHARGE, maxBalance: MAX_BALANCE },
    });
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await env?.cleanup();
  });

  it("adds exactly 1,000 for 1,000 concurrent charges of 1, with 1,000 ledger rows summing to it", async () => {
    const userId = await newUser(0);
    const token = queue.token(userId);
    const started = Date.now();
    const results = await Promise.allSettled(Array.from({ length: 1_000 }, () => service.charge(token, 1)));
    console.info(
      `race report: 1,000 concurrent charges of 1 (service level, pool of 10): ${Date.now() - started} ms`,
    );
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(await state(userId)).toEqual({ balance: 1_000, ledgerRows: 1_000, ledgerSum: 1_000 });
    // Each charge saw its own balance: the balance_after values are exactly 1..1000.
    const after = await prisma.ledgerEntry.findMany({ where: { userId }, select: { balanceAfter: true } });
    expect(after.map((r) => r.balanceAfter).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 1_000 }, (_, i) => i + 1),
    );
  });

  it("never passes MAX_BALANCE under concurrent charges near it", async () => {
    const userId = await newUser(MAX_BALANCE - 50);
    const token = queue.token(userId);
    const amounts = Array.from({ length: 200 }, (_, i) => 1 + (i % 7));
    const results = await Promise.allSettled(amounts.map((a) => service.charge(token, a)));
    const accepted = amounts.filter((_, i) => results[i]!.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected");
    for (const r of refused)
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "BALANCE_LIMIT_EXCEEDED" });
    const final = await state(userId);
    expect(final.balance).toBeLessThanOrEqual(MAX_BALANCE);
    expect(final.balance).toBe(MAX_BALANCE - 50 + accepted.reduce((s, a) => s + a, 0));
    expect(final.ledgerRows).toBe(accepted.length);
    // No room is wasted: the last charges were refused only because nothing more fitted.
    expect(final.balance).toBeGreaterThan(MAX_BALANCE - 7);
  });

  it("lets exactly 10 of 100 concurrent debits through when the balance covers 10", async () => {
    const userId = await newUser(0);
    await service.charge(queue.token(userId), 1_000);
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        transaction((tx) => service.debit(tx, userId, 100, `debit-${i}`)),
      ),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    expect(ok).toHaveLength(10);
    for (const r of refused)
      expect(r.reason).toMatchObject({ code: "INSUFFICIENT_BALANCE", details: { price: 100 } });
    expect(await state(userId)).toEqual({ balance: 0, ledgerRows: 11, ledgerSum: 0 });
  });

  it("gives one effect for 50 concurrent charges with one idempotency key, and the same answer to all", async () => {
    const userId = await newUser(0);
    const token = queue.token(userId);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => service.charge(token, 700, "same-key")),
    );
    expect(new Set(results.map((r) => JSON.stringify(r)))).toEqual(
      new Set([JSON.stringify({ userId, balance: 700 })]),
    );
    expect(await state(userId)).toEqual({ balance: 700, ledgerRows: 1, ledgerSum: 700 });
  });

  it("repeats a key sequentially with one effect, returning the balance right after the first charge", async () => {
    const userId = await newUser(0);
    const token = queue.token(userId);
    await service.charge(token, 100, "first");
    await service.charge(token, 5);
    expect(await service.charge(token, 100, "first")).toEqual({ userId, balance: 100 });
    expect(await state(userId)).toEqual({ balance: 105, ledgerRows: 2, ledgerSum: 105 });
    expect(await prisma.idempotencyKey.count({ where: { userId } })).toBe(1);
  });

  it("refuses the same key with another amount as BAD_USER_INPUT and changes nothing", async () => {
    const userId = await newUser(0);
    const token = queue.token(userId);
    await service.charge(token, 100, "k");
    await expect(service.charge(token, 200, "k")).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    expect(await state(userId)).toEqual({ balance: 100, ledgerRows: 1, ledgerSum: 100 });
  });

  it.each([0, -1, MAX_CHARGE + 1])("refuses the amount %s and changes nothing", async (amount) => {
    const userId = await newUser(10);
    await expect(service.charge(queue.token(userId), amount, `bad-${amount}`)).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
    expect(await state(userId)).toEqual({ balance: 10, ledgerRows: 0, ledgerSum: 0 });
    expect(await prisma.idempotencyKey.count({ where: { userId } })).toBe(0);
  });

  it("creates a missing wallet row on the first charge, also under concurrent first charges", async () => {
    const userId = await newUser(null);
    expect(await service.balance(queue.token(userId))).toEqual({ userId, balance: 0 });
    await Promise.all(Array.from({ length: 20 }, () => service.charge(queue.token(userId), 3)));
    expect(await state(userId)).toEqual({ balance: 60, ledgerRows: 20, ledgerSum: 60 });
  });

  it("rolls the key, the balance and the ledger back together when the transaction fails after the charge", async () => {
    const userId = await newUser(0);
    const keys = new SqlIdempotencyStore(sql);
    const wallets = new SqlWalletStore(sql);
    await expect(
      transaction(async (tx) => {
        await keys.claim(
          tx,
          { userId, keyDigest: "d".repeat(64), operation: "x", requestHash: "h".repeat(64) },
          newId(),
          new Date(),
        );
        const change = { id: newId(), userId, amount: 500, reference: null, createdAt: new Date() };
        expect(await wallets.credit(tx, change, MAX_BALANCE)).toEqual({ applied: true, balance: 500 });
        throw new Error("injected");
      }),
    ).rejects.toThrow("injected");
    expect(await state(userId)).toEqual({ balance: 0, ledgerRows: 0, ledgerSum: 0 });
    expect(await prisma.idempotencyKey.count({ where: { userId } })).toBe(0);
  });
});
