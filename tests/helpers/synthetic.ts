import { Rng } from '../../src/domain/rng.js';
import { nextTradingDay } from '../../src/domain/calendar.js';
import type { Bar } from '../../src/domain/types.js';
import { openDb, type Db } from '../../src/store/db.js';
import { MarketStore } from '../../src/store/marketStore.js';

export interface SyntheticOptions {
  days: number;
  start?: string;
  /** Daily volatility of returns. */
  sigma?: number;
  /**
   * Planted signal: the next day's expected return is +mu when the close is above its `period`-day
   * simple moving average and -mu below it; 0 = a pure random walk.
   */
  mu?: number;
  period?: number;
}

/** Trading days of the NYSE calendar from `start`. */
export function tradingDays(start: string, n: number): string[] {
  const out: string[] = [];
  let d = start;
  while (out.length < n) {
    out.push(d);
    d = nextTradingDay(d);
  }
  return out;
}

/** Daily bars of one synthetic asset (opens equal the previous close plus overnight noise). */
export function syntheticBars(rng: Rng, o: SyntheticOptions): Bar[] {
  const sigma = o.sigma ?? 0.01;
  const mu = o.mu ?? 0;
  const period = o.period ?? 20;
  const dates = tradingDays(o.start ?? '2005-01-03', o.days);
  const closes: number[] = [];
  const bars: Bar[] = [];
  let close = 100;
  let sum = 0;
  for (let t = 0; t < o.days; t++) {
    let drift = 0;
    if (mu !== 0 && closes.length >= period) drift = close > sum / period ? mu : -mu;
    const prev = close;
    const open = prev * (1 + rng.normal() * sigma * 0.2);
    close = prev * (1 + drift + rng.normal() * sigma);
    const high = Math.max(open, close) * (1 + Math.abs(rng.normal()) * sigma * 0.3);
    const low = Math.min(open, close) * (1 - Math.abs(rng.normal()) * sigma * 0.3);
    bars.push({ date: dates[t], open, high, low, close, adjClose: close, volume: 1e6 * (1 + rng.float()) });
    closes.push(close);
    sum += close;
    if (closes.length > period) sum -= closes[closes.length - 1 - period];
  }
  return bars;
}

/** A database holding synthetic assets S0..S{n-1}. */
export function syntheticDb(path: string, n: number, o: SyntheticOptions, seed: number): { db: Db; symbols: string[] } {
  const db = openDb(path);
  const store = new MarketStore(db);
  const rng = Rng.seeded(seed);
  const runId = store.startIngestRun('synthetic', []);
  const symbols: string[] = [];
  for (let i = 0; i < n; i++) {
    const symbol = `S${i}`;
    store.saveSymbolBatch({ symbol, source: 'synthetic', bars: syntheticBars(rng.fork(), o), actions: [], issues: [] }, runId);
    symbols.push(symbol);
  }
  store.finishIngestRun(runId, 'ok', null);
  return { db, symbols };
}
