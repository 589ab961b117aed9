import { isTradingDay, nextTradingDay, tradingDaysBetween, previousTradingDay } from '../domain/calendar.js';
import type { Bar, CorporateAction } from '../domain/types.js';
import type { RawBar } from './source.js';

export type IssueSeverity = 'rejected' | 'flagged';

/**
 * Rejected kinds never become bars; flagged kinds are stored and reported.
 * - bad_price: a price that is not a finite positive number
 * - bad_range: high below low, or open/close outside [low, high]
 * - bad_volume: a volume that is negative or not a number
 * - date_order: a date that repeats or goes backwards
 * - gap: trading days of the NYSE calendar with no bar
 * - non_trading_day: a bar on a day the NYSE was closed
 * - zero_volume, stale (OHLC identical to the previous day)
 * - jump: an adjusted close-to-close move above the threshold that no split explains
 */
export type IssueKind =
  | 'bad_price' | 'bad_range' | 'bad_volume' | 'date_order'
  | 'gap' | 'non_trading_day' | 'zero_volume' | 'stale' | 'jump';

export interface DataIssue {
  symbol: string;
  date: string;
  kind: IssueKind;
  severity: IssueSeverity;
  detail: string;
}

export interface QualityOptions {
  /** Largest believable close-to-close move without a corporate action, as a fraction (0.35). */
  maxDailyMove: number;
  /** Relative tolerance for the range checks, for rounding in providers' numbers. */
  priceTolerance: number;
}

export interface QualityResult {
  accepted: Bar[];
  issues: DataIssue[];
}

type PrevBar = Pick<Bar, 'date' | 'open' | 'high' | 'low' | 'close' | 'adjClose'>;

/**
 * Check raw bars at the edge, before anything is stored. `previous` is the last bar already stored
 * for the symbol (continuity checks run across the boundary), `actions` the corporate actions known
 * for the symbol (they explain big moves).
 */
export function checkBars(
  symbol: string,
  raw: readonly RawBar[],
  previous: PrevBar | null,
  actions: readonly CorporateAction[],
  opts: QualityOptions,
): QualityResult {
  const accepted: Bar[] = [];
  const issues: DataIssue[] = [];
  const splits = new Map(actions.filter((a) => a.kind === 'split').map((a) => [a.date, a.value]));
  let prev: PrevBar | null = previous;
  const tol = opts.priceTolerance;

  const issue = (date: string, kind: IssueKind, severity: IssueSeverity, detail: string, where?: string) =>
    issues.push({ symbol, date, kind, severity, detail: where ? `${detail} (${where})` : detail });

  for (const b of raw) {
    if (prev && b.date <= prev.date) {
      issue(b.date, 'date_order', 'rejected', `date ${b.date} ${b.date === prev.date ? 'repeats' : `goes backwards from ${prev.date}`}`, b.where);
      continue;
    }
    const prices = [b.open, b.high, b.low, b.close, b.adjClose];
    if (!prices.every((p) => Number.isFinite(p) && p > 0)) {
      issue(b.date, 'bad_price', 'rejected', `non-positive or missing price: open=${b.open} high=${b.high} low=${b.low} close=${b.close} adj_close=${b.adjClose}`, b.where);
      continue;
    }
    const lo = b.low * (1 - tol);
    const hi = b.high * (1 + tol);
    if (b.high < b.low * (1 - tol)) {
      issue(b.date, 'bad_range', 'rejected', `high ${b.high} below low ${b.low}`, b.where);
      continue;
    }
    if (b.open < lo || b.open > hi || b.close < lo || b.close > hi) {
      issue(b.date, 'bad_range', 'rejected', `open ${b.open} or close ${b.close} outside [low ${b.low}, high ${b.high}]`, b.where);
      continue;
    }
    if (!Number.isFinite(b.volume) || b.volume < 0) {
      issue(b.date, 'bad_volume', 'rejected', `bad volume ${b.volume}`, b.where);
      continue;
    }

    if (!isTradingDay(b.date)) issue(b.date, 'non_trading_day', 'flagged', `bar on ${b.date}, a day the NYSE was closed`);
    if (prev) {
      const firstMissing = nextTradingDay(prev.date);
      if (firstMissing < b.date) {
        const lastMissing = previousTradingDay(b.date);
        const missing = lastMissing >= firstMissing ? tradingDaysBetween(firstMissing, lastMissing).length : 0;
        if (missing > 0) issue(firstMissing, 'gap', 'flagged', `${missing} trading day(s) missing between ${prev.date} and ${b.date}`);
      }
      if (b.open === prev.open && b.high === prev.high && b.low === prev.low && b.close === prev.close) {
        issue(b.date, 'stale', 'flagged', `open/high/low/close identical to ${prev.date}`);
      }
      const move = b.adjClose / prev.adjClose - 1;
      if (Math.abs(move) > opts.maxDailyMove && !explainedBySplit(move, splits.get(b.date), opts.maxDailyMove)) {
        issue(b.date, 'jump', 'flagged', `adjusted close moved ${(move * 100).toFixed(1)}% from ${prev.date} with no corporate action to explain it`);
      }
    }
    if (b.volume === 0) issue(b.date, 'zero_volume', 'flagged', 'zero volume');

    const bar: Bar = { date: b.date, open: b.open, high: b.high, low: b.low, close: b.close, adjClose: b.adjClose, volume: b.volume };
    accepted.push(bar);
    prev = bar;
  }
  return { accepted, issues };
}

/** A split of r new shares per old one divides the price by r: the move is explained if undoing it leaves a normal move. */
function explainedBySplit(move: number, ratio: number | undefined, maxMove: number): boolean {
  if (ratio === undefined || !(ratio > 0)) return false;
  return Math.abs((1 + move) * ratio - 1) <= maxMove;
}

export function isRejection(issue: DataIssue): boolean {
  return issue.severity === 'rejected';
}
