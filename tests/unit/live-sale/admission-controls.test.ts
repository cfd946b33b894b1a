// What the queue obeys between two reads of sale_controls: the last known controls, defaults for
// a concert without a row, nothing guessed for a concert never read, and a push on each flip.
import { describe, expect, it } from "vitest";
import {
  AdmissionControls,
  type ControlSource,
  type StoredControl,
} from "../../../src/modules/queue/admission-controls.js";
import { createLogger } from "../../../src/platform/logger.js";

class FakeSource implements ControlSource {
  rows = new Map<string, StoredControl>();
  down = false;
  reads = 0;
  async read(ids: readonly string[]): Promise<StoredControl[]> {
    this.reads += 1;
    if (this.down) throw new Error("connect ECONNREFUSED 127.0.0.1:3306");
    return ids.flatMap((id) => (this.rows.has(id) ? [this.rows.get(id)!] : []));
  }
  set(concertId: string, fields: Partial<StoredControl>): void {
    this.rows.set(concertId, {
      concertId,
      paused: false,
      maxActive: null,
      admitPerTick: null,
      updatedAt: new Date(0),
      updatedBy: "alice",
      ...fields,
    });
  }
}

function setup() {
  const source = new FakeSource();
  const flips: string[] = [];
  const controls = new AdmissionControls({
    source,
    defaults: { maxActive: 100, admitPerTick: 50 },
    log: createLogger("silent"),
    onFlip: (c) => flips.push(c),
  });
  return { source, controls, flips };
}

describe("AdmissionControls", () => {
  it("reads every concert in one statement and fills defaults where no operator changed anything", async () => {
    const { source, controls } = setup();
    source.set("c1", { paused: true, admitPerTick: 1 });
    await controls.refresh(["c1", "c2"]);
    expect(source.reads).toBe(1);
    expect(controls.known("c1")).toEqual({ paused: true, maxActive: 100, admitPerTick: 1 });
    expect(controls.known("c2")).toEqual({ paused: false, maxActive: 100, admitPerTick: 50 });
  });

  it("keeps the last known controls while MySQL is unreadable, and knows nothing of a concert never read", async () => {
    const { source, controls } = setup();
    source.set("c1", { paused: true });
    await controls.refresh(["c1"]);
    source.down = true;
    await controls.refresh(["c1", "c2"]);
    expect(controls.known("c1")?.paused).toBe(true);
    expect(controls.known("c2")).toBeNull();
  });

  it("reports a flip of pause or sold out once, and nothing when the value stays", async () => {
    const { source, controls, flips } = setup();
    await controls.refresh(["c1"]);
    source.set("c1", { paused: true });
    await controls.reload("c1");
    await controls.refresh(["c1"]);
    controls.noteSoldOut("c1", true);
    controls.noteSoldOut("c1", true);
    source.set("c1", { paused: false });
    await controls.refresh(["c1"]);
    expect(flips).toEqual(["c1", "c1", "c1"]);
    expect([controls.isPaused("c1"), controls.isSoldOut("c1")]).toEqual([false, true]);
  });

  it("reads a concert once for an entry, then answers from memory until the next tick", async () => {
    const { source, controls } = setup();
    source.set("c1", { maxActive: 3 });
    expect((await controls.forConcert("c1")).maxActive).toBe(3);
    expect((await controls.forConcert("c1")).maxActive).toBe(3);
    expect(source.reads).toBe(1);
  });
});
