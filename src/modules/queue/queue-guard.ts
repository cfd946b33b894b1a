// The queue check every seat and payment operation passes (docs/api.md: "who may call").
// Implemented by the queue module; other modules depend only on these interfaces, so their
// unit tests hand them fakes.

/** Who a valid (signed, not too old) queue token says is calling. */
export interface QueueCaller {
  /** The raw token, as presented. */
  token: string;
  ticketId: string;
  userId: string;
  concertId: string;
  /** The ticket's place in the concert's entry order (1-based, gap-free). */
  seq: number;
  /** Seconds since epoch when the token was signed. */
  issuedAt: number;
}

export interface QueueGuard {
  /**
   * Verifies the token's signature and age only (no Redis): UNAUTHENTICATED when missing,
   * malformed, forged or older than TOKEN_MAX_AGE_SECONDS. Enough for what a WAITING or
   * EXPIRED token may still do (balance, myReservations, …).
   */
  authenticate(token: string | null): Promise<QueueCaller>;
  /**
   * Demands an ACTIVE ticket: FORBIDDEN when `concertId` is given and differs from the
   * token's concert; QUEUE_NOT_ADMITTED (with `position`) while WAITING, (with
   * `secondsUntilOpen`) while PREQUEUED before a scheduled opening;
   * QUEUE_TOKEN_EXPIRED once the active time ran out, it paid, or it left.
   */
  requireActive(caller: QueueCaller, concertId?: string): Promise<void>;
  /**
   * requireActive for reads that change nothing (a concert's dates, a date's seats): an ACTIVE
   * answer from Redis is trusted by this process for up to READ_PASS_MS, never past the ticket's
   * active time, so a ticket that left or paid on another instance may go on reading for that
   * long (on this one it loses the pass at once). Holds and payments use requireActive, which
   * asks Redis every time.
   */
  requireActiveToRead(caller: QueueCaller, concertId?: string): Promise<void>;
}

/** What the seat and payment features ask of the queue about an admitted user's pass. */
export interface QueuePass {
  /** A hold extends the holder's active time to at least the hold's expiry (never shortens it). */
  extendActiveUntil(caller: QueueCaller, until: Date): Promise<void>;
  /** After a payment commits: the ticket becomes EXPIRED and its active slot is freed at once. */
  finishAfterPayment(caller: QueueCaller): Promise<void>;
}
