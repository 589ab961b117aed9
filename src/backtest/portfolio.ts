import { InputError } from '../domain/errors.js';
import type { Panel } from '../domain/types.js';
import { BoolMemo, compileRule, evaluatePositions, IndicatorCache, type CompiledRule } from '../strategy/index.js';

/** One rule and the capital it gets on each asset (fractions of equity; assets not listed get 0). */
export interface Sleeve {
  expr: string;
  strategyId: number | null;
  weights: Record<string, number>;
}

/** What is traded: rules and their weights. Frozen once chosen; backtest and deploy trade it as is. */
export interface Portfolio {
  sleeves: Sleeve[];
}

/** Every asset gets the same capital: the portfolio of one rule before any allocation. */
export function uniformPortfolio(expr: string, symbols: readonly string[], strategyId: number | null = null): Portfolio {
  const w = symbols.length ? 1 / symbols.length : 0;
  return { sleeves: [{ expr, strategyId, weights: Object.fromEntries(symbols.map((s) => [s, w])) }] };
}

export function portfolioSymbols(p: Portfolio): string[] {
  return [...new Set(p.sleeves.flatMap((s) => Object.keys(s.weights).filter((k) => s.weights[k] !== 0)))].sort();
}

export interface PortfolioPositions {
  /** Target weight per asset and day (asset-major N*T), summed over sleeves. */
  targets: Float64Array;
  /** Each sleeve's compiled rule and its positions (asset-major N*T). */
  sleeves: { rule: CompiledRule; positions: Int8Array }[];
}

/** The portfolio's target weights on a panel: sum over sleeves of weight x the rule's position. */
export function portfolioTargets(p: Portfolio, panel: Panel, cache = new IndicatorCache(panel), memo = new BoolMemo()): PortfolioPositions {
  const { N, T } = panel;
  const targets = new Float64Array(N * T);
  const sleeves = p.sleeves.map((s) => {
    const c = compileRule(s.expr);
    if (!c.ok) throw new InputError(`rule "${s.expr}": ${c.error}`);
    const positions = evaluatePositions(c.rule, panel, cache, memo).slice();
    panel.symbols.forEach((sym, a) => {
      const w = s.weights[sym] ?? 0;
      if (w === 0) return;
      const base = a * T;
      for (let t = 0; t < T; t++) targets[base + t] += w * positions[base + t];
    });
    return { rule: c.rule, positions };
  });
  return { targets, sleeves };
}
