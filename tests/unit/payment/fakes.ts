// In-memory reservation side and payment store for the payment service's unit tests.
import type { Tx } from "../../../src/platform/db/transaction.js";
import type {
  ConfirmOutcome,
  ReservationAfterPayment,
  ReservationPort,
  ReservationView,
  SoldOutCheck,
} from "../../../src/modules/payment/payment.ports.js";
import type {
  NewPayment,
  PaymentStore,
  PaymentView,
} from "../../../src/modules/payment/payment.repository.js";
import type { Snapshotting } from "../wallet/fakes.js";

export class FakeReservations implements ReservationPort, ReservationAfterPayment, Snapshotting {
  rows = new Map<string, ReservationView>();
  released: string[] = [];
  failAfterPayment = false;

  snapshot() {
    const rows = new Map([...this.rows].map(([id, r]) => [id, { ...r }]));
    return () => {
      this.rows = rows;
    };
  }
  hold(
    id: string,
    userId: string,
    concertId: string,
    price: number,
    status: ReservationView["status"] = "HELD",
  ) {
    this.rows.set(id, {
      id,
      userId,
      seatId: `seat-${id}`,
      seatNumber: 7,
      concertDateId: `date-${concertId}`,
      concertId,
      price,
      status,
      expiresAt: new Date("2030-01-01T00:05:00Z"),
      createdAt: new Date("2030-01-01T00:00:00Z"),
    });
  }
  async findOwned(id: string, userId: string) {
    const row = this.rows.get(id);
    return row && row.userId === userId ? { ...row } : null;
  }
  async confirmHeld(_tx: Tx, id: string, userId: string): Promise<ConfirmOutcome> {
    const row = this.rows.get(id);
    if (!row || row.userId !== userId) return "NOT_FOUND";
    if (row.status === "CONFIRMED") return "ALREADY_PAID";
    if (row.status !== "HELD") return "EXPIRED";
    row.status = "CONFIRMED";
    return "CONFIRMED";
  }
  async afterPayment(paid: ReservationView) {
    if (this.failAfterPayment) throw new Error("release failed");
    this.released.push(`${paid.userId}/${paid.concertId}/${paid.id}/${paid.status}`);
  }
}

/** The sold-out watch: records the dates it was asked about. */
export class FakeSoldOut implements SoldOutCheck {
  checked: string[] = [];
  fail = false;
  async check(concertId: string, concertDateId: string) {
    if (this.fail) throw new Error("sold-out check failed");
    this.checked.push(`${concertId}/${concertDateId}`);
    return false;
  }
}

export class FakePayments implements PaymentStore, Snapshotting {
  rows: NewPayment[] = [];
  constructor(private readonly reservations: FakeReservations) {}
  snapshot() {
    const rows = [...this.rows];
    return () => {
      this.rows = rows;
    };
  }
  async insert(_tx: Tx, payment: NewPayment) {
    if (this.rows.some((p) => p.reservationId === payment.reservationId)) return false;
    this.rows.push(payment);
    return true;
  }
  private view(p: NewPayment): PaymentView {
    return { ...p, reservation: { ...this.reservations.rows.get(p.reservationId)! } };
  }
  async findById(id: string) {
    const p = this.rows.find((r) => r.id === id);
    return p ? this.view(p) : null;
  }
  async listByUser(userId: string) {
    return this.rows
      .filter((p) => p.userId === userId)
      .sort((a, b) => b.paidAt.getTime() - a.paidAt.getTime())
      .map((p) => this.view(p));
  }
}
