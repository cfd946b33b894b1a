// Access keys this process verified recently, so that a user entering again (a reload, a second
// concert, a retry) costs no SQL. Holds the SHA-256 of the key per user id (never the key
// itself). Keys never change once issued, so an entry can only go stale if the user row is
// deleted, which no code path does while a sale runs; the short lifetime bounds even that.
import type { Clock } from "../../platform/clock.js";

export class VerifiedKeys {
  /**
   * By user id: the hash of the key verified and until when. Keyed by the id alone (not by id
   * and hash) so that a lookup hashes a short string; a flash crowd misses on every call, and
   * the joined 100-character key was 1.5% of the entry's samples. Insertion order is expiry
   * order (one lifetime for all), so the oldest entry is first.
   */
  private readonly byUser = new Map<string, { keyHash: string; until: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly lifetimeMs: number,
    private readonly capacity: number,
  ) {}

  has(userId: string, keyHash: string): boolean {
    const entry = this.byUser.get(userId);
    if (entry === undefined || entry.keyHash !== keyHash) return false;
    if (entry.until > this.clock.now().getTime()) return true;
    this.byUser.delete(userId);
    return false;
  }

  add(userId: string, keyHash: string): void {
    if (this.lifetimeMs <= 0) return;
    this.byUser.delete(userId);
    this.byUser.set(userId, { keyHash, until: this.clock.now().getTime() + this.lifetimeMs });
    // Bounded memory: the oldest entries go first (they expire first anyway).
    for (const oldest of this.byUser.keys()) {
      if (this.byUser.size <= this.capacity) break;
      this.byUser.delete(oldest);
    }
  }

  get size(): number {
    return this.byUser.size;
  }
}
