// A disk probe for the soak: every 100 ms it rewrites 4 KiB of a file on the filesystem that
// holds MariaDB's data (here one virtual disk for everything) and waits for fdatasync, as
// InnoDB does for each commit (innodb_flush_log_at_trx_commit = 1). If the p99 of the sale's
// requests rises in the minutes this probe's flush time rises, the wait is the disk's.
import { open, rm, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { summarize } from "./lib.js";

export interface FsyncFigures {
  /** Flushes measured in the period. */
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export class FsyncProbe {
  private file?: FileHandle;
  private readonly path = join(tmpdir(), `bench-fsync-probe-${process.pid}`);
  private readonly block = Buffer.alloc(4096, 1);
  private timings: number[] = [];
  private timer?: NodeJS.Timeout;
  private busy = false;

  async start(everyMs = 100): Promise<void> {
    this.file = await open(this.path, "w");
    this.timer = setInterval(() => void this.flush(), everyMs);
  }

  private async flush(): Promise<void> {
    if (this.busy || !this.file) return; // one flush at a time: a slow one is measured, not piled up
    this.busy = true;
    const started = performance.now();
    try {
      await this.file.write(this.block, 0, this.block.length, 0);
      await this.file.datasync();
      this.timings.push(performance.now() - started);
    } finally {
      this.busy = false;
    }
  }

  /** The figures since the last call (or the start), and a fresh period. */
  take(): FsyncFigures {
    const s = summarize(this.timings);
    this.timings = [];
    return { count: s.count, p50Ms: s.p50, p99Ms: s.p99, maxMs: s.max };
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    while (this.busy) await new Promise((r) => setTimeout(r, 5));
    await this.file?.close();
    await rm(this.path, { force: true });
  }
}
