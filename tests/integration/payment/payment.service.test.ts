// Paying against real MariaDB with the real reservation repository: every race is decided by
// the reservation's conditional UPDATE, the wallet's conditional debit, the payments unique
// index and the idempotency primary key. The queue is faked (its own tests cover it).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "../../../src/platform/clock.js";
import { createPrisma, type PrismaClient } from "../../../src/platform/db/prisma.js";
import { migrate } from "../../../src/platform/db/migrate.js";
import type { SeatChangedEvent } from "../../../src/platform/redis/topics.js";
import { PrismaPaymentStore } from "../../../src/modules/payment/payment.repository.js";
import { PaymentService, type PaymentHooks } from "../../../src/modules/payment/payment.service.js";
import { ReservationRepository } from "../../../src/modules/reservation/reservation.repository.js";
import { ReservationService } from "../../../src/modules/reservation/reservation.service.js";
import { PrismaIdempotencyStore } from "../../../src/modules/wallet/idempotency.js";
import { prismaTransactionRunner } from "../../../src/modules/wallet/transaction.js";
import { PrismaWalletStore } from "../../../src/modules/wallet/wallet.repository.js";
import { WalletService } from "../../../src/modules/wallet/wallet.service.js";
import { createTestEnv, type TestEnv } from "../../helpers/test-env.js";
import { FakeQueue } from "../../unit/wallet/fakes.js";

const PRICE = 100_000;

