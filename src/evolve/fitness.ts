import type { Metric } from '../config/schema.js';
import type { Panel } from '../domain/types.js';
import { computeMetrics, TRADING_DAYS_PER_YEAR, type Metrics } from '../backtest/metrics.js';
import { positionAt, simulate, type Execution, type SimulationScratch } from '../backtest/simulator.js';
import { bitWords, evaluatePositionPlanes, type BoolMemo, type CompiledRule, type IndicatorCache, type RulePlanes } from '../strategy/index.js';

/** The fitness of a phenotype that does not map, parse or type-check: worse than any real score. */
export const WORST_FITNESS = -1e6;

export interface Penalties {
  /** Subtracted per node of the rule (favours readable rules). */
  sizePerNode: number;
  /** Fewer round trips than this (over the train window) costs up to `fewTrades`. */
  minTrades: number;
  fewTrades: number;
  /** Mean exposure outside [minExposure, maxExposure] costs up to `exposure`. */
  minExposure: number;
  maxExposure: number;
  exposure: number;
}

/** Everything fitness needs besides the rule; plain data, so it can be sent to worker threads. */
export interface FitnessSettings {
  metric: Metric;
  /** A weighted combination of metrics instead of `metric`, when set. */
  metricWeights: Partial<Record<Metric, number>> | null;
  penalties: Penalties;
  execution: Execution;
  initialCapital: number;
  /** Panel day indices: train [trainStart, validStart), validation [validStart, validEnd). */
  trainStart: number;
  validStart: number;
  validEnd: number;
  /** Capital weight of each asset (the allocation); the rule's position on an asset is scaled by it. */
  assetWeights: Float64Array;
  /** Compute the position signature (needed by the species penalty only). */
  signature: boolean;
}

/** A rule's full score: train and validation. */
export type FitnessResult = TrainScore & ValidationScore;

/** Buffers reused from one score to the next (one per thread). */
export interface FitnessScratch {
  /** The rule's position planes (see evaluatePositionPlanes). */
  planes?: { long: Int32Array; short: Int32Array };
  sim?: SimulationScratch;
  validationSim?: SimulationScratch;
}

/** The objective of a metrics record: one metric, or a weighted sum of several. */
export function objective(m: Metrics, metric: Metric, weights: Partial<Record<Metric, number>> | null): number {
  if (weights && Object.keys(weights).length > 0) {
    let sum = 0;
    for (const [k, w] of Object.entries(weights)) sum += (w ?? 0) * metricValue(m, k as Metric);
    return sum;
  }
  return metricValue(m, metric);
}

export function metricValue(m: Metrics, metric: Metric): number {
  switch (metric) {
    case 'sharpe':
      return m.sharpe;
    case 'sortino':
      return m.sortino;
    case 'calmar':
      return m.calmar;
    case 'cagr':
      return m.cagr;
    case 'profit-factor':
      return m.profitFactor;
  }
}

/**
 * Penalised objective: rule size, too few trades (scaled to the window's length, so the validation
 * window is held to the same rate as train), and time in the market outside the allowed band.
 */
export function penalised(m: Metrics, size: number, p: Penalties, base: number, minTradesScale = 1): number {
  let f = base - p.sizePerNode * size;
  const minTrades = p.minTrades * minTradesScale;
  if (minTrades > 0 && m.trades < minTrades) f -= p.fewTrades * (1 - m.trades / minTrades);
  if (m.exposure < p.minExposure && p.minExposure > 0) f -= p.exposure * ((p.minExposure - m.exposure) / p.minExposure);
  if (m.exposure > p.maxExposure && p.maxExposure < 1) f -= p.exposure * ((m.exposure - p.maxExposure) / (1 - p.maxExposure));
  return f;
}

/** The train part of a rule's score: what evolution optimises. */
export interface TrainScore {
  valid: true;
  fitness: number;
  train: Metrics;
  /** Per-observation (daily, not annualised) train Sharpe ratio: the trial's entry in the DSR. */
  sharpePerObservation: number;
  /** Net target exposure per train day (empty unless settings.signature): what the species penalty correlates. */
  signature: Float32Array;
}

/** The validation part of a rule's score: what chooses among the train-elite rules. */
export interface ValidationScore {
  validation: number;
  validationMetrics: Metrics;
}

/**
 * Score one compiled rule on train and validation: evaluate its positions, simulate the portfolio
 * of the rule on every asset (weighted by the allocation) through the one simulator with costs,
 * and measure each window. Pure given its inputs; `scratch` holds buffers reused between calls.
 *
 * Train and validation are two simulations, each starting flat: a trade still open at the end of
 * train is marked at the last train close, so no validation price reaches the train fitness (one
 * simulation over both, with round trips split by entry day, let a trade entered in train and
 * closed in validation carry validation prices into the train profit factor and win rate).
 * The search scores every candidate on train (scoreTrain) and only its train-elite on validation
 * (scoreValidation); both give the same numbers as this.
 */
