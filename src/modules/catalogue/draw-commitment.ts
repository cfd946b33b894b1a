// The seed of a scheduled sale's draw, fixed when the sale is scheduled, and its commitment:
// SHA-256 over the seed's 32 BYTES (not its hex text), so anyone can check the revealed seed
// against what was published before the opening (docs/api.md, "pre-queue draw").
import { createHash, randomBytes } from "node:crypto";
import type { DrawCommitment } from "./catalogue.model.js";

export function commitmentOf(seedHex: string): string {
  return createHash("sha256").update(Buffer.from(seedHex, "hex")).digest("hex");
}

export function newDrawCommitment(): DrawCommitment {
  const seed = randomBytes(32).toString("hex");
  return { seed, commitment: commitmentOf(seed) };
}
