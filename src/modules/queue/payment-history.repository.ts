import type { PrismaClient } from "../../platform/db/prisma.js";

/** What the queue's recovery needs to know of payments (MySQL survives a Redis loss). */
export interface PaymentHistory {
  /** Has this user paid for any date of this concert? */
  hasPaid(userId: string, concertId: string): Promise<boolean>;
}

export class PrismaPaymentHistory implements PaymentHistory {
  constructor(private readonly prisma: PrismaClient) {}

  async hasPaid(userId: string, concertId: string): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<{ paid: number }[]>`
      SELECT 1 AS paid
        FROM payments p
        JOIN reservations r ON r.id = p.reservation_id
        JOIN concert_dates d ON d.id = r.concert_date_id
       WHERE p.user_id = ${userId} AND d.concert_id = ${concertId}
       LIMIT 1`;
    return rows.length > 0;
  }
}
