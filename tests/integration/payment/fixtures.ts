// Rows for the payment tests: concerts with 50 seats, users with a wallet (and the ledger row
// that explains its balance), holds made by the real reservation repository.
import type { PrismaClient } from "../../../src/platform/db/prisma.js";
import type { Sql } from "../../../src/platform/db/sql.js";
import { systemClock } from "../../../src/platform/clock.js";
import { ReservationRepository } from "../../../src/modules/reservation/reservation.repository.js";

export const PRICE = 100_000;

export class PaymentFixtures {
  private readonly repository: ReservationRepository;
  constructor(
    private readonly prisma: PrismaClient,
    sql: Sql,
  ) {
    this.repository = new ReservationRepository({ prisma, sql, clock: systemClock });
  }

  async concertWithDate(): Promise<{ concertId: string; dateId: string }> {
    const concert = await this.prisma.concert.create({
      data: { title: "Pay Live", artist: "A", venue: "V" },
    });
    const day = new Date(Date.UTC(2099, 0, 1 + Math.floor(Math.random() * 3000)));
    const date = await this.prisma.concertDate.create({
      data: { concertId: concert.id, date: day, startsAt: new Date(day.getTime() + 36_000_000) },
    });
    await this.prisma.seat.createMany({
      data: Array.from({ length: 50 }, (_, i) => ({ concertDateId: date.id, number: i + 1, price: PRICE })),
    });
    return { concertId: concert.id, dateId: date.id };
  }
  async userWith(balance: number): Promise<string> {
    const user = await this.prisma.user.create({ data: { accessKeyHash: "0".repeat(64) } });
    await this.prisma.wallet.create({ data: { userId: user.id, balance } });
    if (balance > 0) {
      await this.prisma.ledgerEntry.create({
        data: { userId: user.id, kind: "CHARGE", amount: balance, balanceAfter: balance },
      });
    }
    return user.id;
  }
  async hold(userId: string, dateId: string, seatNumber: number): Promise<string> {
    const seat = await this.prisma.seat.findUniqueOrThrow({
      where: { concertDateId_number: { concertDateId: dateId, number: seatNumber } },
    });
    const date = await this.prisma.concertDate.findUniqueOrThrow({ where: { id: dateId } });
    const outcome = await this.repository.hold({
      userId,
      concertId: date.concertId,
      concertDateId: dateId,
      seatId: seat.id,
      seatNumber,
      price: seat.price,
      holdSeconds: 300,
    });
    if (outcome.kind !== "HELD") throw new Error(`could not hold: ${outcome.kind}`);
    return outcome.reservation.id;
  }
  /** Everything a payment could change for this user and reservation. */
  async moneyState(userId: string, reservationId: string) {
    const [wallet, reservation, ledger, payments, keys] = await Promise.all([
      this.prisma.wallet.findUniqueOrThrow({ where: { userId }, select: { balance: true } }),
      this.prisma.reservation.findUniqueOrThrow({
        where: { id: reservationId },
        select: { status: true, live: true, seatId: true, price: true, expiresAt: true, updatedAt: true },
      }),
      this.prisma.ledgerEntry.findMany({ where: { userId }, select: { amount: true } }),
      this.prisma.payment.count({ where: { userId } }),
      this.prisma.idempotencyKey.count({ where: { userId } }),
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
}
