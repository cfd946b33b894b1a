import { describe, expect, it } from "vitest";
import { configuredRate, estimateWaitSeconds } from "../../../src/modules/queue/admission-policy.js";

describe("admission estimates", () => {
  it("derives the configured rate from per-tick admissions and the tick interval", () => {
    expect(configuredRate(50, 1000)).toBe(50);
    expect(configuredRate(1, 250)).toBe(4);
  });

  it("estimates the wait from the observed rate when there is one", () => {
    expect(estimateWaitSeconds(100, 2, 50)).toBe(50);
    expect(estimateWaitSeconds(3, 2, 50)).toBe(2);
  });

  it("falls back to the configured rate when nothing was observed", () => {
    expect(estimateWaitSeconds(100, null, 50)).toBe(2);
    expect(estimateWaitSeconds(100, 0, 50)).toBe(2);
  });
});
