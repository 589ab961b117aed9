import type { Config, Metric } from '../config/schema.js';
import type { Panel } from '../domain/types.js';
import { Rng } from '../domain/rng.js';
import { allocate, governCorrelation, type AllocationMethod } from '../allocate/index.js';
import { buildSleeves, sleeveId, type SleeveStrategy } from '../allocate/sleeves.js';
import { computeMetrics, type Metrics } from '../backtest/metrics.js';
import { metricsOf } from '../backtest/engine.js';
import { portfolioTargets, type Portfolio } from '../backtest/portfolio.js';
import { simulate } from '../backtest/simulator.js';
import { IndicatorCache } from '../strategy/index.js';
import { objective } from './fitness.js';
import type { Windows } from './windows.js';

export interface SleeveWeight {
  sleeve: string;
  strategyId: string;
  expr: string;
  asset: string;
  weight: number;
}

export interface AllocationOutcome {
  method: AllocationMethod;
  sleeves: SleeveWeight[];
  dropped: { id: string; because: string; correlation: number }[];
  portfolio: Portfolio;
  train: Metrics;
  validation: Metrics;
  trainObjective: number;
  validationObjective: number;
  /** Capital weight per asset (sum over strategies), normalised to sum 1: what the next search is weighted by. */
  assetWeights: Float64Array;
  diagnostics: unknown;
}

/**
 * Allocate capital over the (strategy, asset) sleeves of the given strategies on the TRAIN window:
 * correlated sleeves are dropped in favour of better ones, the allocator weighs the rest under the
 * config's constraints, and the combined portfolio is traded through the simulator over train and
 * validation to measure it.
 */
export function allocateStrategies(
  panel: Panel,
  windows: Windows,
  strategies: readonly SleeveStrategy[],
  config: Readonly<Config>,
  method: AllocationMethod,
  metric: Metric,
  seed: number,
  cache = new IndicatorCache(panel),
): AllocationOutcome {
  const a = config.allocate;
  const sleeves = buildSleeves(panel, strategies, windows.trainStart, windows.validStart, config.execution, config.backtest.initialCapital, cache);
  const score = new Map(sleeves.map((s) => [s.id, objective(computeMetrics({ returns: s.returns }), metric, null)]));
  const governed = governCorrelation(sleeves, (s) => score.get(s.id)!, { threshold: a.correlationThreshold });
  const kept = sleeves.filter((s) => governed.kept.includes(s.id));
  const result = allocate(method, kept, {
    constraints: { maxTotal: a.constraints.maxTotal, maxWeightPerSleeve: a.constraints.maxWeightPerSleeve, maxWeightPerAsset: a.constraints.maxWeightPerAsset, minWeight: a.constraints.minWeight },
    objective: (r) => objective(computeMetrics({ returns: r }), metric, null),
    rng: Rng.seeded(seed),
    kelly: a.kelly.enabled ? { fraction: a.kelly.fraction, cap: a.kelly.cap } : undefined,
  });
  const byId = new Map(strategies.map((s) => [s.id, s.expr]));
  const weights: SleeveWeight[] = kept
    .map((s) => ({ sleeve: s.id, strategyId: s.strategyId, expr: byId.get(s.strategyId)!, asset: s.asset, weight: result.weights[s.id] ?? 0 }))
    .filter((w) => w.weight > 0);
  const portfolio = portfolioOf(weights);
  const measured = measurePortfolio(panel, windows, portfolio, config, metric);
  const assetWeights = new Float64Array(panel.N);
  for (const w of weights) assetWeights[panel.symbols.indexOf(w.asset)] += w.weight;
  const total = assetWeights.reduce((x, y) => x + y, 0);
  if (total > 0) for (let i = 0; i < assetWeights.length; i++) assetWeights[i] /= total;
  else assetWeights.fill(1 / panel.N);
  return { method, sleeves: weights, dropped: governed.dropped, portfolio, ...measured, assetWeights, diagnostics: result.diagnostics };
}

/** Group sleeve weights by strategy into a tradable portfolio. */
export function portfolioOf(weights: readonly SleeveWeight[]): Portfolio {
  const byStrategy = new Map<string, { expr: string; weights: Record<string, number> }>();
  for (const w of weights) {
    const entry = byStrategy.get(w.strategyId) ?? { expr: w.expr, weights: {} };
    entry.weights[w.asset] = (entry.weights[w.asset] ?? 0) + w.weight;
    byStrategy.set(w.strategyId, entry);
  }
  return {
    sleeves: [...byStrategy.entries()].map(([id, e]) => ({ expr: e.expr, strategyId: Number.isFinite(Number(id)) ? Number(id) : null, weights: e.weights })),
  };
}

/** Trade a portfolio over train + validation and measure both windows. */
export function measurePortfolio(panel: Panel, windows: Windows, portfolio: Portfolio, config: Readonly<Config>, metric: Metric) {
  const { targets } = portfolioTargets(portfolio, panel);
  const sim = simulate({ panel, targets, start: windows.trainStart, end: windows.validEnd, execution: config.execution, initialCapital: config.backtest.initialCapital });
  const trainLen = windows.validStart - windows.trainStart;
  const train = metricsOf(sim, { start: 0, end: trainLen });
  const validation = metricsOf(sim, { start: trainLen, end: windows.validEnd - windows.trainStart });
  return { train, validation, trainObjective: objective(train, metric, config.evolve.metricWeights as never), validationObjective: objective(validation, metric, config.evolve.metricWeights as never) };
}

export { sleeveId };
