/**
 * The NYSE trading calendar as pure functions on exchange dates ('YYYY-MM-DD', the date in New
 * York). Rule-based holidays are generated per year and cached, so a lookup is a string parse, a
 * weekday computation and one Set probe — cheap enough for per-bar checks over 300k bars.
 *
 * Scope: full-day closures only (early 1 pm closes are trading days). The rules are NYSE's as
 * applied since 1998 (MLK Day's first year); the one-off closures listed below cover 2000 onwards,
 * so dates before 2000 miss earlier special closures (e.g. Nixon's funeral, 1994-04-27), and future
 * years cannot know of closures not yet announced.
 */

/** Unscheduled full-day closures since 2000 (national mourning days, weather, 9/11). */
const SPECIAL_CLOSURES: ReadonlyArray<readonly [string, string]> = [
  ['2001-09-11', 'September 11 attacks'],
  ['2001-09-12', 'September 11 attacks'],
  ['2001-09-13', 'September 11 attacks'],
  ['2001-09-14', 'September 11 attacks'],
  ['2004-06-11', 'National Day of Mourning (Ronald Reagan)'],
  ['2007-01-02', 'National Day of Mourning (Gerald Ford)'],
  ['2012-10-29', 'Hurricane Sandy'],
  ['2012-10-30', 'Hurricane Sandy'],
  ['2018-12-05', 'National Day of Mourning (George H. W. Bush)'],
  ['2025-01-09', 'National Day of Mourning (Jimmy Carter)'],
];

/** A full-day NYSE closure on a weekday. */
export interface Holiday {
  /** Exchange date, 'YYYY-MM-DD'. */
  date: string;
  /** Human-readable reason, e.g. 'Independence Day (observed)'. */
  name: string;
}

// ---------------------------------------------------------------------------------------------
// Day arithmetic on "day numbers" (days since 1970-01-01), integer-only so no Date objects are
// created per call (Howard Hinnant's civil-from-days algorithms).

function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** Day of week of a day number: 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

function formatDay(dayNumber: number): string {
  const [y, m, d] = civilFromDays(dayNumber);
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
}

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : NaN;
}

/**
 * Parses a strict 'YYYY-MM-DD' into a day number; throws RangeError for anything else (including
 * impossible dates like 2023-02-29), because a silently mis-parsed date would corrupt a calendar.
 */
function parseDay(date: string): number {
  if (typeof date !== 'string' || date.length !== 10 || date.charCodeAt(4) !== 45 || date.charCodeAt(7) !== 45) {
    throw new RangeError(`expected a date as 'YYYY-MM-DD', got '${date}'`);
  }
  const y = digit(date, 0) * 1000 + digit(date, 1) * 100 + digit(date, 2) * 10 + digit(date, 3);
  const m = digit(date, 5) * 10 + digit(date, 6);
  const d = digit(date, 8) * 10 + digit(date, 9);
  const monthDays = m === 2 && isLeapYear(y) ? 29 : MONTH_DAYS[m - 1];
  if (!(m >= 1 && m <= 12 && d >= 1 && d <= monthDays)) {
    throw new RangeError(`expected a date as 'YYYY-MM-DD', got '${date}'`);
  }
  return daysFromCivil(y, m, d);
}

// ---------------------------------------------------------------------------------------------
// Holiday rules.

/** Day number of the n-th given weekday (0 = Sunday) of a month; n = -1 for the last one. */
function nthWeekday(y: number, m: number, weekday: number, n: number): number {
  if (n > 0) {
    const first = daysFromCivil(y, m, 1);
    return first + ((weekday - weekdayOf(first) + 7) % 7) + (n - 1) * 7;
  }
  const last = daysFromCivil(y, m, m === 2 && isLeapYear(y) ? 29 : MONTH_DAYS[m - 1]);
  return last - ((weekdayOf(last) - weekday + 7) % 7);
}

/** Easter Sunday (Gregorian) by the anonymous "Meeus/Jones/Butcher" computus. */
function easterSunday(y: number): number {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return daysFromCivil(y, month, day);
}

/**
 * A fixed-date holiday with the usual NYSE observance: Saturday → the Friday before, Sunday → the
 * Monday after. Returns null for a Saturday when the Friday is not observed (New Year's Day).
 */
function observed(y: number, m: number, d: number, observeSaturdayOnFriday: boolean): number | null {
  const day = daysFromCivil(y, m, d);
  const wd = weekdayOf(day);
  if (wd === 0) return day + 1;
  if (wd === 6) return observeSaturdayOnFriday ? day - 1 : null;
  return day;
}

function computeHolidays(y: number): Holiday[] {
  const list: Array<[number, string]> = [];
  const add = (day: number | null, name: string): void => {
    if (day !== null) list.push([day, name]);
  };
  const fixed = (m: number, d: number, name: string, saturdayToFriday = true): void => {
    const day = observed(y, m, d, saturdayToFriday);
    add(day, day === daysFromCivil(y, m, d) ? name : `${name} (observed)`);
  };
  // NYSE Rule 7.2: when Jan 1 is a Saturday the exchange stays open on Friday Dec 31 (the Friday
  // belongs to the previous accounting year), e.g. 2021-12-31 and 2010-12-31 were trading days.
  fixed(1, 1, "New Year's Day", false);
  if (y >= 1998) add(nthWeekday(y, 1, 1, 3), 'Martin Luther King Jr. Day');
  add(nthWeekday(y, 2, 1, 3), "Washington's Birthday");
  add(easterSunday(y) - 2, 'Good Friday');
  add(nthWeekday(y, 5, 1, -1), 'Memorial Day');
  if (y >= 2022) fixed(6, 19, 'Juneteenth National Independence Day');
  fixed(7, 4, 'Independence Day');
  add(nthWeekday(y, 9, 1, 1), 'Labor Day');
  add(nthWeekday(y, 11, 4, 4), 'Thanksgiving Day');
  fixed(12, 25, 'Christmas Day');
  const prefix = `${String(y).padStart(4, '0')}-`;
  for (const [date, name] of SPECIAL_CLOSURES) if (date.startsWith(prefix)) add(parseDay(date), name);
  list.sort((a, b) => a[0] - b[0]);
  return list.map(([day, name]) => ({ date: formatDay(day), name }));
}

