import type { Config } from '../config/schema.js';
import { loadPanel, WARMUP_DAYS } from '../data/panel.js';
import { portfolioTargets } from '../backtest/portfolio.js';
import { simulate } from '../backtest/simulator.js';
import { portfolioSymbols } from '../backtest/portfolio.js';
import type { MarketStore } from '../store/marketStore.js';
import type { Deployment, DeployStore } from './store.js';

export interface TrackRecord {
  /** Trading days with a recorded equity (the first is the start, before any trade). */
  days: number;
  from: string | null;
  to: string | null;
  realised: { dates: string[]; equity: number[] };
  /** The backtest's expectation over the same days: the portfolio through the simulator from the same equity. */
  expected: { dates: string[]; equity: number[] } | null;
  realisedReturn: number | null;
  expectedReturn: number | null;
  /** |realised - expected| cumulative return. */
  trackingGap: number | null;
}

/**
 * What a deployment earned against what the backtest of its portfolio says it should have earned
 * over the same days, starting from the same equity: the evidence gate G1 weighs.
 */
export function trackRecord(market: MarketStore, store: DeployStore, d: Deployment, config: Readonly<Config>): TrackRecord {
  const rows = store.equity(d.id);
  const realised = { dates: rows.map((r) => r.date), equity: rows.map((r) => r.equity) };
  const empty: TrackRecord = { days: rows.length, from: rows[0]?.date ?? null, to: rows.at(-1)?.date ?? null, realised, expected: null, realisedReturn: null, expectedReturn: null, trackingGap: null };
  if (rows.length < 2) return empty;
  const first = rows[0];
  const last = rows[rows.length - 1];
  const symbols = portfolioSymbols(d.portfolio);
  if (symbols.length === 0) return empty;
  const loaded = loadPanel(market, symbols, { from: first.date, to: last.date, warmup: WARMUP_DAYS });
  // The first record is the close the first orders were decided at: trading starts the day after.
  const start = loaded.startIndex + 1;
  if (start >= loaded.panel.T) return empty;
  const { targets } = portfolioTargets(d.portfolio, loaded.panel);
  const sim = simulate({ panel: loaded.panel, targets, start, end: loaded.panel.T, execution: config.execution, initialCapital: first.equity });
  const dates = [first.date, ...sim.dates];
  const equity = [first.equity, ...sim.equity];
  const expectedAtLast = equity[dates.indexOf(last.date)] ?? equity[equity.length - 1];
  const realisedReturn = last.equity / first.equity - 1;
  const expectedReturn = expectedAtLast / first.equity - 1;
  return { ...empty, expected: { dates, equity }, realisedReturn, expectedReturn, trackingGap: Math.abs(realisedReturn - expectedReturn) };
}
