import type { Config } from '../config/schema.js';
import { loadPanel } from '../data/panel.js';
import { closesOn, filteredTargets } from '../backtest/engine.js';
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
  // Rules evaluated on the whole stored history, exactly as deploy's targets are (targets.ts).
  const loaded = loadPanel(market, symbols, { from: null, to: last.date, warmup: 0 });
  // The first record is the close the first orders were decided at: trading starts the day after.
  const start = loaded.panel.dates.findIndex((d) => d > first.date);
  if (start < 0) return empty;
  if (start >= loaded.panel.T) return empty;
  const rf = config.backtest.regimeFilter;
  const targets = filteredTargets(loaded.panel, d.portfolio, config, rf.enabled ? closesOn(market, rf.symbol, loaded.panel.dates) : null);
  const sim = simulate({ panel: loaded.panel, targets, start, end: loaded.panel.T, execution: config.execution, initialCapital: first.equity });
  const dates = [first.date, ...sim.dates];
  const equity = [first.equity, ...sim.equity];
  const expectedAtLast = equity[dates.indexOf(last.date)] ?? equity[equity.length - 1];
  const realisedReturn = last.equity / first.equity - 1;
  const expectedReturn = expectedAtLast / first.equity - 1;
  return { ...empty, expected: { dates, equity }, realisedReturn, expectedReturn, trackingGap: Math.abs(realisedReturn - expectedReturn) };
}
