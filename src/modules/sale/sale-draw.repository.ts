// The only code that touches concerts.sale_opens_at and sale_draws for the draw (Prisma).
import type { PrismaClient } from "../../platform/db/prisma.js";
import { commitmentOf, newSeed } from "./draw-key.js";

export interface SaleDrawRow {
  concertId: string;
  seed: string;
  commitment: string;
  drawnAt: Date | null;
  entrants: number | null;
}

export interface ScheduledConcert {
  concertId: string;
  saleOpensAt: Date | null;
  draw: SaleDrawRow | null;
}

const DRAW_FIELDS = { concertId: true, seed: true, commitment: true, drawnAt: true, entrants: true } as const;

export class SaleDrawRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** The concert's opening and draw; null when the concert does not exist. */
  async find(concertId: string): Promise<ScheduledConcert | null> {
    if (concertId.length === 0 || concertId.length > 36) return null;
    const row = await this.prisma.concert.findUnique({
      where: { id: concertId },
      select: { id: true, saleOpensAt: true, draw: { select: DRAW_FIELDS } },
    });
    return row && { concertId: row.id, saleOpensAt: row.saleOpensAt, draw: row.draw };
  }

  /**
   * The concert's draw row, created with a fresh seed when a scheduled concert has none yet
   * (INSERT IGNORE on the primary key: racing instances agree on the first seed).
   */
  async ensureDraw(concertId: string): Promise<SaleDrawRow> {
    const seed = newSeed();
    await this.prisma.saleDraw.createMany({
      data: [{ concertId, seed, commitment: commitmentOf(seed) }],
      skipDuplicates: true,
    });
    return this.prisma.saleDraw.findUniqueOrThrow({ where: { concertId }, select: DRAW_FIELDS });
  }

  /** Concerts whose opening has come and whose draw is not recorded yet. */
  async due(now: Date): Promise<string[]> {
    const rows = await this.prisma.saleDraw.findMany({
      where: { drawnAt: null, concert: { saleOpensAt: { lte: now } } },
      select: { concertId: true },
    });
    return rows.map((r) => r.concertId);
  }

  /** The reveal: records the draw once (the first writer wins). → true when this call wrote it. */
  async markDrawn(concertId: string, drawnAt: Date, entrants: number): Promise<boolean> {
    const r = await this.prisma.saleDraw.updateMany({
      where: { concertId, drawnAt: null },
      data: { drawnAt, entrants },
    });
    return r.count === 1;
  }
}
