// The queue's view of scheduled openings (SaleSchedule), read from MySQL and cached per process
// for at most one admission tick. An operator's change (CATALOGUE_CHANGED, published by every
// instance's operator API) drops the concert at once on every instance; the tick-long lifetime
// bounds staleness even if that message is lost.
import type { Clock } from "../../platform/clock.js";
import type { Logger } from "../../platform/logger.js";
import type { BackgroundJob } from "../../platform/module.js";
import type { DrawState, SaleOpening, SaleSchedule } from "../queue/sale-schedule.js";
import { drawKeyOf } from "./draw-key.js";
import type { SaleDrawRepository } from "./sale-draw.repository.js";

interface Entry {
  at: number;
  value: Promise<SaleOpening | null>;
}

type Feed = AsyncIterator<{ concertId: string }> & { return?(): Promise<unknown> };

export class SaleScheduleCache implements SaleSchedule {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly repository: SaleDrawRepository,
    private readonly clock: Clock,
    private readonly maxAgeMs: number,
  ) {}

  opening(concertId: string): Promise<SaleOpening | null> {
    const now = this.clock.now().getTime();
    const hit = this.entries.get(concertId);
    if (hit && now - hit.at < this.maxAgeMs) return hit.value;
    const value = this.load(concertId);
    this.entries.set(concertId, { at: now, value });
    // A failed read is not cached: the next call asks MySQL again.
    value.catch(() => this.entries.delete(concertId));
    return value;
  }

  async drawState(concertId: string, userId: string): Promise<DrawState | null> {
    const concert = await this.repository.find(concertId);
    if (!concert?.saleOpensAt) return null;
    const draw = concert.draw ?? (await this.repository.ensureDraw(concertId));
    return { drawKey: drawKeyOf(draw.seed, userId), drawnAtMs: draw.drawnAt?.getTime() ?? null };
  }

  /** Drops what this process knows of the concert (an operator changed it). */
  forget(concertId: string): void {
    this.entries.delete(concertId);
  }

  /** Keeps the cache in step with operator changes on every instance. */
  invalidationJob(listen: () => Feed, log: Logger): BackgroundJob {
    let feed: Feed | undefined;
    let loop: Promise<void> | undefined;
    return {
      name: "sale-schedule-invalidation",
      start: () => {
        if (feed) return;
        const current = listen();
        feed = current;
        loop = (async () => {
          try {
            for (;;) {
              const r = await current.next();
              if (r.done) return;
              this.forget(r.value.concertId);
            }
          } catch (error) {
            log.warn({ err: error }, "catalogue change feed failed; schedules expire after one tick");
          }
        })();
      },
      stop: async () => {
        const current = feed;
        feed = undefined;
        await current?.return?.();
        await loop;
      },
    };
  }

  private async load(concertId: string): Promise<SaleOpening | null> {
    const concert = await this.repository.find(concertId);
    if (!concert?.saleOpensAt) return null;
    const draw = concert.draw ?? (await this.repository.ensureDraw(concertId));
    const seed = draw.seed;
    return { opensAtMs: concert.saleOpensAt.getTime(), drawKey: (userId) => drawKeyOf(seed, userId) };
  }
}
