// Paying against real MariaDB with the real reservation repository: every race is decided by
// the reservation's conditional UPDATE, the wallet's conditional debit, the payments unique
// index and the idempotency primary key. The queue is faked (its own tests cover it).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "../../../src/platform/clock.js";
import { createDatabase, type PrismaClient } from "../../../src/platform/db/prisma.js";
import { migrate } from "../../../src/platform/db/migrate.js";
import type { SeatChangedEvent } from "../../../src/platform/redis/topics.js";
import type { Sql } from "../../../src/platform/db/sql.js";
import type { Tx } from "../../../src/platform/db/transaction.js";
import { sqlIdempotency } from "../../../src/platform/idempotency.js";
import { SoldOutRepository } from "../../../src/modules/live-sale/sale-stats.repository.js";
import { SoldOutWatch } from "../../../src/modules/live-sale/sold-out.js";
import { PaymentRepository } from "../../../src/modules/payment/payment.repository.js";
import { PaymentService } from "../../../src/modules/payment/payment.service.js";
import { ReservationRepository } from "../../../src/modules/reservation/reservation.repository.js";
import { ReservationService } from "../../../src/modules/reservation/reservation.service.js";
import { SqlWalletStore } from "../../../src/modules/wallet/wallet.repository.js";
import { WalletService } from "../../../src/modules/wallet/wallet.service.js";
import { createTestEnv, type TestEnv } from "../../helpers/test-env.js";
import { PaymentFixtures, PRICE } from "./fixtures.js";
import { FakeQueue } from "../../unit/wallet/fakes.js";

