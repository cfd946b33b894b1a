import type { PrismaClient } from "../../platform/db/prisma.js";
import type { CatalogueChangedEvent } from "../../platform/redis/topics.js";

/** What the queue needs to know of concerts: does this one exist? */
export interface ConcertLookup {
  exists(concertId: string): Promise<boolean>;
}

/**
 * Concerts are never deleted while on sale, so a positive answer is cached in the process;
 * an operator's change (CATALOGUE_CHANGED) drops the concert's entry on every instance.
 */
export class PrismaConcertLookup implements ConcertLookup {
  private readonly known = new Set<string>();
  constructor(private readonly prisma: PrismaClient) {}

  async exists(concertId: string): Promise<boolean> {
    if (this.known.has(concertId)) return true;
    // Ids are CHAR(36); anything longer cannot exist (and must not reach a key name).
    if (concertId.length === 0 || concertId.length > 36 || /[{}\s]/.test(concertId)) return false;
    const row = await this.prisma.concert.findUnique({ where: { id: concertId }, select: { id: true } });
    if (row) this.known.add(concertId);
    return row !== null;
  }

  forget(event: CatalogueChangedEvent): void {
    this.known.delete(event.concertId);
  }
}
