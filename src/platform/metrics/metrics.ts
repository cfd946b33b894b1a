// The numbers an operator watches on sale day, in Prometheus text format at /metrics. One
// registry per app (never prom-client's global one), so several apps in one test process and
// several instances on one host each expose only their own series. Queue sizes are not kept
// here: they are read from Redis at scrape time, so every instance reports the shared truth.
import type { AnswerCacheMetrics } from "../graphql/answer-cache.js";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** Reads a concert queue's live sizes (implemented by the queue store). */
export interface QueueSizeReader {
  concerts(): Promise<string[]>;
  sizes(concertId: string): Promise<{ waiting: number; active: number }>;
}

/** The MySQL connection pool as /metrics sees it (implemented in platform/db/prisma.ts). */
export interface DatabasePoolReader {
  connections(): { active: number; idle: number; waiting: number };
  /** `listener` runs whenever a statement has to wait because every connection is busy. */
  onWait(listener: () => void): void;
}

/** Reads every sale's live figures (implemented by the live-sale module). */
export interface SaleStatsReader {
  concerts(): Promise<string[]>;
  stats(concertId: string): Promise<Record<SaleFigure, number | boolean>>;
}

/** The per-concert figures of saleStats exported as gauges (sale_<name>, label concert_id). */
const SALE_FIGURES = {
  prequeued: "Tickets PREQUEUED for the draw.",
  admittedLastMinute: "Tickets admitted in the last 60 s.",
  abandonedLastMinute: "Tickets that left, went idle or timed out unpaid in the last 60 s.",
  paidLastMinute: "Payments in the last 60 s.",
  seatsFree: "Seats of future dates neither held nor sold.",
  seatsHeld: "Seats of future dates held (unlapsed).",
  seatsSold: "Seats of future dates sold.",
  revenue: "Sum of the concert's payments, KRW.",
  paused: "1 while an operator paused admission.",
  maxActive: "Effective QUEUE_MAX_ACTIVE of the concert.",
  admitPerTick: "Effective QUEUE_ADMIT_PER_TICK of the concert.",
  soldOut: "1 once no seat of a future date is free or held.",
} as const;
export type SaleFigure = keyof typeof SALE_FIGURES;

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** What the queue service reports. */
export interface QueueMetrics {
  admitted(concertId: string, count: number): void;
  /** left: leaveQueue; idle: WAITING without a heartbeat; active_timeout: admitted, never finished. */
  abandoned(concertId: string, reason: "left" | "idle" | "active_timeout", count: number): void;
  /** Milliseconds from a QUEUE_CHANGED event's `at` to a push to a local subscriber. */
  pushed(latencyMs: number): void;
}

/** What the payment service reports after a payment commits. */
export interface PaymentMetrics {
  paid(amount: number): void;
}

/** What the in-memory seat maps report (concert/seat-board.ts). */
export interface SeatMapMetrics {
  /** A seat or date read answered from the map, or from SQL (map not loaded, or being read). */
  seatRead(source: "memory" | "sql"): void;
  /** A map read again: one or more dates on their own, or the whole concert. */
  reread(scope: "dates" | "concert"): void;
}

/** At most this many distinct operation labels; the rest count as "other" (names come from clients). */
const MAX_OPERATION_LABELS = 200;

