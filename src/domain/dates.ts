/** Calendar-date helpers on 'YYYY-MM-DD' strings (UTC arithmetic; no time zones involved). */

const ISO = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDate(s: string): boolean {
  if (!ISO.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole calendar days from a to b (b - a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Add a span like "5y", "18m", "30d" (calendar units) to a date. */
export function addSpan(date: string, span: string): string {
  const m = /^(\d+)([ymd])$/.exec(span);
  if (!m) throw new RangeError(`bad span ${span}`);
  const n = Number(m[1]);
  const d = new Date(`${date}T00:00:00Z`);
  if (m[2] === 'y') d.setUTCFullYear(d.getUTCFullYear() + n);
  else if (m[2] === 'm') d.setUTCMonth(d.getUTCMonth() + n);
  else d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
