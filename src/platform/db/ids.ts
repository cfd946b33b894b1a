import { randomBytes } from "node:crypto";

/**
 * A UUID v7 (time-ordered, like Prisma's `uuid(7)` defaults), made before the insert: raw INSERTs
 * do not get Prisma's defaults, and a ledger row can then name the payment it belongs to
 * within one transaction; time order keeps primary-key inserts at the end of the index.
 */
export function newId(now = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
