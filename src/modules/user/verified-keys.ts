// Access keys this process verified recently, so that a user entering again (a reload, a second
// concert, a retry) costs no SQL. Keyed by the user id and the SHA-256 of the key (never the key
// itself). Keys never change once issued, so an entry can only go stale if the user row is
// deleted, which no code path does while a sale runs; the short lifetime bounds even that.
import type { Clock } from "../../platform/clock.js";

export class VerifiedKeys {
  /** Insertion order is expiry order (one lifetime for all), so the oldest entry is first. */
  private readonly until = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly lifetimeMs: number,
    private readonly capacity: number,
  ) {}

  has(userId: string, keyHash: string): boolean {
    const key = `${userId}:${keyHash}`;
    const until = this.until.get(key);
    if (until === undefined) return false;
    if (until > this.clock.now().getTime()) return true;
    this.until.delete(key);
    return false;
  }

  add(userId: string, keyHash: string): void {
    if (this.lifetimeMs <= 0) return;
    const key = `${userId}:${keyHash}`;
    this.until.delete(key);
    this.until.set(key, this.clock.now().getTime() + this.lifetimeMs);
    // Bounded memory: the oldest entries go first (they expire first anyway).
    for (const oldest of this.until.keys()) {
      if (this.until.size <= this.capacity) break;
      this.until.delete(oldest);
    }
  }

  get size(): number {
    return this.until.size;
  }
}
