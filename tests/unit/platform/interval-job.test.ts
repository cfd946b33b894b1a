// Background jobs on vitest's fake timers (they fake setTimeout and performance.now together):
// the period runs from start to start, a run that overran rests a tenth of the interval, runs
// never overlap, and stop waits for a run in progress.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { intervalJob } from "../../../src/platform/module.js";
import { createLogger } from "../../../src/platform/logger.js";

const logged: string[] = [];
const log = createLogger("warn", { write: (line: string) => void logged.push(line) });

/** A job whose runs take `takes(i)` ms of fake time each; records when each run started and ended. */
function timedJob(intervalMs: number, takes: (run: number) => number) {
  const starts: number[] = [];
  const ends: number[] = [];
  let inFlight = 0;
  let overlapped = false;
  const job = intervalJob("test-job", intervalMs, log, async () => {
    const run = starts.length;
    starts.push(Date.now());
    if (++inFlight > 1) overlapped = true;
    await new Promise((resolve) => setTimeout(resolve, takes(run)));
    inFlight--;
    ends.push(Date.now());
  });
  return { job, starts, ends, overlapped: () => overlapped };
}

describe("intervalJob", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0, toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("starts every interval from the previous start, however long each run took", async () => {
    const t = timedJob(1000, () => 300);
    t.job.start();
    await vi.advanceTimersByTimeAsync(4500);
    expect(t.starts).toEqual([1000, 2000, 3000, 4000]);
    await t.job.stop();
  });

  it("lets a run that overran rest a tenth of the interval, never overlapping", async () => {
    const t = timedJob(1000, (run) => (run === 0 ? 1500 : 200));
    t.job.start();
    await vi.advanceTimersByTimeAsync(4000);
    // 1000 + 1500 = 2500, then 100 of rest; the short runs are back on a 1000 ms period.
    expect(t.starts).toEqual([1000, 2600, 3600]);
    expect(t.overlapped()).toBe(false);
    await t.job.stop();
  });

  it("goes on after a run that failed, and stop waits for the run in progress", async () => {
    let calls = 0;
    let finished = false;
    const job = intervalJob("failing", 1000, log, async () => {
      calls++;
      if (calls === 1) throw new Error("boom");
      await new Promise((resolve) => setTimeout(resolve, 500));
      finished = true;
    });
    job.start();
    await vi.advanceTimersByTimeAsync(2100);
    expect(calls).toBe(2);
    expect(logged.filter((l) => l.includes("background job failed") && l.includes("boom"))).toHaveLength(1);
    const stopped = job.stop();
    await vi.advanceTimersByTimeAsync(500);
    await stopped;
    expect(finished).toBe(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(2);
  });
});