export class AppMetrics implements QueueMetrics, PaymentMetrics, SeatMapMetrics, AnswerCacheMetrics {
  readonly registry = new Registry();
  private readonly admissions: Counter<"concert_id">;
  private readonly abandonments: Counter<"concert_id" | "reason">;
  private readonly pushLatency: Histogram;
  private readonly reservations: Counter<"code">;
  private readonly seatReads: Counter<"source">;
  private readonly seatRereads: Counter<"scope">;
  private readonly answers: Counter<"result">;
  private readonly paymentCount: Counter;
  private readonly paymentAmount: Counter;
  private readonly operations: Histogram<"operation" | "type" | "outcome">;
  private readonly operationNames = new Set<string>();
  private queueSizes: QueueSizeReader | null = null;
  private sales: SaleStatsReader | null = null;
  /** One read of every sale per scrape, shared by the sale_* gauges. */
  private saleScrape: {
    at: number;
    figures: Promise<Map<string, Record<SaleFigure, number | boolean>>>;
  } | null = null;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.admissions = new Counter({
      name: "queue_admissions_total",
      help: "Tickets admitted from WAITING to ACTIVE by this instance's ticks.",
      labelNames: ["concert_id"],
      registers,
    });
    this.abandonments = new Counter({
      name: "queue_abandonments_total",
      help: "Tickets that ended without a payment, seen by this instance (left, idle, active_timeout).",
      labelNames: ["concert_id", "reason"],
      registers,
    });
    this.pushLatency = new Histogram({
      name: "queue_push_latency_seconds",
      help: "Time from a queue change (QUEUE_CHANGED at) to the push to a local queueUpdates subscriber.",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers,
    });
    this.reservations = new Counter({
      name: "reservation_outcomes_total",
      help: "reserveSeat answers by outcome: HELD or the error code.",
      labelNames: ["code"],
      registers,
    });
    this.seatReads = new Counter({
      name: "seat_reads_total",
      help: "availableDates, availableSeats and seatMap answers by source: memory (the seat map) or sql.",
      labelNames: ["source"],
      registers,
    });
    this.seatRereads = new Counter({
      name: "seat_map_rereads_total",
      help: "Seat maps read again from SQL: some dates on their own (a missed event, a refusal by MySQL) or a whole concert.",
      labelNames: ["scope"],
      registers,
    });
    this.answers = new Counter({
      name: "answer_cache_total",
      help: "Operations of cached fields (availableSeats, seatMap) by result: hit (answer sent again), miss (executed; kept unless it had an error), uncached (a stamp declined: refused, or from SQL).",
      labelNames: ["result"],
      registers,
    });
    this.paymentCount = new Counter({
      name: "payments_total",
      help: "Payments committed by this instance.",
      registers,
    });
    this.paymentAmount = new Counter({
      name: "payments_amount_krw_total",
      help: "Sum of the payments committed by this instance, in KRW.",
      registers,
    });
    this.operations = new Histogram({
      name: "graphql_operation_duration_seconds",
      help: "GraphQL HTTP operations, from request start to response, by operation name.",
      labelNames: ["operation", "type", "outcome"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    const sizes = async (pick: "waiting" | "active", gauge: Gauge<"concert_id">) => {
      gauge.reset();
      const reader = this.queueSizes;
      if (!reader) return;
      for (const concertId of await reader.concerts()) {
        gauge.set({ concert_id: concertId }, (await reader.sizes(concertId))[pick]);
      }
    };
    const sales = () => this.saleFigures();
    for (const [figure, help] of Object.entries(SALE_FIGURES) as [SaleFigure, string][]) {
      new Gauge({
        name: `sale_${snake(figure)}`,
        help: `${help} Per concert, read from Redis and MySQL at scrape time (the same on every instance).`,
        labelNames: ["concert_id"],
        registers,
        async collect() {
          this.reset();
          for (const [concertId, stats] of await sales())
            this.set({ concert_id: concertId }, Number(stats[figure]));
        },
      });
    }
    new Gauge({
      name: "queue_waiting",
      help: "Tickets WAITING per concert (read from Redis at scrape time; the same on every instance).",
      labelNames: ["concert_id"],
      registers,
      async collect() {
        await sizes("waiting", this);
      },
    });
    new Gauge({
      name: "queue_active",
      help: "Tickets ACTIVE per concert (read from Redis at scrape time; the same on every instance).",
      labelNames: ["concert_id"],
      registers,
      async collect() {
        await sizes("active", this);
      },
    });
  }

  /** The live-sale module hands over its figures: sale_* gauges per concert, read at scrape time. */
  watchSales(reader: SaleStatsReader): void {
    this.sales = reader;
  }

  private saleFigures(): Promise<Map<string, Record<SaleFigure, number | boolean>>> {
    const now = Date.now();
    if (this.saleScrape && now - this.saleScrape.at < 1000) return this.saleScrape.figures;
    const reader = this.sales;
    const figures = (async () => {
      const all = new Map<string, Record<SaleFigure, number | boolean>>();
      if (!reader) return all;
      for (const concertId of await reader.concerts()) all.set(concertId, await reader.stats(concertId));
      return all;
    })();
    this.saleScrape = { at: now, figures };
    return figures;
  }

  /**
   * MySQL pool gauges read at scrape time, and a counter of statements that had to wait for a
   * free connection (a rising rate says DATABASE_POOL_SIZE, or MySQL, is the limit).
   */
  watchDatabasePool(pool: DatabasePoolReader): void {
    const registers = [this.registry];
    new Gauge({
      name: "db_pool_connections",
      help: "MySQL connections of this instance's pool by state: active (running a statement) or idle.",
      labelNames: ["state"],
      registers,
      collect() {
        const now = pool.connections();
        this.set({ state: "active" }, now.active);
        this.set({ state: "idle" }, now.idle);
      },
    });
    new Gauge({
      name: "db_pool_waiting",
      help: "Statements waiting for a free MySQL connection of this instance's pool right now.",
      registers,
      collect() {
        this.set(pool.connections().waiting);
      },
    });
    const waits = new Counter({
      name: "db_pool_waits_total",
      help: "Statements that had to wait for a free MySQL connection of this instance's pool.",
      registers,
    });
    pool.onWait(() => waits.inc());
  }

  /** The queue module hands over its store so that scrapes can read live sizes. */
  watchQueues(reader: QueueSizeReader): void {
    this.queueSizes = reader;
  }

  admitted(concertId: string, count: number): void {
    if (count > 0) this.admissions.inc({ concert_id: concertId }, count);
  }

  abandoned(concertId: string, reason: "left" | "idle" | "active_timeout", count: number): void {
    if (count > 0) this.abandonments.inc({ concert_id: concertId, reason }, count);
  }

  pushed(latencyMs: number): void {
    this.pushLatency.observe(Math.max(0, latencyMs) / 1000);
  }

  paid(amount: number): void {
    this.paymentCount.inc();
    this.paymentAmount.inc(amount);
  }

  reservationOutcome(code: string): void {
    this.reservations.inc({ code });
  }

  seatRead(source: "memory" | "sql"): void {
    this.seatReads.inc({ source });
  }

  reread(scope: "dates" | "concert"): void {
    this.seatRereads.inc({ scope });
  }

  answerCache(result: "hit" | "miss" | "uncached"): void {
    this.answers.inc({ result });
  }

  operation(name: string, type: string, outcome: "ok" | "error", seconds: number): void {
    let label = name;
    if (!this.operationNames.has(name)) {
      if (this.operationNames.size >= MAX_OPERATION_LABELS) label = "other";
      else this.operationNames.add(name);
    }
    this.operations.observe({ operation: label, type, outcome }, seconds);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
