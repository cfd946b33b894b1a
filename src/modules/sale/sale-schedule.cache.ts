// The queue's view of scheduled openings (SaleSchedule), read from MySQL and cached per process
// for at most one admission tick. An operator's change (CATALOGUE_CHANGED, published by the
// operator API; the catalogue's invalidation job hands it to forget) drops the concert at once
// on every instance; the tick-long lifetime bounds staleness even if that message is lost.
import type { Clock } from "../../platform/clock.js";
import type { CatalogueChangedEvent } from "../../platform/redis/topics.js";
import type { DrawState, SaleOpening, SaleSchedule } from "../queue/sale-schedule.js";
import { drawKeyOf } from "./draw-key.js";
import type { SaleDrawRepository } from "./sale-draw.repository.js";

interface Entry {
  at: number;
  value: Promise<SaleOpening | null>;
}

export class SaleScheduleCache implements SaleSchedule {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly repository: Pick<SaleDrawRepository, "find" | "ensureDraw">,
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
    return {
      drawKey: drawKeyOf(draw.seed, userId),
      opensAtMs: concert.saleOpensAt.getTime(),
      drawnAtMs: draw.drawnAt?.getTime() ?? null,
    };
  }

  /** Drops what this process knows of the concert (an operator changed it). */
  forget(event: CatalogueChangedEvent): void {
    this.entries.delete(event.concertId);
  }

  private async load(concertId: string): Promise<SaleOpening | null> {
    const concert = await this.repository.find(concertId);
    if (!concert?.saleOpensAt) return null;
    const draw = concert.draw ?? (await this.repository.ensureDraw(concertId));
    const seed = draw.seed;
    return { opensAtMs: concert.saleOpensAt.getTime(), drawKey: (userId) => drawKeyOf(seed, userId) };
  }
}
