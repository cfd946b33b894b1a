import { beforeEach, describe, expect, it, vi } from "vitest";
import { FakeClock } from "../../../src/platform/clock.js";
import type { PaymentView } from "../../../src/modules/payment/payment.repository.js";
import { PaymentService } from "../../../src/modules/payment/payment.service.js";
import { WalletService } from "../../../src/modules/wallet/wallet.service.js";
import { FakeIdempotencyStore, FakeQueue, FakeWalletStore, fakeIdempotency } from "../wallet/fakes.js";
import { FakePayments, FakeReservations, FakeSoldOut } from "./fakes.js";

describe("PaymentService", () => {
  let clock: FakeClock;
  let queue: FakeQueue;
  let wallets: FakeWalletStore;
  let keys: FakeIdempotencyStore;
  let reservations: FakeReservations;
  let payments: FakePayments;
  let soldOut: FakeSoldOut;
  /** Called inside the payment's transaction right after the debit (a failure to inject). */
  let afterDebit: (() => Promise<void>) | undefined;
  let log: { warn: ReturnType<typeof vi.fn<(details: object, message: string) => void>> };
  let service: PaymentService;
  let wallet: WalletService;

  beforeEach(() => {
    clock = new FakeClock();
    queue = new FakeQueue();
    wallets = new FakeWalletStore();
    keys = new FakeIdempotencyStore();
    reservations = new FakeReservations();
    payments = new FakePayments(reservations);
    soldOut = new FakeSoldOut();
    afterDebit = undefined;
    log = { warn: vi.fn<(details: object, message: string) => void>() };
    const idempotency = fakeIdempotency(keys, clock, wallets, reservations, payments);
    wallet = new WalletService({
      guard: queue,
      wallets,
      idempotency,
      clock,
      limits: { maxCharge: 1_000_000, maxBalance: 10_000_000 },
    });
    service = new PaymentService({
      guard: queue,
      pass: queue,
      reservations,
      afterPayment: reservations,
      soldOut,
      wallet: {
        debit: async (...args) => {
          await wallet.debit(...args);
          await afterDebit?.();
        },
      },
      payments,
      idempotency,
      clock,
      log,
    });
    wallets.balances.set("u1", 50_000);
    reservations.hold("r1", "u1", "c1", 30_000);
  });

  const snapshot = () => ({
    balance: wallets.balances.get("u1"),
    ledger: wallets.ledger.length,
    status: reservations.rows.get("r1")?.status,
    payments: payments.rows.length,
    keys: keys.rows.size,
  });

  it("pays a hold: debits the price, confirms it, records the payment and a PAYMENT ledger row", async () => {
    const token = queue.token("u1", "c1");
    const payment = await service.pay(token, "r1");
    expect(payment).toMatchObject({
      amount: 30_000,
      userId: "u1",
      reservation: { id: "r1", status: "CONFIRMED", seatNumber: 7 },
    });
    expect(payment.paidAt).toEqual(clock.now());
    expect(wallets.balances.get("u1")).toBe(20_000);
    expect(wallets.ledger).toEqual([
      expect.objectContaining({
        kind: "PAYMENT",
        amount: -30_000,
        balanceAfter: 20_000,
        reference: payment.id,
      }),
    ]);
    expect(payments.rows.map((p) => p.id)).toEqual([payment.id]);
  });

  it("ends the queue pass, releases the other holds and checks for sold out after the payment", async () => {
    const token = queue.token("u1", "c1");
    const payment = await service.pay(token, "r1");
    expect(queue.finished).toEqual([token]);
    expect(reservations.released).toEqual([`u1/c1/r1/CONFIRMED`]);
    expect(soldOut.checked).toEqual(["c1/date-c1"]);
    await expect(service.pay(token, "r1")).rejects.toMatchObject({ code: "QUEUE_TOKEN_EXPIRED" });
    expect(payment.id).toBeTruthy();
  });

  it("keeps the payment when the steps after the commit fail, and logs them", async () => {
    queue.failFinish = true;
    reservations.failAfterPayment = true;
    soldOut.fail = true;
    const payment = await service.pay(queue.token("u1", "c1"), "r1");
    expect(payment.reservation.status).toBe("CONFIRMED");
    expect(payments.rows).toHaveLength(1);
    expect(log.warn).toHaveBeenCalledTimes(3);
  });

  it("refuses an insufficient balance with numeric balance and price, and changes nothing", async () => {
    wallets.balances.set("u1", 29_999);
    const before = snapshot();
    const error = await service.pay(queue.token("u1", "c1"), "r1", "k").catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "INSUFFICIENT_BALANCE",
      details: { balance: 29_999, price: 30_000 },
    });
    expect(snapshot()).toEqual(before);
    expect(queue.finished).toEqual([]);
  });

  it("rolls everything back when a failure is injected after the debit", async () => {
    afterDebit = async () => {
      throw new Error("injected");
    };
    const before = snapshot();
    await expect(service.pay(queue.token("u1", "c1"), "r1", "k")).rejects.toThrow("injected");
    expect(snapshot()).toEqual(before);
    expect(reservations.rows.get("r1")?.status).toBe("HELD");
  });

  it("refuses a second payment of a CONFIRMED reservation with ALREADY_PAID", async () => {
    reservations.hold("r2", "u1", "c1", 1_000, "CONFIRMED");
    await expect(service.pay(queue.token("u1", "c1"), "r2")).rejects.toMatchObject({ code: "ALREADY_PAID" });
  });

  it("refuses a lapsed or cancelled hold with RESERVATION_EXPIRED", async () => {
    reservations.hold("r2", "u1", "c1", 1_000, "EXPIRED");
    reservations.hold("r3", "u1", "c1", 1_000, "CANCELLED");
    const token = queue.token("u1", "c1");
    await expect(service.pay(token, "r2")).rejects.toMatchObject({ code: "RESERVATION_EXPIRED" });
    await expect(service.pay(token, "r3")).rejects.toMatchObject({ code: "RESERVATION_EXPIRED" });
  });

  it("answers NOT_FOUND for an unknown id and for another user's reservation", async () => {
    reservations.hold("theirs", "u2", "c1", 1_000);
    const token = queue.token("u1", "c1");
    await expect(service.pay(token, "nope")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(service.pay(token, "theirs")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(reservations.rows.get("theirs")?.status).toBe("HELD");
  });

  it("demands an ACTIVE token for the reservation's concert", async () => {
    await expect(service.pay(queue.token("u1", "c1", "WAITING"), "r1")).rejects.toMatchObject({
      code: "QUEUE_NOT_ADMITTED",
    });
    await expect(service.pay(queue.token("u1", "c2"), "r1")).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(service.pay(null, "r1")).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    expect(snapshot()).toMatchObject({ balance: 50_000, status: "HELD", payments: 0 });
  });

  it("returns the first payment for a repeated key, even with the token now EXPIRED, and pays once", async () => {
    const token = queue.token("u1", "c1");
    const first = await service.pay(token, "r1", "pay-key");
    expect(queue.status.get(token)).toBe("EXPIRED");
    const again = await service.pay(token, "r1", "pay-key");
    expect(again).toMatchObject({
      id: first.id,
      amount: first.amount,
      reservation: { id: "r1", status: "CONFIRMED" },
    });
    expect(wallets.balances.get("u1")).toBe(20_000);
    expect(payments.rows).toHaveLength(1);
    expect(queue.finished).toHaveLength(1);
  });

  it("gives one payment for concurrent repeats of one key", async () => {
    const token = queue.token("u1", "c1");
    const results = await Promise.all(Array.from({ length: 10 }, () => service.pay(token, "r1", "same")));
    expect(new Set(results.map((p) => p.id)).size).toBe(1);
    expect(payments.rows).toHaveLength(1);
    expect(wallets.balances.get("u1")).toBe(20_000);
  });

  it("refuses a key reused for another reservation or for a charge", async () => {
    reservations.hold("r2", "u1", "c1", 1_000);
    const token = queue.token("u1", "c1");
    await service.pay(token, "r1", "k");
    await expect(service.pay(token, "r2", "k")).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    expect(reservations.rows.get("r2")?.status).toBe("HELD");
    await wallet.charge(token, 500, "charge-key");
    await expect(service.pay(queue.token("u1", "c2"), "r2", "charge-key")).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
    expect(reservations.rows.get("r2")?.status).toBe("HELD");
  });

  it("answers a same-key request that lost the race to the queue check with the winner's payment", async () => {
    const token = queue.token("u1", "c1");
    // The first request pays (and expires the token) while the second is between its key
    // lookup and its queue check.
    const realRequireActive = queue.requireActive.bind(queue);
    let first: Promise<PaymentView> | undefined;
    queue.requireActive = async (caller, concertId) => {
      if (!first) {
        queue.requireActive = realRequireActive;
        first = service.pay(token, "r1", "race-key");
        await first;
      }
      return realRequireActive(caller, concertId);
    };
    const second = await service.pay(token, "r1", "race-key");
    expect(queue.status.get(token)).toBe("EXPIRED");
    expect(second.id).toBe((await first!).id);
    expect(payments.rows).toHaveLength(1);
  });

  it("lists the caller's payments newest first, only the caller's", async () => {
    reservations.hold("r2", "u1", "c2", 5_000);
    reservations.hold("r9", "u2", "c1", 5_000);
    wallets.balances.set("u2", 5_000);
    await service.pay(queue.token("u1", "c1"), "r1");
    clock.advance(60_000);
    await service.pay(queue.token("u1", "c2"), "r2");
    await service.pay(queue.token("u2", "c1"), "r9");
    const mine = await service.myPayments(queue.token("u1", "c1", "EXPIRED"));
    expect(mine.map((p) => p.reservation.id)).toEqual(["r2", "r1"]);
  });

  it("with money for one seat and holds at two concerts, pays exactly one of two concurrent payments", async () => {
    wallets.balances.set("u1", 30_000);
    reservations.hold("r2", "u1", "c2", 30_000);
    const results = await Promise.allSettled([
      service.pay(queue.token("u1", "c1"), "r1"),
      service.pay(queue.token("u1", "c2"), "r2"),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason).toMatchObject({
      code: "INSUFFICIENT_BALANCE",
    });
    expect(wallets.balances.get("u1")).toBe(0);
  });
});
