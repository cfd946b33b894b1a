// An in-memory ReservationStore whose "database clock" is a FakeClock, so unit tests can let a
// hold lapse without sleeping. It mirrors the SQL rules: one live row per seat and per user and
// date, lapse judged by the clock at read time.
import type { FakeClock } from "../../../src/platform/clock.js";
import type {
  CancelOutcome,
  ConfirmOutcome,
  HoldOutcome,
  HoldTarget,
  ReleasedSeat,
  ReservationStatus,
  ReservationView,
} from "../../../src/modules/reservation/reservation.model.js";
import type { HoldRequest } from "../../../src/modules/reservation/reservation-rows.js";
import type { ReservationStore } from "../../../src/modules/reservation/reservation.service.js";

interface Row {
  id: string;
  userId: string;
  seatId: string;
  concertDateId: string;
  price: number;
  status: ReservationStatus;
  live: boolean;
  expiresAt: Date;
  createdAt: Date;
}

interface DateRow {
  concertId: string;
  date: Date;
  seats: Map<number, { id: string; price: number }>;
}

export class MemoryReservationStore implements ReservationStore {
  readonly dates = new Map<string, DateRow>();
  readonly rows: Row[] = [];
  private next = 0;

  constructor(private readonly clock: FakeClock) {}

  addDate(concertDateId: string, concertId: string, day: string): void {
    const seats = new Map<number, { id: string; price: number }>();
    for (let n = 1; n <= 50; n++) seats.set(n, { id: `${concertDateId}:${n}`, price: 1000 * n });
    this.dates.set(concertDateId, { concertId, date: new Date(`${day}T00:00:00.000Z`), seats });
  }

  private lapsed(r: Row): boolean {
    return r.status === "HELD" && r.expiresAt.getTime() <= this.clock.now().getTime();
  }

  private view(r: Row): ReservationView {
    const date = this.dates.get(r.concertDateId)!;
    const seatNumber = [...date.seats.entries()].find(([, s]) => s.id === r.seatId)![0];
    return {
      id: r.id,
      userId: r.userId,
      seatId: r.seatId,
      seatNumber,
      concertDateId: r.concertDateId,
      concertId: date.concertId,
      price: r.price,
      status: this.lapsed(r) ? "EXPIRED" : r.status,
      expiresAt: r.expiresAt,
      createdAt: r.createdAt,
    };
  }

  private released(r: Row): ReleasedSeat {
    const v = this.view(r);
    return { reservationId: r.id, concertDateId: v.concertDateId, seatNumber: v.seatNumber };
  }

  async findHoldTarget(concertDateId: string, seatNumber: number): Promise<HoldTarget | null> {
    const date = this.dates.get(concertDateId);
    if (!date) return null;
    return {
      concertDateId,
      concertId: date.concertId,
      date: date.date,
      seat: date.seats.get(seatNumber) ?? null,
    };
  }

  async hold(req: HoldRequest): Promise<HoldOutcome> {
    // As in SQL: lapsed holds in the way are retired whatever the outcome, then the unique
    // "live" rules decide.
    const retire = this.rows.filter(
      (r) =>
        r.live &&
        this.lapsed(r) &&
        (r.seatId === req.seatId || (r.userId === req.userId && r.concertDateId === req.concertDateId)),
    );
    for (const r of retire) Object.assign(r, { status: "EXPIRED", live: false });
    const released = retire.map((r) => this.released(r));
    if (this.rows.some((r) => r.live && r.seatId === req.seatId))
      return { kind: "SEAT_UNAVAILABLE", released };
    if (this.rows.some((r) => r.live && r.userId === req.userId && r.concertDateId === req.concertDateId)) {
      return { kind: "ALREADY_RESERVED", released };
    }
    const now = this.clock.now();
    this.next += 1;
    const row: Row = {
      id: `r${this.next}`,
      userId: req.userId,
      seatId: req.seatId,
      concertDateId: req.concertDateId,
      price: req.price,
      status: "HELD",
      live: true,
      expiresAt: new Date(now.getTime() + req.holdSeconds * 1000),
      createdAt: new Date(now.getTime() + this.next), // distinct, increasing
    };
    this.rows.push(row);
    return { kind: "HELD", reservation: this.view(row), released };
  }

  async expireIfLapsed(id: string): Promise<boolean> {
    const r = this.rows.find((x) => x.id === id && x.live && this.lapsed(x));
    if (!r) return false;
    Object.assign(r, { status: "EXPIRED", live: false });
    return true;
  }

  async findLapsed(limit: number): Promise<ReleasedSeat[]> {
    return this.rows
      .filter((r) => r.live && this.lapsed(r))
      .slice(0, limit)
      .map((r) => this.released(r));
  }

  async confirmHeld(_db: unknown, id: string, userId: string): Promise<ConfirmOutcome> {
    const r = this.rows.find((x) => x.id === id && x.userId === userId);
    if (!r) return "NOT_FOUND";
    if (r.status === "CONFIRMED") return "ALREADY_PAID";
    if (r.status !== "HELD" || this.lapsed(r)) return "EXPIRED";
    r.status = "CONFIRMED";
    return "CONFIRMED";
  }

  async cancelHeld(id: string, userId: string): Promise<CancelOutcome> {
    const r = this.rows.find((x) => x.id === id && x.userId === userId);
    if (!r) return { kind: "NOT_FOUND" };
    if (r.status === "CONFIRMED") return { kind: "ALREADY_PAID" };
    if (r.status !== "HELD" || this.lapsed(r)) return { kind: "EXPIRED" };
    Object.assign(r, { status: "CANCELLED", live: false });
    return { kind: "CANCELLED", reservation: this.view(r) };
  }

  async releaseOtherHolds(userId: string, concertId: string, keep: string): Promise<ReleasedSeat[]> {
    const mine = this.rows.filter(
      (r) =>
        r.userId === userId &&
        r.id !== keep &&
        r.live &&
        r.status === "HELD" &&
        this.dates.get(r.concertDateId)!.concertId === concertId,
    );
    for (const r of mine) Object.assign(r, { status: this.lapsed(r) ? "EXPIRED" : "CANCELLED", live: false });
    return mine.map((r) => this.released(r));
  }

  async findOwned(id: string, userId: string): Promise<ReservationView | null> {
    const r = this.rows.find((x) => x.id === id && x.userId === userId);
    return r ? this.view(r) : null;
  }

  async listForUser(userId: string, limit: number): Promise<ReservationView[]> {
    return this.rows
      .filter((r) => r.userId === userId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(0, limit)
      .map((r) => this.view(r));
  }
}
