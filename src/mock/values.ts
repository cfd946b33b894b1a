// Realistic values for the mock API, chosen by field name so that types added to the schema
// later get sensible data without touching this file: seat numbers 1..50, KRW prices of the
// demo tiers, KST calendar days in the future, signed-looking queue tokens.
import { randomBytes, randomUUID } from "node:crypto";
import { addDays, businessToday, dayIn } from "../platform/business-day.js";

export const SEAT_PRICES = [99_000, 132_000, 165_000] as const;
export const SEATS_PER_DATE = 50;
const TZ = "Asia/Seoul";

export const CONCERTS = [
  { title: "Spring Night Live", artist: "IU", venue: "Olympic Hall, Seoul" },
  { title: "Permission to Dance on Stage", artist: "BTS", venue: "Jamsil Stadium, Seoul" },
  { title: "Jazz by the Han River", artist: "Seoul Jazz Ensemble", venue: "Sejong Center, Seoul" },
  { title: "Born Pink Encore", artist: "BLACKPINK", venue: "Gocheok Sky Dome, Seoul" },
  { title: "Autumn Ballads", artist: "Sung Si-kyung", venue: "KSPO Dome, Seoul" },
] as const;
const NAMES = ["Kim Min-jun", "Lee Seo-yeon", "Park Ji-ho", "Choi Yu-na", "Jung Ha-eun", "Kang Do-yun"];

export function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}
export function intBetween(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

/** The demo seat tiers (prisma/seed.ts): 1–10 VIP, 11–30 R, 31–50 S. */
export function seatPrice(number: number): number {
  if (number <= 10) return 165_000;
  if (number <= 30) return 132_000;
  return 99_000;
}

/** A UUIDv7-shaped id (time-ordered, like the real ids). */
export function mockId(): string {
  const hex = Date.now().toString(16).padStart(12, "0");
  const rest = randomUUID().replace(/-/g, "").slice(12);
  const v = `${hex}7${rest.slice(1)}`;
  return `${v.slice(0, 8)}-${v.slice(8, 12)}-${v.slice(12, 16)}-${v.slice(16, 20)}-${v.slice(20, 32)}`;
}

/** Looks like the real queue token: base64url claims, a dot, a base64url HMAC. */
export function mockToken(): string {
  const claims = { v: 1, tid: mockId(), uid: mockId(), cid: mockId(), iat: Math.floor(Date.now() / 1000) };
  return `${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${randomBytes(32).toString("base64url")}`;
}

/** A KST calendar day (YYYY-MM-DD) between `minDays` and `maxDays` from today. */
export function futureDay(minDays = 7, maxDays = 60, now = new Date()): string {
  return dayIn(addDays(businessToday(now, TZ), intBetween(minDays, maxDays)), "UTC");
}

/** Doors at 19:00 KST (10:00 UTC) of a future day. */
export function showStart(day = futureDay()): Date {
  return new Date(`${day}T10:00:00.000Z`);
}

export const secondsFromNow = (seconds: number) => new Date(Date.now() + seconds * 1000);

/** Context for a field value: the enum status already chosen for the same object. */
export interface FieldContext {
  fieldName: string;
  /** GraphQL named type of the field: Int, String, ID, DateTime, Date, Boolean, Float, … */
  typeName: string;
  nullable: boolean;
  status: string | undefined;
  /** Seat number already chosen for the same object, if any. */
  seatNumber: number | undefined;
}

/** A realistic value for a scalar field, or undefined to let the scalar's default mock decide. */
export function scalarFieldValue(f: FieldContext): unknown {
  const name = f.fieldName.toLowerCase();
  const waiting = f.status === "WAITING";
  const active = f.status === "ACTIVE" || f.status === "HELD";
  switch (f.typeName) {
    case "ID":
      return mockId();
    case "Int":
      if (name === "number" || name === "seatnumber") return f.seatNumber ?? intBetween(1, SEATS_PER_DATE);
      if (name === "price" || name === "amount")
        return f.seatNumber ? seatPrice(f.seatNumber) : pick(SEAT_PRICES);
      if (name === "balance") return intBetween(0, 50) * 10_000;
      if (name === "position") return waiting || !f.nullable ? intBetween(1, 480) : null;
      if (name === "estimatedwaitseconds") return waiting ? intBetween(5, 900) : 0;
      if (name.endsWith("count")) return intBetween(1, SEATS_PER_DATE);
      if (name.endsWith("seconds")) return intBetween(1, 600);
      return intBetween(1, 100);
    case "Float":
      return Math.round(Math.random() * 10_000) / 100;
    case "Boolean":
      return Math.random() < 0.5;
    case "String":
      if (name === "token") return mockToken();
      if (name === "accesskey") return `ak_${randomBytes(24).toString("base64url")}`;
      if (name === "title") return pick(CONCERTS).title;
      if (name === "artist") return pick(CONCERTS).artist;
      if (name === "venue") return pick(CONCERTS).venue;
      if (name === "name" || name.endsWith("name")) return pick(NAMES);
      if (name === "seed" || name === "commitment") return randomBytes(32).toString("hex");
      if (name.includes("key")) return randomUUID();
      return undefined;
    case "Date":
      return futureDay();
    case "DateTime":
      if (name === "servertime" || name === "now") return new Date();
      if (name === "startsat") return showStart();
      if (name === "activeuntil") {
        if (f.status === "ACTIVE") return secondsFromNow(intBetween(60, 600));
        if (f.status === "EXPIRED") return secondsFromNow(-intBetween(60, 600));
        return f.nullable ? null : secondsFromNow(600);
      }
      if (name === "expiresat")
        return secondsFromNow(active || !f.status ? intBetween(30, 300) : -intBetween(60, 3600));
      if (name === "saleopensat")
        return f.nullable && f.status !== "PREQUEUED" ? null : secondsFromNow(intBetween(60, 3600));
      if (name.endsWith("at")) return secondsFromNow(-intBetween(60, 3600));
      return undefined;
    default:
      return undefined;
  }
}

/** Status values weighted the way a live system looks (most seats free, most tickets waiting). */
export function enumValue(values: readonly string[]): string {
  const weights: Record<string, number> = { FREE: 6, HELD: 2, SOLD: 2, WAITING: 5, ACTIVE: 3, EXPIRED: 1 };
  const total = values.reduce((sum, v) => sum + (weights[v] ?? 1), 0);
  let roll = Math.random() * total;
  for (const v of values) {
    roll -= weights[v] ?? 1;
    if (roll < 0) return v;
  }
  return values[values.length - 1]!;
}
