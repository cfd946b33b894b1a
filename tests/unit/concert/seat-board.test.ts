// The seat maps' one rule for a change to a seat (concert/seat-cells.ts#applyTo): events may
// arrive in any order across instances, and a change of an older reservation than the seat's
// current one never overrides it.
import { describe, expect, it } from "vitest";
import { applyTo, type Cell } from "../../../src/modules/concert/seat-cells.js";

const freeCell = (): Cell => ({
  id: "s1",
  number: 1,
  price: 1000,
  status: "FREE",
  holder: null,
  until: 0,
  ended: null,
  takenAt: 0,
});
const change = (status: "FREE" | "HELD" | "SOLD", reservationId: string, expiresAt?: number) => ({
  concertDateId: "d",
  number: 1,
  status,
  reservationId,
  ...(expiresAt !== undefined && { expiresAt }),
});

describe("applyTo", () => {
  it("holds, then frees the same reservation", () => {
    const cell = freeCell();
    applyTo(cell, change("HELD", "r1", 5000), 10);
    expect(cell).toMatchObject({ status: "HELD", holder: "r1", until: 5000, takenAt: 10 });
    applyTo(cell, change("FREE", "r1"), 20);
    expect(cell).toMatchObject({ status: "FREE", holder: null, ended: "r1" });
  });

  it("ignores a late FREE of an older hold once a newer one holds the seat", () => {
    const cell = freeCell();
    applyTo(cell, change("HELD", "r2", 5000), 10);
    applyTo(cell, change("FREE", "r1"), 20);
    expect(cell).toMatchObject({ status: "HELD", holder: "r2" });
  });

  it("ignores a HELD that arrives after the FREE of the same reservation", () => {
    const cell = freeCell();
    applyTo(cell, change("FREE", "r1"), 10);
    applyTo(cell, change("HELD", "r1", 5000), 20);
    expect(cell.status).toBe("FREE");
  });

  it("keeps a sold seat sold against a late HELD of its own reservation and a FREE of another", () => {
    const cell = freeCell();
    applyTo(cell, change("SOLD", "r1"), 10);
    applyTo(cell, change("HELD", "r1", 5000), 20);
    applyTo(cell, change("FREE", "r0"), 30);
    expect(cell).toMatchObject({ status: "SOLD", holder: "r1" });
  });
});
