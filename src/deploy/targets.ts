import type { Config } from '../config/schema.js';
import { loadPanel } from '../data/panel.js';
import { closesOn, filteredTargets } from '../backtest/engine.js';
import { portfolioSymbols, type Portfolio } from '../backtest/portfolio.js';
import type { MarketStore } from '../store/marketStore.js';

export interface TargetWeights {
  /** Target weight per symbol decided at the close of `asOf`. */
  weights: Map<string, number>;
  asOf: string;
}

/**
 * The portfolio's target weights decided at the close of `lastClose`, computed exactly as the
 * backtest computes them (the same rules on the same adjusted bars, the same regime filter, the
 * gross weight capped at 1): paper and live trading follow the backtest, not a re-implementation.
 */
export function targetWeights(market: MarketStore, portfolio: Portfolio, config: Readonly<Config>, lastClose: string): TargetWeights {
  const symbols = portfolioSymbols(portfolio);
  if (symbols.length === 0) return { weights: new Map(), asOf: lastClose };
  // The whole stored history up to the decision day, as the track record evaluates it: a latch
  // (and, by a hair, an EMA) depends on where evaluation starts, so both must start at the same bar.
  const { panel } = loadPanel(market, symbols, { from: null, to: lastClose, warmup: 0 });
  const rf = config.backtest.regimeFilter;
  const targets = filteredTargets(panel, portfolio, config, rf.enabled ? closesOn(market, rf.symbol, panel.dates) : null);
  const t = panel.T - 1;
  const weights = new Map<string, number>();
  let gross = 0;
  panel.symbols.forEach((s, a) => {
    const w = targets[a * panel.T + t];
    const clean = w === w ? w : 0;
    weights.set(s, clean);
    gross += Math.abs(clean);
  });
  if (gross > 1 + 1e-9) for (const [s, w] of weights) weights.set(s, w / gross);
  return { weights, asOf: panel.dates[t] };
}
