// What clients are told about admission (docs/api.md, "Admission"). The admission rule itself
// (at most perTick a tick, never past maxActive) is decided by the admit script in Redis
// (queue-scripts.ts) and tested there (tests/integration/queue/queue-store.test.ts).

/** Admissions per second the settings allow when slots free up as fast as they are filled. */
export function configuredRate(admitPerTick: number, tickMs: number): number {
  return (admitPerTick * 1000) / tickMs;
}

/**
 * Seconds until the ticket at `position` (1-based) is admitted at the observed admission rate,
 * or at the configured rate while none has been observed yet.
 */
export function estimateWaitSeconds(
  position: number,
  observedRate: number | null,
  fallbackRate: number,
): number {
  const rate = observedRate !== null && observedRate > 0 ? observedRate : fallbackRate;
  return Math.max(0, Math.ceil(position / rate));
}
