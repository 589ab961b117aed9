/**
 * Pure helpers that derive the report's secondary series from an equity curve: the underwater
 * (drawdown) curve and calendar-period returns. No I/O, no rendering; every function validates
 * its input and throws a RangeError naming the offending index, because a silently wrong heat map
 * is worse than a failed report.
 */
import type { IsoDate } from './model.js';

/** Return of one calendar month. */
export interface MonthlyReturn {
  year: number;
  /** 1 = January. */
  month: number;
  /** Simple return over the month, fraction; null when the base equity is not positive. */
  value: number | null;
}

/** Return of one calendar year. */
export interface YearlyReturn {
  year: number;
  /** Simple return over the year, fraction; null when the base equity is not positive. */
  value: number | null;
}

/** One row of the monthly-returns heat map. */
export interface MonthlyTableRow {
  year: number;
  /** Twelve cells, January first; null for months without data. */
  months: (number | null)[];
  /** Return of the whole year (the compounded months). */
  total: number | null;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The underwater curve: equity / running peak − 1 at every point, so 0 at a new high and −0.25
 * a quarter below the peak. Negative values on purpose — the chart reads as "below water" — while
 * the metrics tables quote the maximum as a positive fraction.
 *
 * @throws RangeError for a non-finite or non-positive equity value.
 */
export function drawdownCurve(equity: readonly number[]): number[] {
  const out = new Array<number>(equity.length);
  let peak = -Infinity;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i];
    if (!Number.isFinite(e) || e <= 0) throw new RangeError(`equity[${i}] must be a positive finite number, got ${e}`);
    if (e > peak) peak = e;
    out[i] = e / peak - 1;
  }
  return out;
}

/** Checks the pairing of dates and equity that every period helper relies on. */
function validateCurve(dates: readonly IsoDate[], equity: readonly number[]): void {
  if (dates.length !== equity.length) {
    throw new RangeError(`dates (${dates.length}) and equity (${equity.length}) must have the same length`);
  }
  for (let i = 0; i < dates.length; i++) {
    if (!ISO_DATE.test(dates[i])) throw new RangeError(`dates[${i}] is not YYYY-MM-DD: ${JSON.stringify(dates[i])}`);
    // String comparison orders YYYY-MM-DD correctly, so no Date parsing is needed.
    if (i > 0 && dates[i] <= dates[i - 1]) throw new RangeError(`dates must ascend: dates[${i}] = ${dates[i]} after ${dates[i - 1]}`);
    if (!Number.isFinite(equity[i])) throw new RangeError(`equity[${i}] must be finite, got ${equity[i]}`);
  }
}

/** Simple return from base to end, or null when the base is not positive (after a total loss). */
function ratio(end: number, base: number): number | null {
  return base > 0 ? end / base - 1 : null;
}

/**
 * Groups the curve into consecutive periods by a key of the date (month or year) and measures each
 * period from the last value of the previous period to its own last value — the way a statement
 * reports it. The first period is measured from the curve's first value, so a curve that starts
 * mid-month reports that month's partial return.
 */
function periodReturns(
  dates: readonly IsoDate[],
  equity: readonly number[],
  keyLength: number,
): { key: string; value: number | null }[] {
  validateCurve(dates, equity);
  const out: { key: string; value: number | null }[] = [];
  if (dates.length === 0) return out;
  let base = equity[0];
  for (let i = 0; i < dates.length; i++) {
    const key = dates[i].slice(0, keyLength);
    const lastOfPeriod = i === dates.length - 1 || dates[i + 1].slice(0, keyLength) !== key;
    if (!lastOfPeriod) continue;
    out.push({ key, value: ratio(equity[i], base) });
    base = equity[i];
  }
  return out;
}

/**
 * Calendar-month returns of an equity curve, oldest first.
 *
 * @param dates ascending `YYYY-MM-DD` dates.
 * @param equity equity on those dates (any positive scale).
 * @throws RangeError when the lengths differ, a date is malformed or out of order, or a value is not finite.
 */
export function monthlyReturns(dates: readonly IsoDate[], equity: readonly number[]): MonthlyReturn[] {
  return periodReturns(dates, equity, 7).map(({ key, value }) => ({
    year: Number(key.slice(0, 4)),
    month: Number(key.slice(5, 7)),
    value,
  }));
}

/**
 * Calendar-year returns of an equity curve, oldest first (partial first and last years included).
 *
 * @throws RangeError as {@link monthlyReturns}.
 */
export function yearlyReturns(dates: readonly IsoDate[], equity: readonly number[]): YearlyReturn[] {
  return periodReturns(dates, equity, 4).map(({ key, value }) => ({ year: Number(key), value }));
}

/**
 * The heat-map table: one row per calendar year from the first to the last date (years without
 * data in between get an empty row, so gaps stay visible), twelve monthly cells and the year's
 * total return.
 *
 * @throws RangeError as {@link monthlyReturns}.
 */
export function monthlyTable(dates: readonly IsoDate[], equity: readonly number[]): MonthlyTableRow[] {
  const months = monthlyReturns(dates, equity);
  if (months.length === 0) return [];
  const totals = new Map(yearlyReturns(dates, equity).map((y) => [y.year, y.value]));
  const first = months[0].year;
  const last = months[months.length - 1].year;
  const rows: MonthlyTableRow[] = [];
  for (let year = first; year <= last; year++) {
    rows.push({ year, months: new Array<number | null>(12).fill(null), total: totals.get(year) ?? null });
  }
  for (const m of months) rows[m.year - first].months[m.month - 1] = m.value;
  return rows;
}
