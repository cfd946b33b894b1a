// The only code that reads or writes payments. A payment is read back with its reservation
// and seat number, because the API returns them together.
import type { PrismaClient } from "../../platform/db/prisma.js";
import { isUniqueViolation } from "../../platform/db/db-errors.js";
import type { Tx } from "../../platform/db/transaction.js";
import type { ReservationView } from "./payment.ports.js";

export interface PaymentView {
  id: string;
  userId: string;
  amount: number;
  paidAt: Date;
  reservation: ReservationView;
}

export interface NewPayment {
  id: string;
  userId: string;
  reservationId: string;
  amount: number;
  paidAt: Date;
}

export interface PaymentStore {
  /** False when the reservation already has a payment (unique index on reservation_id). */
  insert(tx: Tx, payment: NewPayment): Promise<boolean>;
  findById(id: string): Promise<PaymentView | null>;
  /** Newest first. */
  listByUser(userId: string): Promise<PaymentView[]>;
}

const withReservation = {
  reservation: {
    include: { seat: { select: { number: true } }, concertDate: { select: { concertId: true } } },
  },
} as const;

type PaymentRow = {
  id: string;
  userId: string;
  amount: number;
  paidAt: Date;
  reservation: {
    id: string;
    userId: string;
    seatId: string;
    concertDateId: string;
    price: number;
    status: ReservationView["status"];
    expiresAt: Date;
    createdAt: Date;
    seat: { number: number };
    concertDate: { concertId: string };
  };
};

function toView(row: PaymentRow): PaymentView {
  const { seat, concertDate, ...reservation } = row.reservation;
  return {
    id: row.id,
    userId: row.userId,
    amount: row.amount,
    paidAt: row.paidAt,
    reservation: {
      id: reservation.id,
      userId: reservation.userId,
      seatId: reservation.seatId,
      seatNumber: seat.number,
      concertDateId: reservation.concertDateId,
      concertId: concertDate.concertId,
      price: reservation.price,
      status: reservation.status,
      expiresAt: reservation.expiresAt,
      createdAt: reservation.createdAt,
    },
  };
}

export class PaymentRepository implements PaymentStore {
  /** Reads go through Prisma (a payment with its reservation and seat); the insert runs on the payment's transaction. */
  constructor(private readonly prisma: PrismaClient) {}

  /** Holds "at most one payment per reservation" with the unique index payments_reservation_id_key. */
  async insert(tx: Tx, payment: NewPayment): Promise<boolean> {
    const { id, userId, reservationId, amount, paidAt } = payment;
    try {
      await tx.execute(
        "INSERT INTO payments (id, user_id, reservation_id, amount, paid_at) VALUES (?, ?, ?, ?, ?)",
        [id, userId, reservationId, amount, paidAt],
      );
      return true;
    } catch (error) {
      if (isUniqueViolation(error, "payments_reservation_id_key")) return false;
      throw error;
    }
  }

  async findById(id: string): Promise<PaymentView | null> {
    const row = await this.prisma.payment.findUnique({ where: { id }, include: withReservation });
    return row ? toView(row) : null;
  }

  async listByUser(userId: string): Promise<PaymentView[]> {
    const rows = await this.prisma.payment.findMany({
      where: { userId },
      orderBy: [{ paidAt: "desc" }, { id: "desc" }],
      include: withReservation,
    });
    return rows.map(toView);
  }
}
