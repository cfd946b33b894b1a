// The pre-queue draw: at each tick, every concert whose opening has come and whose draw is not
// recorded is drawn (one Redis script, exactly once whichever instance gets there first), then
// the draw is revealed in MySQL (drawn_at, entrants; the seed becomes public) and every
// instance is told to push the new WAITING positions. An instance that dies between the two
// steps leaves the reveal to the next tick of any instance: the script reports the draw it
// already made, and the first writer records it.
import type { Clock } from "../../platform/clock.js";
import type { Logger } from "../../platform/logger.js";
import type { PrequeueStore } from "../queue/prequeue.store.js";
import type { QueueEvents } from "../queue/queue-access.js";
import { concertNotFound } from "./sale.errors.js";
import type { SaleDrawRepository } from "./sale-draw.repository.js";

/** SaleDraw in the schema. */
export interface SaleDrawData {
  concertId: string;
  commitment: string;
  /** Revealed once drawn. */
  seed: string | null;
  drawnAt: Date | null;
  entrants: number | null;
}

export interface SaleDrawDeps {
  repository: Pick<SaleDrawRepository, "find" | "ensureDraw" | "due" | "markDrawn">;
  prequeue: Pick<PrequeueStore, "draw">;
  events: QueueEvents;
  clock: Clock;
  log: Logger;
}

export class SaleDrawService {
  constructor(private readonly deps: SaleDrawDeps) {}

  /** One tick of the draw job. */
  async drawDue(): Promise<void> {
    const { repository, prequeue, events, clock, log } = this.deps;
    for (const concertId of await repository.due(clock.now())) {
      const outcome = await prequeue.draw(concertId, clock.now().getTime());
      const revealed = await repository.markDrawn(concertId, new Date(outcome.drawnAtMs), outcome.entrants);
      if (outcome.drew || revealed) events.changed(concertId, outcome.drawnAtMs);
      if (outcome.drew) log.info({ concertId, entrants: outcome.entrants }, "pre-queue drawn");
    }
  }

  /** NOT_FOUND for an unknown concert; null for a concert that was never scheduled. */
  async saleDraw(concertId: string): Promise<SaleDrawData | null> {
    const { repository } = this.deps;
    const concert = await repository.find(concertId);
    if (!concert) throw concertNotFound(concertId);
    const draw = concert.draw ?? (concert.saleOpensAt ? await repository.ensureDraw(concertId) : null);
    if (!draw) return null;
    const drawn = draw.drawnAt !== null;
    return {
      concertId,
      commitment: draw.commitment,
      seed: drawn ? draw.seed : null,
      drawnAt: draw.drawnAt,
      entrants: drawn ? draw.entrants : null,
    };
  }
}
