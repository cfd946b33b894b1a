// The operator's controls as the queue obeys them (docs/queue.md, "Pause, policy, sold out").
// sale_controls in MySQL is the truth. Every admission tick reads the controls of every concert
// with ONE statement and hands them to the admit script as ARGV, so every instance obeys a change
// within one QUEUE_TICK_MS and a restart keeps it; the entries in between (issueQueueToken) use
// the copy of the last tick, which CATALOGUE_CHANGED refreshes at once. The soldout flag lives in
// Redis (the enter script refuses on it); this cache only remembers what the last script saw, so
// that tickets can show `soldOut` and a flip can be pushed.
import type { Logger } from "../../platform/logger.js";
import type { AdmissionControl } from "./queue.model.js";

/** One sale_controls row (null limits: the QUEUE_* default). */
export interface StoredControl {
  concertId: string;
  paused: boolean;
  maxActive: number | null;
  admitPerTick: number | null;
  updatedAt: Date;
  updatedBy: string;
}

/** Reads sale_controls (implemented by the sale module's repository). */
export interface ControlSource {
  /** The rows of these concerts; a concert without a row is absent. One statement. */
  read(concertIds: readonly string[]): Promise<StoredControl[]>;
}

export interface ControlDefaults {
  maxActive: number;
  admitPerTick: number;
}

/** The effective controls of a stored row (or of no row). */
export function effectiveControl(
  row: StoredControl | undefined,
  defaults: ControlDefaults,
): AdmissionControl {
  return {
    paused: row?.paused ?? false,
    maxActive: row?.maxActive ?? defaults.maxActive,
    admitPerTick: row?.admitPerTick ?? defaults.admitPerTick,
  };
}

export interface AdmissionControlsDeps {
  source: ControlSource;
  defaults: ControlDefaults;
  log: Logger;
  /** Called when a concert's `paused` or `soldOut` flips (its tickets are pushed again). */
  onFlip?: (concertId: string) => void;
}

export class AdmissionControls {
  private readonly controls = new Map<string, AdmissionControl>();
  private readonly soldOut = new Map<string, boolean>();

  constructor(private readonly deps: AdmissionControlsDeps) {}

  /**
   * Reads the controls of these concerts (one statement) and remembers them. When MySQL cannot
   * be read the last known controls stay in force, and a concert never read is left out: the
   * ticker admits nobody into it rather than guess that it is not paused.
   */
  async refresh(concertIds: readonly string[]): Promise<void> {
    if (concertIds.length === 0) return;
    let rows: StoredControl[];
    try {
      rows = await this.deps.source.read(concertIds);
    } catch (error) {
      this.deps.log.warn({ err: error }, "sale controls unreadable; the last known stay in force");
      return;
    }
    const byId = new Map(rows.map((r) => [r.concertId, r]));
    for (const id of concertIds) this.remember(id, effectiveControl(byId.get(id), this.deps.defaults));
  }

  /** The controls for an admission decision, read from MySQL when this process has none yet. */
  async forConcert(concertId: string): Promise<AdmissionControl> {
    const known = this.controls.get(concertId);
    if (known) return known;
    const [row] = await this.deps.source.read([concertId]);
    const control = effectiveControl(row, this.deps.defaults);
    this.remember(concertId, control);
    return control;
  }

  /** The last known controls, or null when this process never read them. */
  known(concertId: string): AdmissionControl | null {
    return this.controls.get(concertId) ?? null;
  }

  /** Reads one concert's controls again now (an operator changed them). */
  async reload(concertId: string): Promise<void> {
    const [row] = await this.deps.source.read([concertId]);
    this.remember(concertId, effectiveControl(row, this.deps.defaults));
  }

  isPaused(concertId: string): boolean {
    return this.controls.get(concertId)?.paused ?? false;
  }

  isSoldOut(concertId: string): boolean {
    return this.soldOut.get(concertId) ?? false;
  }

  /** What a script just saw of the concert's soldout flag. */
  noteSoldOut(concertId: string, soldOut: boolean): void {
    const before = this.soldOut.get(concertId) ?? false;
    this.soldOut.set(concertId, soldOut);
    if (before !== soldOut) this.deps.onFlip?.(concertId);
  }

  private remember(concertId: string, control: AdmissionControl): void {
    const before = this.controls.get(concertId);
    this.controls.set(concertId, control);
    if ((before?.paused ?? false) !== control.paused) this.deps.onFlip?.(concertId);
  }
}
