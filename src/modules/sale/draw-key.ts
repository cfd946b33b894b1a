// The public rule of the draw (docs/api.md, "Scheduled sales and the pre-queue draw"): anyone
// can recompute a user's draw key and check the seed against the commitment with these three
// lines of node:crypto.
import { createHash, randomBytes } from "node:crypto";

/** 32 random bytes as 64 lowercase hex digits: fixed when a sale is scheduled, secret until drawn. */
export const newSeed = (): string => randomBytes(32).toString("hex");

/** The commitment published before the draw: SHA-256 of the seed's 32 bytes, lowercase hex. */
export const commitmentOf = (seedHex: string): string =>
  createHash("sha256").update(Buffer.from(seedHex, "hex")).digest("hex");

/** A user's draw key: SHA-256 of the UTF-8 text `seedHex:userId`, lowercase hex. Drawn order = ascending key. */
export const drawKeyOf = (seedHex: string, userId: string): string =>
  createHash("sha256").update(`${seedHex}:${userId}`, "utf8").digest("hex");