export function scoreRule(
  rule: CompiledRule,
  panel: Panel,
  cache: IndicatorCache,
  settings: FitnessSettings,
  scratch: FitnessScratch,
  memo?: BoolMemo,
): FitnessResult {
  const ctx: ScoringContext = { panel, cache, settings, scratch, memo };
  return { ...scoreTrain(rule, ctx), ...scoreValidation(rule, ctx) };
}

/** What scoring reads besides the rule: the data, its columns, the settings, reused buffers and the memo. */
export interface ScoringContext {
  panel: Panel;
  cache: IndicatorCache;
  settings: FitnessSettings;
  scratch: FitnessScratch;
  memo?: BoolMemo;
}

/** The rule's position planes, in the scratch buffers: on the first `days` days of each asset (all by default). */
function positionsOf(rule: CompiledRule, { panel, cache, memo, scratch }: ScoringContext, days = panel.T): RulePlanes {
  const words = bitWords(panel.N * panel.T);
  const out = (scratch.planes ??= { long: new Int32Array(words), short: new Int32Array(words) });
  return evaluatePositionPlanes(rule, panel, cache, memo, out, days);
}

/** The train score of a rule (see scoreRule). */
export function scoreTrain(rule: CompiledRule, ctx: ScoringContext): TrainScore {
  const { panel, settings, scratch } = ctx;
  const { N, T } = panel;
  const { trainStart, validStart, assetWeights } = settings;
  // Train reads the decisions of days trainStart-1 .. validStart-2 only.
  const positions = positionsOf(rule, ctx, validStart);
  const trainLen = validStart - trainStart;
  const train = windowMetrics(panel, positions, settings, trainStart, validStart, (scratch.sim ??= {}));
  const fitness = penalised(train, rule.size, settings.penalties, objective(train, settings.metric, settings.metricWeights));
  const signature = settings.signature ? new Float32Array(trainLen) : NO_SIGNATURE;
  for (let a = 0; a < (settings.signature ? N : 0); a++) {
    const w = assetWeights[a];
    if (w === 0) continue;
    const base = a * T + Math.max(0, trainStart - 1);
    for (let i = 0; i < trainLen; i++) signature[i] += positionAt(positions.long, positions.short, base + i) * w;
  }
  return {
    valid: true,
    fitness: finiteOr(fitness, WORST_FITNESS),
    train,
    sharpePerObservation: train.sharpe / Math.sqrt(TRADING_DAYS_PER_YEAR),
    signature,
  };
}

/**
 * The validation score of a rule (see scoreRule). The minimum number of trades is scaled to the
 * validation window's length, so it is held to the same rate as train.
 */
export function scoreValidation(rule: CompiledRule, ctx: ScoringContext): ValidationScore {
  const { panel, settings, scratch } = ctx;
  const { trainStart, validStart, validEnd } = settings;
  const positions = positionsOf(rule, ctx);
  const validationMetrics = windowMetrics(panel, positions, settings, validStart, validEnd, (scratch.validationSim ??= {}));
  const trainLen = validStart - trainStart;
  const scale = trainLen > 0 ? (validEnd - validStart) / trainLen : 1;
  const validation = penalised(validationMetrics, rule.size, settings.penalties, objective(validationMetrics, settings.metric, settings.metricWeights), scale);
  return { validation: finiteOr(validation, WORST_FITNESS), validationMetrics };
}

/** Metrics of the rule's positions traded over days [start, end). */
function windowMetrics(panel: Panel, positions: RulePlanes, settings: FitnessSettings, start: number, end: number, buffers: SimulationScratch): Metrics {
  const sim = simulate(
    { panel, positions: { long: positions.long, short: positions.short, weights: settings.assetWeights }, start, end, execution: settings.execution, initialCapital: settings.initialCapital },
    buffers,
  );
  return computeMetrics({ returns: sim.returns, exposure: sim.exposure, turnover: sim.turnover, tradeReturns: sim.tradeReturns });
}

/** The signature when none is asked for (nothing to correlate). */
const NO_SIGNATURE = new Float32Array(0);

function finiteOr(x: number, fallback: number): number {
  return Number.isFinite(x) ? x : fallback;
}

/** Equal capital per asset: the allocation before any allocator has spoken. */
export function uniformWeights(n: number): Float64Array {
  return new Float64Array(n).fill(n > 0 ? 1 / n : 0);
}
