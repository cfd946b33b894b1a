// saleStats: the figures of one sale now, the same whichever instance answers. Queue figures
// come from Redis (one script: one snapshot), seats and money from MySQL (one statement), the
// controls from sale_controls (the truth, not this instance's cache).
import { dayIn } from "../../platform/business-day.js";
import type { Clock } from "../../platform/clock.js";
import { effectiveControl, type ControlDefaults, type ControlSource } from "../queue/admission-controls.js";
import { unknownConcert } from "./live-sale.errors.js";
import type { SaleFiguresStore } from "./sale-figures.store.js";
import type { SaleStatsRepository } from "./sale-stats.repository.js";

/** SaleStats in the admin schema. */
export interface SaleStatsData {
  concertId: string;
  at: Date;
  saleOpensAt: Date | null;
  prequeued: number;
  waiting: number;
  active: number;
  admittedLastMinute: number;
  abandonedLastMinute: number;
  paidLastMinute: number;
  seatsFree: number;
  seatsHeld: number;
  seatsSold: number;
  revenue: number;
  paused: boolean;
  maxActive: number;
  admitPerTick: number;
  soldOut: boolean;
}

export interface SaleStatsDeps {
  seats: Pick<SaleStatsRepository, "seatFigures">;
  queue: Pick<SaleFiguresStore, "figures">;
  controls: ControlSource;
  defaults: ControlDefaults;
  clock: Clock;
  timeZone: string;
}

export class SaleStatsService {
  constructor(private readonly deps: SaleStatsDeps) {}

  /** NOT_FOUND for an unknown concert. Three reads in parallel: Redis, MySQL, sale_controls. */
  async stats(concertId: string): Promise<SaleStatsData> {
    const { seats, queue, controls, defaults, clock, timeZone } = this.deps;
    const now = clock.now();
    const today = dayIn(now, timeZone);
    const [s, q, rows] = await Promise.all([
      seats.seatFigures(concertId, today),
      queue.figures(concertId, now.getTime()),
      controls.read([concertId]),
    ]);
    if (!s) throw unknownConcert(concertId);
    const control = effectiveControl(rows[0], defaults);
    return {
      concertId,
      at: now,
      saleOpensAt: s.saleOpensAt,
      prequeued: q.prequeued,
      waiting: q.waiting,
      active: q.active,
      admittedLastMinute: q.admittedLastMinute,
      abandonedLastMinute: q.abandonedLastMinute,
      paidLastMinute: s.paidLastMinute,
      seatsFree: s.seats - s.held - s.sold,
      seatsHeld: s.held,
      seatsSold: s.sold,
      revenue: s.revenue,
      paused: control.paused,
      maxActive: control.maxActive,
      admitPerTick: control.admitPerTick,
      soldOut: s.seats > 0 && s.sold === s.seats,
    };
  }
}
