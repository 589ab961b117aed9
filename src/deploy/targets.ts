import type { Config } from '../config/schema.js';
import { addDays } from '../domain/dates.js';
import { loadPanel, WARMUP_DAYS } from '../data/panel.js';
import { closesOn } from '../backtest/engine.js';
import { portfolioSymbols, portfolioTargets, type Portfolio } from '../backtest/portfolio.js';
import { applyRegimeFilter } from '../backtest/regime.js';
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
  // Three calendar years before the decision day: more than the longest indicator needs.
  const { panel } = loadPanel(market, symbols, { from: addDays(lastClose, -1100), to: lastClose, warmup: WARMUP_DAYS });
  const { targets } = portfolioTargets(portfolio, panel);
  const rf = config.backtest.regimeFilter;
  if (rf.enabled) {
    const bench = closesOn(market, rf.symbol, panel.dates);
    if (bench) applyRegimeFilter(targets, panel, { benchmarkClose: bench, period: rf.period, defensive: rf.defensive ? panel.symbols.indexOf(rf.defensive) : -1 });
  }
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
