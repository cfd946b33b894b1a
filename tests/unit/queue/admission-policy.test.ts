import { describe, expect, it } from "vitest";
import {
  admitCount,
  configuredRate,
  estimateWaitSeconds,
} from "../../../src/modules/queue/admission-policy.js";

describe("admission policy", () => {
  it("admits at most the per-tick number when many slots are free (theme park)", () => {
    expect(admitCount(100, 50, 0)).toBe(50);
  });

  it("admits only into free slots when few are left (bank counter)", () => {
    expect(admitCount(100, 50, 97)).toBe(3);
    expect(admitCount(1, 50, 0)).toBe(1);
  });

  it("admits nobody when every slot is taken, or more are active than allowed", () => {
    expect(admitCount(100, 50, 100)).toBe(0);
    expect(admitCount(10, 5, 12)).toBe(0);
  });

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
