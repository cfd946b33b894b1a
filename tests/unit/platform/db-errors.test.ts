// Reading the unique index out of the driver's duplicate-key error as MariaDB and MySQL 8 word it.
import { describe, expect, it } from "vitest";
import { violatedUniqueIndex } from "../../../src/platform/db/db-errors.js";

const duplicate = (sqlMessage: string) => Object.assign(new Error(sqlMessage), { errno: 1062, sqlMessage });

describe("violatedUniqueIndex", () => {
  it("names the index of MariaDB's message", () => {
    expect(
      violatedUniqueIndex(duplicate("Duplicate entry 'abc-1' for key 'reservations_seat_id_live_key'")),
    ).toBe("reservations_seat_id_live_key");
  });

  it("drops the table prefix of MySQL 8's message", () => {
    expect(
      violatedUniqueIndex(
        duplicate(
          "Duplicate entry 'u-d-1' for key 'reservations.reservations_user_id_concert_date_id_live_key'",
        ),
      ),
    ).toBe("reservations_user_id_concert_date_id_live_key");
  });

  it("is null for any other error", () => {
    expect(violatedUniqueIndex(Object.assign(new Error("Deadlock found"), { errno: 1213 }))).toBeNull();
    expect(violatedUniqueIndex(new Error("connect ECONNREFUSED"))).toBeNull();
    expect(violatedUniqueIndex(null)).toBeNull();
  });
});