/** Per-year cache: the holiday list and the set of their day numbers for O(1) lookups. */
const cache = new Map<number, { list: readonly Holiday[]; days: Set<number> }>();

function yearEntry(y: number): { list: readonly Holiday[]; days: Set<number> } {
  let entry = cache.get(y);
  if (entry === undefined) {
    const list = Object.freeze(computeHolidays(y).map((h) => Object.freeze(h)));
    entry = { list, days: new Set(list.map((h) => parseDay(h.date))) };
    cache.set(y, entry);
  }
  return entry;
}

function isHolidayDay(dayNumber: number): boolean {
  // Observed holidays never cross a year boundary (New Year's is never moved back to Dec 31),
  // so the day's own year is the only one to consult.
  return yearEntry(civilFromDays(dayNumber)[0]).days.has(dayNumber);
}

function isTradingDayNumber(dayNumber: number): boolean {
  const wd = weekdayOf(dayNumber);
  return wd !== 0 && wd !== 6 && !isHolidayDay(dayNumber);
}

// ---------------------------------------------------------------------------------------------
// Public API.

/**
 * The NYSE full-day closures on weekdays in a year, ascending: rule-based holidays on their
 * observed dates plus the special closures since 2000.
 *
 * @param year calendar year, e.g. 2024.
 * @returns a frozen list of { date, name }.
 */
export function holidaysInYear(year: number): readonly Holiday[] {
  if (!Number.isInteger(year) || year < 1 || year > 9999) throw new RangeError(`year must be an integer in 1..9999, got ${year}`);
  return yearEntry(year).list;
}

/**
 * Whether NYSE is closed all day on this WEEKDAY for a holiday or special closure. Weekends are
 * not holidays (a Saturday July 4 is observed on Friday July 3, which is the holiday date).
 *
 * @param date exchange date 'YYYY-MM-DD'.
 * @throws RangeError for a malformed or impossible date.
 */
export function isHoliday(date: string): boolean {
  return isHolidayDay(parseDay(date));
}

/**
 * Whether NYSE holds a regular session on this date (a weekday that is not a holiday). Early
 * closes count as trading days.
 *
 * @param date exchange date 'YYYY-MM-DD'.
 * @throws RangeError for a malformed or impossible date.
 */
export function isTradingDay(date: string): boolean {
  return isTradingDayNumber(parseDay(date));
}

/**
 * The first trading day strictly after `date` (which need not itself be a trading day).
 *
 * @param date exchange date 'YYYY-MM-DD'.
 * @returns exchange date 'YYYY-MM-DD'.
 */
export function nextTradingDay(date: string): string {
  let day = parseDay(date) + 1;
  while (!isTradingDayNumber(day)) day++;
  return formatDay(day);
}

/**
 * The last trading day strictly before `date` (which need not itself be a trading day).
 *
 * @param date exchange date 'YYYY-MM-DD'.
 * @returns exchange date 'YYYY-MM-DD'.
 */
export function previousTradingDay(date: string): string {
  let day = parseDay(date) - 1;
  while (!isTradingDayNumber(day)) day--;
  return formatDay(day);
}

/**
 * Every trading day from `from` to `to`, both included when they are trading days, ascending.
 *
 * @param from exchange date 'YYYY-MM-DD'.
 * @param to exchange date 'YYYY-MM-DD'.
 * @returns the dates; empty when from is after to.
 */
export function tradingDaysBetween(from: string, to: string): string[] {
  const first = parseDay(from);
  const last = parseDay(to);
  const out: string[] = [];
  for (let day = first; day <= last; day++) if (isTradingDayNumber(day)) out.push(formatDay(day));
  return out;
}

/** One cached formatter per time zone: constructing Intl.DateTimeFormat is the expensive part. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The calendar date of an instant in an exchange's time zone — e.g. a provider timestamp
 * 2024-01-02T04:30:00Z is still 2024-01-01 in New York. Uses Intl, so daylight saving time
 * follows the IANA database bundled with Node.
 *
 * @param instant a valid Date.
 * @param timeZone IANA time zone, default 'America/New_York'.
 * @returns exchange date 'YYYY-MM-DD'.
 * @throws RangeError for an invalid Date or an unknown time zone.
 */
export function exchangeDate(instant: Date, timeZone = 'America/New_York'): string {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) throw new RangeError(`invalid instant: ${String(instant)}`);
  let fmt = formatters.get(timeZone);
  if (fmt === undefined) {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', calendar: 'gregory', numberingSystem: 'latn' });
    formatters.set(timeZone, fmt);
  }
  let y = '';
  let m = '';
  let d = '';
  for (const part of fmt.formatToParts(instant)) {
    if (part.type === 'year') y = part.value;
    else if (part.type === 'month') m = part.value;
    else if (part.type === 'day') d = part.value;
  }
  return `${y.padStart(4, '0')}-${m}-${d}`;
}
