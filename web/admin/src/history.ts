// The chart's history, kept in the page from the saleStatsUpdates pushes (docs/queue.md says
// why not on the server): one sample per SAMPLE_MS at most, the last 15 minutes. "Admitted per
// minute" is the server's admittedLastMinute, a rolling 60-second count, at each sample.
import type { SaleStats } from "./api.js";

export const WINDOW_MS = 15 * 60_000;
const SAMPLE_MS = 2_000;

export interface Sample {
  at: number;
  waiting: number;
  active: number;
  admittedPerMinute: number;
}

export class History {
  private samples: Sample[] = [];

  /** Adds a push; a sample within SAMPLE_MS of the last replaces it (the newest figures win). */
  add(stats: SaleStats): void {
    const at = Date.parse(stats.at);
    const sample = {
      at,
      waiting: stats.waiting,
      active: stats.active,
      admittedPerMinute: stats.admittedLastMinute,
    };
    const last = this.samples[this.samples.length - 1];
    if (last && at - last.at < SAMPLE_MS && this.samples.length > 1)
      this.samples[this.samples.length - 1] = sample;
    else this.samples.push(sample);
    const from = at - WINDOW_MS;
    while (this.samples.length > 0 && this.samples[0]!.at < from) this.samples.shift();
  }

  /** uPlot's columnar data: x in seconds, then one array per series. */
  columns(): [number[], number[], number[], number[]] {
    return [
      this.samples.map((s) => s.at / 1000),
      this.samples.map((s) => s.waiting),
      this.samples.map((s) => s.active),
      this.samples.map((s) => s.admittedPerMinute),
    ];
  }

  clear(): void {
    this.samples = [];
  }
}
