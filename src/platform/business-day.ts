// "Today" and concert dates are calendar days in TZ_BUSINESS (Asia/Seoul by default).
// A calendar day is carried as a JS Date at UTC midnight of that day (what Prisma returns
// for a DATE column and what the GraphQL `Date` scalar prints).

// Building an Intl.DateTimeFormat costs far more than formatting with one (it showed in the
// seat-race profile: every reserveSeat asks for today), so one formatter per time zone is kept.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar day (YYYY-MM-DD) of `instant` in `timeZone`. */
export function dayIn(instant: Date, timeZone: string): string {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    formatters.set(timeZone, format);
  }
  return format.format(instant);
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
