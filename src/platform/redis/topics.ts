// Every pubsub topic of the service and its payload, in one place, so that publishers and
// subscribers on every instance agree on the shape. Channel names get REDIS_PREFIX prepended.

/** Published once per concert per admission tick (or departure): subscribers recompute positions. */
export interface QueueChangedEvent {
  concertId: string;
  /** Milliseconds since epoch when the change was committed in Redis. */
  at: number;
  /**
   * Set when only this user's ticket changed (an ACTIVE ticket ended): nobody's position moved,
   * so instances refresh that user's subscribers alone instead of every subscriber.
   */
  userId?: string;
}

/** A seat of a date changed state. */
export interface SeatChangedEvent {
  concertDateId: string;
  number: number;
  status: "FREE" | "HELD" | "SOLD";
}

/**
 * An operator changed the catalogue or a sale's schedule or controls: every instance drops what
 * it cached of that concert (and of that date, when named) and reads it again.
 */
export interface CatalogueChangedEvent {
  concertId: string;
  /** Set when one date (or its seats) changed. */
  concertDateId?: string;
}

export type Topics = {
  QUEUE_CHANGED: [string, QueueChangedEvent];
  SEAT_CHANGED: [string, SeatChangedEvent];
  CATALOGUE_CHANGED: [CatalogueChangedEvent];
};
