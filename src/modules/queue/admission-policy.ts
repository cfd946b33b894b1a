// The admission policy as plain arithmetic (docs/api.md, "Admission"). The Lua admit script applies
// the same rule atomically in Redis; these functions are what the service, the docs and the
// unit tests reason with.

/** "Bank counter" meets "theme park": admit at most perTick, and never past maxActive. */
export function admitCount(maxActive: number, admitPerTick: number, active: number): number {
  return Math.max(0, Math.min(admitPerTick, maxActive - active));
}

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
