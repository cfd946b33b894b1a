// "Today" and concert dates are calendar days in TZ_BUSINESS (Asia/Seoul by default).
// A calendar day is carried as a JS Date at UTC midnight of that day (what Prisma returns
// for a DATE column and what the GraphQL `Date` scalar prints).

// Building an Intl.DateTimeFormat costs far more than formatting with one (it showed in the
// seat-race profile: every reserveSeat asks for today), so one formatter per time zone is kept.
// Formatting still showed in the seat-read profile (every read asks for today), so each zone
// also remembers its last answer for the whole second it was asked in: exact, because every
// offset in the time-zone database, old local mean times included, is whole seconds, so a day
// never turns inside a second.
interface ZoneDays {
  format: Intl.DateTimeFormat;
  second: number;
  day: string;
}
const zones = new Map<string, ZoneDays>();

/** The calendar day (YYYY-MM-DD) of `instant` in `timeZone`. */
export function dayIn(instant: Date, timeZone: string): string {
  const second = Math.floor(instant.getTime() / 1000);
  let zone = zones.get(timeZone);
  if (!zone) {
    const format = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    zone = { format, second: Number.NaN, day: "" };
    zones.set(timeZone, zone);
  }
  if (zone.second !== second) {
    zone.day = zone.format.format(instant);
    zone.second = second;
  }
  return zone.day;
}

/** `YYYY-MM-DD` → Date at UTC midnight. */
export function dayToDate(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

/** A UTC-midnight day shifted by `days`. */
export function addDays(day: Date, days: number): Date {
  return new Date(day.getTime() + days * 86_400_000);
}

/** Today in `timeZone`, as a UTC-midnight Date. */
export function businessToday(now: Date, timeZone: string): Date {
  return dayToDate(dayIn(now, timeZone));
}

/** The instant at `hour`:00 wall-clock time in `timeZone` on the UTC-midnight `day`. */
export function zonedHour(day: Date, hour: number, timeZone: string): Date {
  const asIfUtc = day.getTime() + hour * 3_600_000;
  // The zone's offset at that moment: its wall clock read back as if it were UTC.
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(new Date(asIfUtc));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"));
  return new Date(asIfUtc - (wall - asIfUtc));
}
