import type { Panel } from '../domain/types.js';
import { simulate, type Execution } from '../backtest/simulator.js';
import { BoolMemo, compileRule, evaluatePositionPlanes, IndicatorCache } from '../strategy/index.js';
import type { Sleeve } from './types.js';

export interface SleeveStrategy {
  id: string;
  expr: string;
}

/** The sleeve id of a (strategy, asset) pair. */
export function sleeveId(strategyId: string, asset: string): string {
  return `${strategyId}:${asset}`;
}

/**
 * The daily return streams of every (strategy, asset) pair over days [start, end): each rule
 * traded alone on each asset with all the capital, through the one simulator and its costs.
 * These are what allocators weigh.
 */
export function buildSleeves(
  panel: Panel,
  strategies: readonly SleeveStrategy[],
  start: number,
  end: number,
  execution: Execution,
  initialCapital: number,
  cache = new IndicatorCache(panel),
): Sleeve[] {
  const { N } = panel;
  const memo = new BoolMemo();
  const sleeves: Sleeve[] = [];
  const weights = new Float64Array(N);
  for (const s of strategies) {
    const c = compileRule(s.expr);
    if (!c.ok) throw new Error(`strategy ${s.id} does not compile: ${c.error}`);
    const planes = evaluatePositionPlanes(c.rule, panel, cache, memo);
    for (let a = 0; a < N; a++) {
      weights.fill(0);
      weights[a] = 1;
      const sim = simulate({ panel, positions: { ...planes, weights }, start, end, execution, initialCapital });
      sleeves.push({ id: sleeveId(s.id, panel.symbols[a]), strategyId: s.id, asset: panel.symbols[a], returns: Float64Array.from(sim.returns) });
    }
  }
  return sleeves;
}