describe("payReservation against MariaDB", () => {
  let env: TestEnv;
  let prisma: PrismaClient;
  let sql: Sql;
  let queue: FakeQueue;
  /** Called inside the payment's transaction right after the debit (a failure to inject). */
  let afterDebit: ((tx: Tx) => Promise<void>) | undefined;
  let warnings: string[];
  let events: SeatChangedEvent[];
  let repository: ReservationRepository;
  let service: PaymentService;
  let fx: PaymentFixtures;

  beforeAll(async () => {
    env = createTestEnv();
    await migrate(env.databaseUrl);
    const db = createDatabase(env.databaseUrl, 20);
    prisma = db.prisma;
    sql = db.sql;
    repository = new ReservationRepository({ prisma: db.prisma, sql: db.sql, clock: systemClock });
    fx = new PaymentFixtures(prisma, db.sql);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await env?.cleanup();
  });
  beforeEach(() => {
    queue = new FakeQueue();
    afterDebit = undefined;
    warnings = [];
    events = [];
    const reservations = new ReservationService({
      repository,
      guard: queue,
      pass: queue,
      events: { publish: (e) => events.push(e) },
      clock: systemClock,
      holdSeconds: 300,
      timeZone: "Asia/Seoul",
    });
    const idempotency = sqlIdempotency(sql, systemClock);
    const wallet = new WalletService({
      guard: queue,
      wallets: new SqlWalletStore(sql),
      idempotency,
      clock: systemClock,
      limits: { maxCharge: 1_000_000, maxBalance: 10_000_000 },
    });
    service = new PaymentService({
      guard: queue,
      pass: queue,
      reservations: repository,
      afterPayment: reservations,
      soldOut: new SoldOutWatch(
        new SoldOutRepository(sql),
        { setSoldOut: async () => undefined },
        systemClock,
        "Asia/Seoul",
      ),
      wallet: {
        debit: async (tx, ...args) => {
          await wallet.debit(tx, ...args);
          await afterDebit?.(tx);
        },
      },
      payments: new PaymentRepository(prisma),
      idempotency,
      clock: systemClock,
      log: { warn: (_details, message) => warnings.push(message) },
    });
  });

  it("pays a hold: CONFIRMED, one payment, one PAYMENT ledger row, balance equal to the ledger", async () => {
    const { concertId, dateId } = await fx.concertWithDate();
    const userId = await fx.userWith(150_000);
    const reservationId = await fx.hold(userId, dateId, 3);
    const payment = await service.pay(queue.token(userId, concertId), reservationId);
    expect(payment).toMatchObject({
      amount: PRICE,
      reservation: { id: reservationId, status: "CONFIRMED", seatNumber: 3 },
    });
    const state = await fx.moneyState(userId, reservationId);
    expect(state).toMatchObject({ balance: 50_000, ledgerSum: 50_000, ledgerRows: 2, payments: 1 });
    expect(state.reservation).toMatchObject({ status: "CONFIRMED", live: true });
    const entry = await prisma.ledgerEntry.findFirstOrThrow({ where: { userId, kind: "PAYMENT" } });
    expect(entry).toMatchObject({ amount: -PRICE, balanceAfter: 50_000, reference: payment.id });
    expect(events).toContainEqual({ concertDateId: dateId, number: 3, status: "SOLD" });
  });

  it("takes exactly one payment and one debit for 100 concurrent payments of one hold", async () => {
    queue.expireOnPayment = false; // every racer passes the queue check: the database must decide
    const { concertId, dateId } = await fx.concertWithDate();
    const userId = await fx.userWith(1_000_000);
    const reservationId = await fx.hold(userId, dateId, 1);
    const token = queue.token(userId, concertId);
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, () => service.pay(token, reservationId)),
    );
    const refused = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(new Set(refused.map((r) => (r.reason as { code?: string }).code))).toEqual(
      new Set(["ALREADY_PAID"]),
    );
    expect(await fx.moneyState(userId, reservationId)).toMatchObject({
      balance: 1_000_000 - PRICE,
      ledgerSum: 1_000_000 - PRICE,
      ledgerRows: 2,
      payments: 1,
    });
  });

  it("with money for one seat and holds at two concerts, lets exactly one of two concurrent payments through", async () => {
    for (let round = 0; round < 5; round++) {
      const a = await fx.concertWithDate();
      const b = await fx.concertWithDate();
      const userId = await fx.userWith(PRICE);
      const ra = await fx.hold(userId, a.dateId, 10);
      const rb = await fx.hold(userId, b.dateId, 10);
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
    const { concertId, dateId } = await fx.concertWithDate();
    const userId = await fx.userWith(PRICE);
    const reservationId = await fx.hold(userId, dateId, 2);
    const token = queue.token(userId, concertId);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => service.pay(token, reservationId, "pay-once")),
    );
    expect(new Set(results.map((p) => p.id)).size).toBe(1);
    expect(results.every((p) => p.reservation.status === "CONFIRMED")).toBe(true);
    expect(await fx.moneyState(userId, reservationId)).toMatchObject({
      balance: 0,
      payments: 1,
      keys: 1,
      ledgerRows: 2,
    });
  });

  it("replays a key after the token expired and refuses it for another reservation", async () => {
    const { concertId, dateId } = await fx.concertWithDate();
    const other = await fx.concertWithDate();
    const userId = await fx.userWith(2 * PRICE);
    const reservationId = await fx.hold(userId, dateId, 4);
    const otherId = await fx.hold(userId, other.dateId, 4);
    const token = queue.token(userId, concertId);
    const first = await service.pay(token, reservationId, "k1");
    expect(queue.status.get(token)).toBe("EXPIRED");
    const again = await service.pay(token, reservationId, "k1");
    expect(again.id).toBe(first.id);
    expect(again.paidAt.getTime()).toBe(first.paidAt.getTime());
    await expect(service.pay(queue.token(userId, other.concertId), otherId, "k1")).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
    expect(await fx.moneyState(userId, otherId)).toMatchObject({
      balance: PRICE,
      payments: 1,
      reservation: { status: "HELD" },
    });
    await expect(service.pay(token, reservationId)).rejects.toMatchObject({ code: "QUEUE_TOKEN_EXPIRED" });
  });

  it("leaves balance, reservation and seat exactly as before when a failure is injected after the debit", async () => {
    const { concertId, dateId } = await fx.concertWithDate();
    const userId = await fx.userWith(PRICE);
    const reservationId = await fx.hold(userId, dateId, 5);
    const before = await fx.moneyState(userId, reservationId);
    let debitedInside: number | undefined;
    afterDebit = async (tx) => {
      const [row] = await tx.select<{ balance: number }>("SELECT balance FROM wallets WHERE user_id = ?", [
        userId,
      ]);
      debitedInside = Number(row!.balance);
      throw new Error("injected after the debit");
    };
    await expect(service.pay(queue.token(userId, concertId), reservationId, "k")).rejects.toThrow("injected");
    expect(debitedInside).toBe(0); // the debit really happened inside the transaction
    expect(await fx.moneyState(userId, reservationId)).toEqual(before);
    afterDebit = undefined;
    // The key was rolled back with everything else, so the same request can now succeed.
    expect((await service.pay(queue.token(userId, concertId), reservationId, "k")).amount).toBe(PRICE);
  });

  it("refuses an insufficient balance and a lapsed hold without changing anything", async () => {
    const { concertId, dateId } = await fx.concertWithDate();
    const poor = await fx.userWith(PRICE - 1);
    const r1 = await fx.hold(poor, dateId, 6);
    const before = await fx.moneyState(poor, r1);
    await expect(service.pay(queue.token(poor, concertId), r1, "k")).rejects.toMatchObject({
      code: "INSUFFICIENT_BALANCE",
      details: { balance: PRICE - 1, price: PRICE },
    });
    expect(await fx.moneyState(poor, r1)).toEqual(before);

    const rich = await fx.userWith(PRICE);
    const r2 = await fx.hold(rich, dateId, 7);
    await prisma.$executeRaw`UPDATE reservations SET expires_at = NOW(3) - INTERVAL 1 SECOND WHERE id = ${r2}`;
    const lapsed = await fx.moneyState(rich, r2);
    await expect(service.pay(queue.token(rich, concertId), r2)).rejects.toMatchObject({
      code: "RESERVATION_EXPIRED",
    });
    expect(await fx.moneyState(rich, r2)).toEqual(lapsed);
  });

  it("answers NOT_FOUND for another user's reservation and for a malformed id", async () => {
    const { concertId, dateId } = await fx.concertWithDate();
    const owner = await fx.userWith(PRICE);
    const intruder = await fx.userWith(PRICE);
    const reservationId = await fx.hold(owner, dateId, 8);
    await expect(service.pay(queue.token(intruder, concertId), reservationId)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(service.pay(queue.token(intruder, concertId), "not-an-id")).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await fx.moneyState(owner, reservationId)).toMatchObject({
      balance: PRICE,
      reservation: { status: "HELD" },
    });
  });

  it("releases the user's other holds of that concert after paying, and lists payments newest first", async () => {
    const a = await fx.concertWithDate();
    const a2 = await prisma.concertDate.create({
      data: {
        concertId: a.concertId,
        date: new Date(Date.UTC(2098, 5, 1)),
        startsAt: new Date(Date.UTC(2098, 5, 1, 10)),
      },
    });
    await prisma.seat.create({ data: { concertDateId: a2.id, number: 1, price: PRICE } });
    const b = await fx.concertWithDate();
    const userId = await fx.userWith(3 * PRICE);
    const paid = await fx.hold(userId, a.dateId, 9);
    const sibling = await fx.hold(userId, a2.id, 1);
    const elsewhere = await fx.hold(userId, b.dateId, 9);
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
    expect(await service.myPayments(queue.token(await fx.userWith(0), a.concertId))).toEqual([]);
  });

  it("keeps a committed payment when ending the pass fails, and logs it", async () => {
    const { concertId, dateId } = await fx.concertWithDate();
    const userId = await fx.userWith(PRICE);
    const reservationId = await fx.hold(userId, dateId, 11);
    queue.failFinish = true;
    const payment = await service.pay(queue.token(userId, concertId), reservationId);
    expect(payment.reservation.status).toBe("CONFIRMED");
    expect(await fx.moneyState(userId, reservationId)).toMatchObject({ balance: 0, payments: 1 });
    expect(warnings).toEqual(["payment committed but could not end the queue pass"]);
  });
});
