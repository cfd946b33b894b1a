import { describe, expect, it } from "vitest";
import { addDays, businessToday, dayIn, dayToDate, zonedHour } from "../../../src/platform/business-day.js";

describe("business days", () => {
  it("reads the calendar day in Seoul, which turns at 15:00 UTC", () => {
    expect(dayIn(new Date("2026-11-25T14:59:59.999Z"), "Asia/Seoul")).toBe("2026-11-25");
    expect(dayIn(new Date("2026-11-25T15:00:00.000Z"), "Asia/Seoul")).toBe("2026-11-26");
  });

  it("turns the day at the exact instant even when the zone's offset has seconds (remembered per second)", () => {
    // Seoul kept local mean time (+08:27:52) until 1908: the day turned at 15:32:08 UTC.
    expect(dayIn(new Date("1900-01-01T15:32:07.000Z"), "Asia/Seoul")).toBe("1900-01-01");
    expect(dayIn(new Date("1900-01-01T15:32:07.999Z"), "Asia/Seoul")).toBe("1900-01-01");
    expect(dayIn(new Date("1900-01-01T15:32:08.000Z"), "Asia/Seoul")).toBe("1900-01-02");
    // Back and forth across a boundary, and the same second asked again.
    expect(dayIn(new Date("2026-11-25T14:59:59.500Z"), "Asia/Seoul")).toBe("2026-11-25");
    expect(dayIn(new Date("2026-11-25T15:00:00.000Z"), "Asia/Seoul")).toBe("2026-11-26");
    expect(dayIn(new Date("2026-11-25T14:59:59.999Z"), "Asia/Seoul")).toBe("2026-11-25");
    expect(dayIn(new Date("2026-11-25T14:59:59.001Z"), "Asia/Seoul")).toBe("2026-11-25");
  });

  it("remembers each zone's answer apart from the others'", () => {
    const instant = new Date("2026-11-25T20:00:00Z");
    expect(dayIn(instant, "Asia/Seoul")).toBe("2026-11-26");
    expect(dayIn(instant, "America/Los_Angeles")).toBe("2026-11-25");
    expect(dayIn(instant, "Asia/Seoul")).toBe("2026-11-26");
  });

  it("gives a different day for the same instant in another time zone", () => {
    const instant = new Date("2026-11-25T20:00:00Z");
    expect(dayIn(instant, "Asia/Seoul")).toBe("2026-11-26");
    expect(dayIn(instant, "America/Los_Angeles")).toBe("2026-11-25");
  });

  it("carries today as UTC midnight of the business day", () => {
    expect(businessToday(new Date("2026-12-31T16:00:00Z"), "Asia/Seoul").toISOString()).toBe(
      "2027-01-01T00:00:00.000Z",
    );
    expect(dayToDate("2026-02-28").toISOString()).toBe("2026-02-28T00:00:00.000Z");
  });

  it("adds days across month and year ends, and backwards", () => {
    expect(addDays(dayToDate("2026-02-28"), 1).toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(addDays(dayToDate("2026-12-31"), 1).toISOString()).toBe("2027-01-01T00:00:00.000Z");
    expect(addDays(dayToDate("2026-03-01"), -1).toISOString()).toBe("2026-02-28T00:00:00.000Z");
  });

  it("is not shifted by a daylight-saving change in the business zone", () => {
    // 2026-03-08 is the US spring-forward day: still exactly one calendar day apart.
    const before = businessToday(new Date("2026-03-08T07:00:00Z"), "America/New_York");
    expect(before.toISOString()).toBe("2026-03-08T00:00:00.000Z");
    expect(dayIn(addDays(before, 1), "UTC")).toBe("2026-03-09");
  });
});

describe("zonedHour", () => {
  it("is that wall-clock hour in the zone, across offsets and daylight saving", () => {
    const day = (d: string) => new Date(`${d}T00:00:00.000Z`);
    expect(zonedHour(day("2026-12-10"), 19, "Asia/Seoul").toISOString()).toBe("2026-12-10T10:00:00.000Z");
    expect(zonedHour(day("2026-07-01"), 19, "America/New_York").toISOString()).toBe(
      "2026-07-01T23:00:00.000Z",
    );
    expect(zonedHour(day("2026-12-01"), 19, "America/New_York").toISOString()).toBe(
      "2026-12-02T00:00:00.000Z",
    );
    expect(zonedHour(day("2026-12-10"), 19, "UTC").toISOString()).toBe("2026-12-10T19:00:00.000Z");
  });
});
