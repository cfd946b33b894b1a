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
