// What the queue needs to know of a concert's scheduled opening (the sale module implements
// it over MySQL, src/modules/sale/sale-schedule.cache.ts). The queue never sees the seed, only
// the draw keys it yields.

export interface SaleOpening {
  opensAtMs: number;
  /** The user's draw key: lowercase hex SHA-256 of `seedHex + ":" + userId`. */
  drawKey(userId: string): string;
}

export interface DrawState {
  drawKey: string;
  opensAtMs: number;
  /** When the draw ran, per MySQL; null before. */
  drawnAtMs: number | null;
}

export interface SaleSchedule {
  /**
   * The concert's scheduled opening, or null (on sale now, never scheduled). May come from a
   * per-process cache that every instance drops when an operator changes the concert.
   */
  opening(concertId: string): Promise<SaleOpening | null>;
  /** Read fresh, for recovery: the user's draw key and whether the draw ran; null when none. */
  drawState(concertId: string, userId: string): Promise<DrawState | null>;
}

/** For tests and tools that run the queue without scheduled sales. */
export const noSchedule: SaleSchedule = {
  opening: async () => null,
  drawState: async () => null,
};
