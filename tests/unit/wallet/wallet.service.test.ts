import { beforeEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../../src/platform/clock.js";
import { WalletService } from "../../../src/modules/wallet/wallet.service.js";
import { FakeIdempotencyStore, FakeQueue, FakeWalletStore, fakeIdempotency, fakeTx } from "./fakes.js";

const LIMITS = { maxCharge: 1_000, maxBalance: 5_000 };

describe("WalletService", () => {
  let wallets: FakeWalletStore;
  let keys: FakeIdempotencyStore;
  let queue: FakeQueue;
  let service: WalletService;

  beforeEach(() => {
    wallets = new FakeWalletStore();
    keys = new FakeIdempotencyStore();
    queue = new FakeQueue();
    const clock = new FakeClock();
    const idempotency = fakeIdempotency(keys, clock, wallets);
    service = new WalletService({ guard: queue, wallets, idempotency, clock, limits: LIMITS });
    wallets.balances.set("u1", 0);
  });

  it("reads a missing wallet as a balance of 0", async () => {
    expect(await service.balance(queue.token("nobody-yet"))).toEqual({ userId: "nobody-yet", balance: 0 });
  });

  it("refuses a missing or unknown token", async () => {
    await expect(service.balance(null)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect(service.charge("forged", 10)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("charges with a WAITING or EXPIRED token and writes one CHARGE ledger row", async () => {
    const waiting = queue.token("u1", "c1", "WAITING");
    const expired = queue.token("u1", "c2", "EXPIRED");
    expect(await service.charge(waiting, 300)).toEqual({ userId: "u1", balance: 300 });
    expect(await service.charge(expired, 200)).toEqual({ userId: "u1", balance: 500 });
    expect(wallets.ledger.map((r) => [r.kind, r.amount, r.balanceAfter, r.reference])).toEqual([
      ["CHARGE", 300, 300, null],
      ["CHARGE", 200, 500, null],
    ]);
    expect(wallets.ledgerSum("u1")).toBe(500);
  });

  it("creates the wallet of a user who has none on the first charge", async () => {
    expect(await service.charge(queue.token("fresh"), 70)).toEqual({ userId: "fresh", balance: 70 });
  });

  it.each([0, -5, 1.5, LIMITS.maxCharge + 1, Number.NaN])(
    "rejects the amount %s as BAD_USER_INPUT and changes nothing",
    async (amount) => {
      await expect(service.charge(queue.token("u1"), amount)).rejects.toMatchObject({
        code: "BAD_USER_INPUT",
      });
      expect(wallets.balances.get("u1")).toBe(0);
      expect(wallets.ledger).toEqual([]);
    },
  );

  it("accepts exactly MAX_CHARGE and exactly MAX_BALANCE, and refuses one more", async () => {
    const token = queue.token("u1");
    for (let i = 0; i < 5; i++) await service.charge(token, LIMITS.maxCharge);
    expect((await service.balance(token)).balance).toBe(LIMITS.maxBalance);
    const error = await service.charge(token, 1).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "BALANCE_LIMIT_EXCEEDED",
      details: { balance: 5_000, maxBalance: 5_000 },
    });
    expect(wallets.ledger).toHaveLength(5);
  });

  it("returns the first result for a repeated idempotency key and charges once", async () => {
    const token = queue.token("u1");
    const first = await service.charge(token, 100, "key-1");
    await service.charge(token, 50);
    const again = await service.charge(token, 100, "key-1");
    expect(first).toEqual({ userId: "u1", balance: 100 });
    expect(again).toEqual(first);
    expect(wallets.balances.get("u1")).toBe(150);
    expect(wallets.ledger).toHaveLength(2);
  });

  it("replays a key even after the queue token has expired", async () => {
    await service.charge(queue.token("u1", "c1", "ACTIVE"), 100, "key-1");
    queue.status.set("token:u1:c1", "EXPIRED");
    expect(await service.charge("token:u1:c1", 100, "key-1")).toEqual({ userId: "u1", balance: 100 });
    expect(wallets.ledger).toHaveLength(1);
  });

  it("refuses the same key with another amount and changes nothing", async () => {
    const token = queue.token("u1");
    await service.charge(token, 100, "key-1");
    await expect(service.charge(token, 101, "key-1")).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    expect(wallets.balances.get("u1")).toBe(100);
  });

  it("scopes keys to the user: another user's identical key is a new charge", async () => {
    wallets.balances.set("u2", 0);
    await service.charge(queue.token("u1"), 100, "shared");
    expect(await service.charge(queue.token("u2"), 100, "shared")).toEqual({ userId: "u2", balance: 100 });
  });

  it("treats keys differing only in letter case as different keys", async () => {
    const token = queue.token("u1");
    await service.charge(token, 100, "Key");
    expect(await service.charge(token, 100, "key")).toEqual({ userId: "u1", balance: 200 });
  });

  it.each(["", "x".repeat(256)])("refuses an idempotency key of length %#", async (key) => {
    await expect(service.charge(queue.token("u1"), 100, key)).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
    expect(wallets.ledger).toEqual([]);
  });

  it("frees the key of a charge that failed, so a retry with it can succeed later", async () => {
    const token = queue.token("u1");
    wallets.balances.set("u1", LIMITS.maxBalance);
    await expect(service.charge(token, 10, "k")).rejects.toMatchObject({ code: "BALANCE_LIMIT_EXCEEDED" });
    expect(keys.rows.size).toBe(0);
    wallets.balances.set("u1", 0);
    expect(await service.charge(token, 10, "k")).toEqual({ userId: "u1", balance: 10 });
  });

  describe("debit", () => {
    it("takes the amount and writes a PAYMENT ledger row with the reference", async () => {
      wallets.balances.set("u1", 500);
      await service.debit(fakeTx, "u1", 200, "pay-1");
      expect(wallets.balances.get("u1")).toBe(300);
      expect(wallets.ledger.map((r) => [r.kind, r.amount, r.balanceAfter, r.reference])).toEqual([
        ["PAYMENT", -200, 300, "pay-1"],
      ]);
    });

    it("refuses a debit the balance does not cover, with numeric balance and price", async () => {
      wallets.balances.set("u1", 150);
      const error = await service.debit(fakeTx, "u1", 200, "pay-1").catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "INSUFFICIENT_BALANCE", details: { balance: 150, price: 200 } });
      expect(wallets.balances.get("u1")).toBe(150);
      expect(wallets.ledger).toEqual([]);
    });

    it("lets exactly as many concurrent debits through as the balance covers", async () => {
      wallets.balances.set("u1", 1_000);
      const results = await Promise.allSettled(
        Array.from({ length: 100 }, (_, i) => service.debit(fakeTx, "u1", 100, `p${i}`)),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(10);
      expect(wallets.balances.get("u1")).toBe(0);
    });
  });
});
