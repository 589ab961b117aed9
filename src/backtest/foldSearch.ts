import type { Config, Metric } from '../config/schema.js';
import { runEvolve, type EvolveHooks } from '../evolve/runEvolve.js';
import type { MarketStore } from '../store/marketStore.js';
import type { RunStore } from '../store/runStore.js';
import { uniformPortfolio } from './portfolio.js';
import { portfolioOf } from '../evolve/allocation.js';
import type { FoldSearch } from './runBacktest.js';

export interface FoldSearchOptions {
  config: Readonly<Config>;
  grammar: string;
  seed: number;
  workers: number;
  metric: Metric;
  label: string;
  hooks?: EvolveHooks;
}

/**
 * The search of one walk-forward fold: a full evolution run on the training window only (its own
 * train/validation split inside), whose best rule by validation is frozen for the test window.
 * Each fold's seed is derived from the backtest's seed, so the whole walk-forward is reproducible.
 */
export function evolveFoldSearch(market: MarketStore, runs: RunStore, o: FoldSearchOptions): FoldSearch {
  // allocate.walkForward: run the whole EM loop in each training window, or evolve once and trade
  // the best rule on equal weights.
  const withEm = o.config.allocate.walkForward;
  const config = withEm ? o.config : { ...o.config, allocate: { ...o.config.allocate, emIterations: 1 } };
  return async (fold, symbols) => {
    const out = await runEvolve(
      market,
      runs,
      { symbols, from: fold.trainFrom, to: fold.trainTo, grammar: o.grammar, seed: o.seed + 1009 * fold.fold, workers: o.workers, metric: o.metric, purpose: `${o.label} fold ${fold.fold}`, config },
      o.hooks,
    );
    const best = out.best[0];
    // The fold trades what the run selected: its allocation (the EM loop's M-step), else its best
    // rule on equal weights; no valid rule at all (a degenerate window) holds cash.
    const portfolio = withEm && out.allocation && out.allocation.sleeves.length ? portfolioOf(out.allocation.sleeves) : best ? uniformPortfolio(best.expr, symbols, best.id) : { sleeves: [] };
    return {
      portfolio,
      runIds: [out.runId],
      trials: out.trials,
      trialSharpes: runs.trialSharpes(out.runId),
      candidates: out.best.map((b) => b.expr),
      trialObservations: out.windows.validStart - out.windows.trainStart,
    };
  };
}