describe("payReservation against MariaDB", () => {
  let env: TestEnv;
  let prisma: PrismaClient;
  let queue: FakeQueue;
  let hooks: PaymentHooks;
  let warnings: string[];
  let events: SeatChangedEvent[];
  let repository: ReservationRepository;
  let service: PaymentService;
  const transaction = () => prismaTransactionRunner(prisma);

  async function concertWithDate(): Promise<{ concertId: string; dateId: string }> {
    const concert = await prisma.concert.create({ data: { title: "Pay Live", artist: "A", venue: "V" } });
    const day = new Date(Date.UTC(2099, 0, 1 + Math.floor(Math.random() * 3000)));
    const date = await prisma.concertDate.create({
      data: { concertId: concert.id, date: day, startsAt: new Date(day.getTime() + 36_000_000) },
    });
    await prisma.seat.createMany({
      data: Array.from({ length: 50 }, (_, i) => ({ concertDateId: date.id, number: i + 1, price: PRICE })),
    });
    return { concertId: concert.id, dateId: date.id };
  }
  async function userWith(balance: number): Promise<string> {
    const user = await prisma.user.create({ data: { accessKeyHash: "0".repeat(64) } });
    await prisma.wallet.create({ data: { userId: user.id, balance } });
    if (balance > 0) {
      await prisma.ledgerEntry.create({
        data: { userId: user.id, kind: "CHARGE", amount: balance, balanceAfter: balance },
      });
    }
    return user.id;
  }
  async function hold(userId: string, dateId: string, seatNumber: number): Promise<string> {
    const seat = await prisma.seat.findUniqueOrThrow({
      where: { concertDateId_number: { concertDateId: dateId, number: seatNumber } },
    });
    const outcome = await transaction()((tx) =>
      repository.hold(tx, {
        userId,
        concertDateId: dateId,
        seatId: seat.id,
        price: seat.price,
        holdSeconds: 300,
      }),
    );
    if (outcome.kind !== "HELD") throw new Error(`could not hold: ${outcome.kind}`);
    return outcome.reservation.id;
  }
  /** Everything a payment could change for this user and reservation. */
  async function moneyState(userId: string, reservationId: string) {
    const [wallet, reservation, ledger, payments, keys] = await Promise.all([
      prisma.wallet.findUniqueOrThrow({ where: { userId }, select: { balance: true } }),
      prisma.reservation.findUniqueOrThrow({
        where: { id: reservationId },
        select: { status: true, live: true, seatId: true, price: true, expiresAt: true, updatedAt: true },
      }),
      prisma.ledgerEntry.findMany({ where: { userId }, select: { amount: true } }),
      prisma.payment.count({ where: { userId } }),
      prisma.idempotencyKey.count({ where: { userId } }),
    ]);
    return {
      balance: wallet.balance,
      ledgerSum: ledger.reduce((s, r) => s + r.amount, 0),
      ledgerRows: ledger.length,
      reservation,
      payments,
      keys,
    };
  }

  beforeAll(async () => {
    env = createTestEnv();
    await migrate(env.databaseUrl);
    prisma = createPrisma(env.databaseUrl, 20);
    repository = new ReservationRepository();
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await env?.cleanup();
  });
  beforeEach(() => {
    queue = new FakeQueue();
    hooks = {};
    warnings = [];
    events = [];
    const reservations = new ReservationService({
      db: prisma,
      transact: transaction(),
      repository,
      guard: queue,
      pass: queue,
      events: { publish: (e) => events.push(e) },
      clock: systemClock,
      holdSeconds: 300,
      timeZone: "Asia/Seoul",
    });
    const idempotency = new PrismaIdempotencyStore();
    const wallet = new WalletService(
      queue,
      new PrismaWalletStore(),
      idempotency,
      transaction(),
      prisma,
      systemClock,
      {
        maxCharge: 1_000_000,
        maxBalance: 10_000_000,
      },
    );
    service = new PaymentService({
      guard: queue,
      pass: queue,
      reservations: repository,
      afterPayment: reservations,
      wallet,
      payments: new PrismaPaymentStore(),
      idempotency,
      transaction: transaction(),
      db: prisma,
      clock: systemClock,
      log: { warn: (_details, message) => warnings.push(message) },
      hooks,
    });
  });

  it("pays a hold: CONFIRMED, one payment, one PAYMENT ledger row, balance equal to the ledger", async () => {
    const { concertId, dateId } = await concertWithDate();
    const userId = await userWith(150_000);
    const reservationId = await hold(userId, dateId, 3);
    const payment = await service.pay(queue.token(userId, concertId), reservationId);
    expect(payment).toMatchObject({
      amount: PRICE,
      reservation: { id: reservationId, status: "CONFIRMED", seatNumber: 3 },
    });
    const state = await moneyState(userId, reservationId);
    expect(state).toMatchObject({ balance: 50_000, ledgerSum: 50_000, ledgerRows: 2, payments: 1 });
    expect(state.reservation).toMatchObject({ status: "CONFIRMED", live: true });
    const entry = await prisma.ledgerEntry.findFirstOrThrow({ where: { userId, kind: "PAYMENT" } });
    expect(entry).toMatchObject({ amount: -PRICE, balanceAfter: 50_000, reference: payment.id });
    expect(events).toContainEqual({ concertDateId: dateId, number: 3, status: "SOLD" });
  });

  it("takes exactly one payment and one debit for 100 concurrent payments of one hold", async () => {
    queue.expireOnPayment = false; // every racer passes the queue check: the database must decide
    const { concertId, dateId } = await concertWithDate();
    const userId = await userWith(1_000_000);
    const reservationId = await hold(userId, dateId, 1);
    const token = queue.token(userId, concertId);
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, () => service.pay(token, reservationId)),
    );
    const refused = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(new Set(refused.map((r) => (r.reason as { code?: string }).code))).toEqual(
      new Set(["ALREADY_PAID"]),
    );
    expect(await moneyState(userId, reservationId)).toMatchObject({
      balance: 1_000_000 - PRICE,
      ledgerSum: 1_000_000 - PRICE,
      ledgerRows: 2,
      payments: 1,
    });
  });

  it("with money for one seat and holds at two concerts, lets exactly one of two concurrent payments through", async () => {
    for (let round = 0; round < 5; round++) {
      const a = await concertWithDate();
      const b = await concertWithDate();
      const userId = await userWith(PRICE);
      const ra = await hold(userId, a.dateId, 10);
      const rb = await hold(userId, b.dateId, 10);
      const results = await Promise.allSettled([
        service.pay(queue.token(userId, a.concertId), ra),
        service.pay(queue.token(userId, b.concertId), rb),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({
        code: "INSUFFICIENT_BALANCE",
        details: { balance: 0, price: PRICE },
      });
      const wallet = await prisma.wallet.findUniqueOrThrow({ where: { userId } });
      expect(wallet.balance).toBe(0);
      const statuses = await prisma.reservation.findMany({
        where: { id: { in: [ra, rb] } },
        select: { status: true },
      });
      expect(statuses.map((s) => s.status).sort()).toEqual(["CONFIRMED", "HELD"]);
    }
  });

  it("gives one payment for 20 concurrent requests with one idempotency key, all answered with it", async () => {
    queue.expireOnPayment = false;
    const { concertId, dateId } = await concertWithDate();
    const userId = await userWith(PRICE);
    const reservationId = await hold(userId, dateId, 2);
    const token = queue.token(userId, concertId);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => service.pay(token, reservationId, "pay-once")),
    );
    expect(new Set(results.map((p) => p.id)).size).toBe(1);
    expect(results.every((p) => p.reservation.status === "CONFIRMED")).toBe(true);
    expect(await moneyState(userId, reservationId)).toMatchObject({
      balance: 0,
      payments: 1,
      keys: 1,
      ledgerRows: 2,
    });
  });

  it("replays a key after the token expired and refuses it for another reservation", async () => {
    const { concertId, dateId } = await concertWithDate();
    const other = await concertWithDate();
    const userId = await userWith(2 * PRICE);
    const reservationId = await hold(userId, dateId, 4);
    const otherId = await hold(userId, other.dateId, 4);
    const token = queue.token(userId, concertId);
    const first = await service.pay(token, reservationId, "k1");
    expect(queue.status.get(token)).toBe("EXPIRED");
    const again = await service.pay(token, reservationId, "k1");
    expect(again.id).toBe(first.id);
    expect(again.paidAt.getTime()).toBe(first.paidAt.getTime());
    await expect(service.pay(queue.token(userId, other.concertId), otherId, "k1")).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
    expect(await moneyState(userId, otherId)).toMatchObject({
      balance: PRICE,
      payments: 1,
      reservation: { status: "HELD" },
    });
    await expect(service.pay(token, reservationId)).rejects.toMatchObject({ code: "QUEUE_TOKEN_EXPIRED" });
  });

  it("leaves balance, reservation and seat exactly as before when a failure is injected after the debit", async () => {
    const { concertId, dateId } = await concertWithDate();
    const userId = await userWith(PRICE);
    const reservationId = await hold(userId, dateId, 5);
    const before = await moneyState(userId, reservationId);
    let debitedInside: number | undefined;
    hooks.afterDebit = async (tx) => {
      debitedInside = (await tx.wallet.findUniqueOrThrow({ where: { userId } })).balance;
      throw new Error("injected after the debit");
    };
    await expect(service.pay(queue.token(userId, concertId), reservationId, "k")).rejects.toThrow("injected");
    expect(debitedInside).toBe(0); // the debit really happened inside the transaction
    expect(await moneyState(userId, reservationId)).toEqual(before);
    hooks.afterDebit = undefined;
    // The key was rolled back with everything else, so the same request can now succeed.
    expect((await service.pay(queue.token(userId, concertId), reservationId, "k")).amount).toBe(PRICE);
  });

  it("refuses an insufficient balance and a lapsed hold without changing anything", async () => {
    const { concertId, dateId } = await concertWithDate();
    const poor = await userWith(PRICE - 1);
    const r1 = await hold(poor, dateId, 6);
    const before = await moneyState(poor, r1);
    await expect(service.pay(queue.token(poor, concertId), r1, "k")).rejects.toMatchObject({
      code: "INSUFFICIENT_BALANCE",
      details: { balance: PRICE - 1, price: PRICE },
    });
    expect(await moneyState(poor, r1)).toEqual(before);

    const rich = await userWith(PRICE);
    const r2 = await hold(rich, dateId, 7);
    await prisma.$executeRaw`UPDATE reservations SET expires_at = NOW(3) - INTERVAL 1 SECOND WHERE id = ${r2}`;
    const lapsed = await moneyState(rich, r2);
    await expect(service.pay(queue.token(rich, concertId), r2)).rejects.toMatchObject({
      code: "RESERVATION_EXPIRED",
    });
    expect(await moneyState(rich, r2)).toEqual(lapsed);
  });

  it("answers NOT_FOUND for another user's reservation and for a malformed id", async () => {
    const { concertId, dateId } = await concertWithDate();
    const owner = await userWith(PRICE);
    const intruder = await userWith(PRICE);
    const reservationId = await hold(owner, dateId, 8);
    await expect(service.pay(queue.token(intruder, concertId), reservationId)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(service.pay(queue.token(intruder, concertId), "not-an-id")).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await moneyState(owner, reservationId)).toMatchObject({
      balance: PRICE,
      reservation: { status: "HELD" },
    });
  });

  it("releases the user's other holds of that concert after paying, and lists payments newest first", async () => {
    const a = await concertWithDate();
    const a2 = await prisma.concertDate.create({
      data: {
        concertId: a.concertId,
        date: new Date(Date.UTC(2098, 5, 1)),
        startsAt: new Date(Date.UTC(2098, 5, 1, 10)),
      },
    });
    await prisma.seat.create({ data: { concertDateId: a2.id, number: 1, price: PRICE } });
    const b = await concertWithDate();
    const userId = await userWith(3 * PRICE);
    const paid = await hold(userId, a.dateId, 9);
    const sibling = await hold(userId, a2.id, 1);
    const elsewhere = await hold(userId, b.dateId, 9);
    const first = await service.pay(queue.token(userId, a.concertId), paid);
    const statuses = await prisma.reservation.findMany({
      where: { userId },
      select: { id: true, status: true },
    });
    expect(Object.fromEntries(statuses.map((s) => [s.id, s.status]))).toEqual({
      [paid]: "CONFIRMED",
      [sibling]: "CANCELLED",
      [elsewhere]: "HELD",
    });
    const second = await service.pay(queue.token(userId, b.concertId), elsewhere);
    const list = await service.myPayments(queue.token(userId, a.concertId));
    expect(list.map((p) => [p.id, p.reservation.seatNumber, p.reservation.status])).toEqual([
      [second.id, 9, "CONFIRMED"],
      [first.id, 9, "CONFIRMED"],
    ]);
    expect(await service.myPayments(queue.token(await userWith(0), a.concertId))).toEqual([]);
  });

  it("keeps a committed payment when ending the pass fails, and logs it", async () => {
    const { concertId, dateId } = await concertWithDate();
    const userId = await userWith(PRICE);
    const reservationId = await hold(userId, dateId, 11);
    queue.failFinish = true;
    const payment = await service.pay(queue.token(userId, concertId), reservationId);
    expect(payment.reservation.status).toBe("CONFIRMED");
    expect(await moneyState(userId, reservationId)).toMatchObject({ balance: 0, payments: 1 });
    expect(warnings).toEqual(["payment committed but could not end the queue pass"]);
  });
});
