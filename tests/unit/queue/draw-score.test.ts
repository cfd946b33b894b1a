// drawScore: the waiting-set score of a drawn ticket sorts exactly like the draw key's text,
// stays below every entry number, and survives the trip to Redis as text.
import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { drawScore } from "../../../src/modules/queue/prequeue-scripts.js";

const key = () => createHash("sha256").update(randomBytes(16)).digest("hex");

describe("drawScore", () => {
  it("orders 20,000 random keys as their text does, all in (-2, 0]", () => {
    const keys = Array.from({ length: 20_000 }, key);
    const byText = [...keys].sort();
    const score = new Map(keys.map((k) => [k, drawScore(k)]));
    const byScore = [...keys].sort((a, b) => score.get(a)! - score.get(b)!);
    // The first place where the two orders differ (-1: none); cheaper than a deep 20,000-item diff.
    expect(byScore.findIndex((k, i) => k !== byText[i])).toBe(-1);
    // One assertion over all keys (40,000 expect calls took most of this test's time).
    expect(keys.filter((k) => !(score.get(k)! > -2 && score.get(k)! <= 0))).toEqual([]);
  });

  it("tells apart keys that differ only in bit 62, and is exact through its decimal text", () => {
    const base = "fffffffffffffffc" + "0".repeat(48);
    const lower = "fffffffffffffffb" + "0".repeat(48);
    expect(drawScore(lower)).toBeLessThan(drawScore(base));
    expect(drawScore("0".repeat(64))).toBe(-(2 - 2 ** -52));
    expect(drawScore("f".repeat(64))).toBe(0);
    for (const k of [base, lower, "0".repeat(64), key(), key()])
      expect(Number(String(drawScore(k)))).toBe(drawScore(k));
  });
});
