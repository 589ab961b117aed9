import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config, Metric } from '../config/schema.js';
import { configHash } from '../config/load.js';
import { InputError } from '../domain/errors.js';
import { bundled } from '../domain/paths.js';
import { Rng } from '../domain/rng.js';
import type { Metrics } from '../backtest/metrics.js';
import { loadPanel, WARMUP_DAYS, type LoadedPanel } from '../data/panel.js';
import { loadGrammar, resolveGrammarPath, reverseMap, type Grammar } from '../ge/index.js';
import { runSearch, underivableBlocks, type GenerationStats, type Individual, type SearchOptions, type SearchState } from '../ge/search.js';
import type { MarketStore } from '../store/marketStore.js';
import { AllocationStore, type RunStore, type StoredAllocation, type StoredStrategy, type StrategyRecord } from '../store/runStore.js';
import { IndicatorCache } from '../strategy/index.js';
import { allocateStrategies } from './allocation.js';
import { log } from '../log/logger.js';
import { RuleEvaluator } from './evaluator.js';
import { uniformWeights, type FitnessSettings } from './fitness.js';
import { splitWindows, type Windows } from './windows.js';

export interface EvolveRequest {
  symbols: readonly string[];
  from: string | null;
  to: string | null;
  grammar: string;
  seed: number;
  workers: number;
  metric: Metric;
  /** What the run is for (recorded): 'evolve', 'walk-forward fold 3', ... */
  purpose: string;
  config: Readonly<Config>;
}

export interface BestStrategy {
  id: number | null;
  expr: string;
  species: number;
  fitness: number;
  validationFitness: number;
  nodes: number;
  genome: number[];
  train: Metrics;
  validation: Metrics;
}

export interface EvolveOutcome {
  runId: number;
  /** Every EM iteration (one when emIterations is 1). */
  em: EmSummary[];
  /** The allocation the run trades (its best EM iteration by validation), or null. */
  allocation: StoredAllocation | null;
  trials: number;
  evaluations: number;
  invalid: number;
  stoppedEarly: boolean;
  interrupted: boolean;
  generations: number;
  windows: Windows;
  best: BestStrategy[];
}

export interface EvolveHooks {
  onGeneration?: (stats: readonly GenerationStats[], generation: number, totalGenerations: number, emIteration: number) => void;
  onEmIteration?: (summary: EmSummary) => void;
  shouldStop?: () => boolean;
}

/** The search settings of a config (flags already merged into it). */
export function searchOptions(config: Readonly<Config>): SearchOptions {
  const e = config.evolve;
  return {
    population: e.population,
    generations: e.generations,
    tournamentSize: e.tournamentSize,
    elitism: e.elitism,
    crossoverRate: e.crossoverRate,
    mutationRate: e.mutationRate,
    blockInsertionRate: e.blockInsertionRate,
    minInitDepth: e.minInitDepth,
    maxInitDepth: e.maxInitDepth,
    maxDepth: e.maxDepth,
    maxWraps: e.maxWraps,
    codonSize: e.codonSize,
    species: e.species,
    speciesPenalty: e.speciesPenalty,
    patience: e.patience,
    hallOfFame: Math.max(e.top, 10) * e.species,
  };
}

/** The code's version, recorded with each run. */
export function codeVersion(): string {
  return (JSON.parse(readFileSync(bundled('package.json'), 'utf8')) as { version: string }).version;
}

/**
 * One evolution run, end to end: load the data, split train/validation, search, and record the run
 * generation by generation (an interrupted run keeps what it finished).
 */
export async function runEvolve(market: MarketStore, runs: RunStore, req: EvolveRequest, hooks: EvolveHooks = {}): Promise<EvolveOutcome> {
  const loaded = loadPanel(market, req.symbols, { from: req.from, to: req.to, warmup: WARMUP_DAYS, shared: true });
  const windows = splitWindows(loaded.panel.dates, loaded.startIndex, req.config.evolve.validation);
  const grammar = loadGrammar(req.grammar, { onWarning: (m) => log().warn(m) });
  const ctx = prepareSearch(loaded, windows, req);
  for (const text of underivableBlocks(grammar, req.config.evolve.blocks)) {
    log().warn(`evolve.blocks: "${text}" cannot be derived by ${ctx.grammarDisplay}; mutation never inserts it`);
  }
  const runId = runs.createRun({
    purpose: req.purpose,
    config: req.config,
    configHash: configHash(req.config),
    seed: req.seed,
    grammar: ctx.grammarDisplay,
    grammarHash: ctx.grammarHash,
    symbols: req.symbols,
    trainFrom: windows.trainFrom,
    trainTo: windows.trainTo,
    validFrom: windows.validFrom,
    validTo: windows.validTo,
    dataHash: loaded.dataHash,
    codeVersion: codeVersion(),
    metric: req.metric,
    observations: windows.validStart - windows.trainStart,
  });
  log().info({ runId, symbols: req.symbols.length, train: `${windows.trainFrom}..${windows.trainTo}`, validation: `${windows.validFrom}..${windows.validTo}` }, 'evolve: run started');

  const alloc = req.config.allocate;
  const allocations = new AllocationStore(runs.database);
  const evaluator = new RuleEvaluator(loaded.panel, ctx.settings, {
    workers: req.workers,
    keepSignatures: req.config.evolve.species > 1 ? 4 * req.config.evolve.population * req.config.evolve.species : 0,
  });
  const cache = new IndicatorCache(loaded.panel);
  const em: EmSummary[] = [];
  let generations = 0;
  let stoppedEarly = false;
  let interrupted = false;
  try {
    let seeds = seedGenomes(runs, grammar, ctx.grammarHash, req.config.evolve.seedFromRuns, windows.validTo, runId);
    let settings = ctx.settings;
    let carried: StoredStrategy[] = [];
    let savedTrials = 0;
    for (let iteration = 0; iteration < alloc.emIterations; iteration++) {
      // E-step: evolve rules under the current allocation (uniform at first).
      if (iteration > 0) evaluator.updateSettings(settings);
      const result = await runSearch(grammar, ctx.options, evaluator.evaluate, Rng.seeded(req.seed + 7919 * iteration), {
        seeds,
        blocks: req.config.evolve.blocks,
        shouldStop: hooks.shouldStop,
        validate: evaluator.validate,
        onGeneration: (stats, state) => {
          runs.saveProgress(runId, {
            emIteration: iteration,
            generations: stats,
            newTrialSharpes: evaluator.trialSharpes.slice(savedTrials),
            counts: evaluator.counts,
            top: topStrategies(state, evaluator, req.config.evolve.top, iteration),
          });
          savedTrials = evaluator.trialSharpes.length;
          hooks.onGeneration?.(stats, state.generation, ctx.options.generations, iteration);
        },
      });
      generations += result.generations;
      stoppedEarly ||= result.stoppedEarly;
      interrupted = result.interrupted;
      const top = runs.strategies(runId, iteration);
      // M-step: allocate over this iteration's best rules and the ones the last allocation kept.
      const pick = uniqueByExpr([...top.slice(0, alloc.topK), ...carried]);
      if (pick.length === 0) break;
      const outcome = allocateStrategies(loaded.panel, windows, pick.map((p) => ({ id: String(p.id), expr: p.expr })), req.config, alloc.method, req.metric, req.seed + iteration, cache);
      const allocationId = allocations.save(runId, { ...outcome, emIteration: iteration, source: 'em' });
      allocations.saveEmIteration(runId, {
        iteration,
        allocationId,
        strategies: pick.map((p) => ({ id: p.id, expr: p.expr })),
        trainObjective: outcome.trainObjective,
        validationObjective: outcome.validationObjective,
        trials: evaluator.counts.trials,
      });
      const summary: EmSummary = {
        iteration,
        allocationId,
        trainObjective: outcome.trainObjective,
        validationObjective: outcome.validationObjective,
        weights: Object.fromEntries(outcome.sleeves.map((w) => [w.sleeve, w.weight])),
        strategies: pick.map((p) => p.expr),
        trials: evaluator.counts.trials,
        dropped: outcome.dropped,
      };
      em.push(summary);
      hooks.onEmIteration?.(summary);
      log().info({ runId, iteration, trainObjective: +outcome.trainObjective.toFixed(4), validationObjective: +outcome.validationObjective.toFixed(4) }, 'evolve: EM iteration done');
      if (interrupted) break;
      const previous = em[em.length - 2];
      if (previous && summary.validationObjective - previous.validationObjective < alloc.tolerance) break;
      // The next search: weighted by this allocation, seeded with the rules it kept.
      carried = pick.filter((p) => outcome.sleeves.some((w) => w.strategyId === String(p.id)));
      settings = fitnessSettings(req.config, windows, loaded.panel.N, req.metric, outcome.assetWeights);
      seeds = carried.map((p) => Int32Array.from(p.genome));
    }
    // The run trades the allocation of its best EM iteration by VALIDATION objective.
    const final = em.length ? em.reduce((b, x) => (x.validationObjective > b.validationObjective ? x : b)) : null;
    if (final) allocations.markFinal(runId, final.allocationId);
    runs.finishRun(runId, interrupted ? 'interrupted' : 'finished', stoppedEarly, interrupted ? 'stopped by the user' : null);
    const bestIteration = final ? final.iteration : Math.max(0, em.length - 1);
    const stored = runs.strategies(runId, bestIteration);
    return {
      runId,
      trials: evaluator.counts.trials,
      evaluations: evaluator.counts.evaluations,
      invalid: evaluator.counts.invalid,
      stoppedEarly,
      interrupted,
      generations,
      windows,
      best: stored.map((s) => ({
        id: s.id,
        expr: s.expr,
        species: s.species,
        fitness: s.fitness,
        validationFitness: s.validationFitness,
        nodes: s.nodes,
        genome: [...s.genome],
        train: s.train,
        validation: s.validation,
      })),
      em,
      allocation: final ? allocations.get(final.allocationId) : null,
    };
  } catch (err) {
    runs.finishRun(runId, 'failed', false, (err as Error).message.split('\n')[0]);
    throw err;
  } finally {
    await evaluator.close();
  }
}

/** One EM iteration's result, as evolve --json prints it. */
export interface EmSummary {
  iteration: number;
  allocationId: number;
  trainObjective: number;
  validationObjective: number;
  weights: Record<string, number>;
  strategies: string[];
  trials: number;
  dropped: { id: string; because: string; correlation: number }[];
}

function uniqueByExpr(xs: StoredStrategy[]): StoredStrategy[] {
  const seen = new Set<string>();
  return xs.filter((x) => (seen.has(x.expr) ? false : (seen.add(x.expr), true)));
}

interface SearchContext {
  options: SearchOptions;
  settings: FitnessSettings;
  grammarHash: string;
  grammarDisplay: string;
}

function prepareSearch(loaded: LoadedPanel, windows: Windows, req: EvolveRequest): SearchContext {
  const { path, display } = resolveGrammarPath(req.grammar);
  const grammarHash = createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
  const e = req.config.evolve;
  if (e.population < 2) throw new InputError('evolve.population: at least 2 individuals are needed');
  return {
    options: searchOptions(req.config),
    settings: fitnessSettings(req.config, windows, loaded.panel.N, req.metric),
    grammarHash,
    grammarDisplay: display,
  };
}

/** Fitness settings from the config, for a panel of n assets and the given windows. */
export function fitnessSettings(config: Readonly<Config>, windows: Windows, n: number, metric: Metric, assetWeights?: Float64Array): FitnessSettings {
  return {
    metric,
    metricWeights: config.evolve.metricWeights as Partial<Record<Metric, number>> | null,
    penalties: config.evolve.penalties,
    execution: config.execution,
    initialCapital: config.backtest.initialCapital,
    trainStart: windows.trainStart,
    validStart: windows.validStart,
    validEnd: windows.validEnd,
    assetWeights: assetWeights ?? uniformWeights(n),
    signature: config.evolve.species > 1,
  };
}

/**
 * The final pick: the hall of fame (each generation's best by TRAIN fitness) ranked by VALIDATION
 * fitness. Evolution optimises train; validation chooses among what it found; the test window
 * is never consulted.
 */
export function topStrategies(state: SearchState, evaluator: RuleEvaluator, top: number, emIteration = 0): StrategyRecord[] {
  const candidates: Individual[] = [...state.hallOfFame.values()].filter((i) => i.phenotype !== null);
  const scored = candidates
    .map((ind) => ({ ind, res: evaluator.results.get(canonicalOf(ind, evaluator)) }))
    // Every member of the hall of fame was validated when it entered it.
    .filter((x): x is { ind: Individual; res: NonNullable<typeof x.res> } => x.res !== undefined && x.res.validationMetrics !== null);
  scored.sort((a, b) => b.res.validation - a.res.validation || b.res.fitness - a.res.fitness || (a.res.train.sharpe < b.res.train.sharpe ? 1 : -1));
  const seen = new Set<string>();
  const out: StrategyRecord[] = [];
  for (const { ind, res } of scored) {
    const text = canonicalOf(ind, evaluator);
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({
      emIteration,
      rank: out.length + 1,
      expr: text,
      genome: Array.from(ind.genome.subarray(0, Math.max(ind.usedCodons, 1))),
      species: ind.species,
      nodes: ind.nodes,
      fitness: res.fitness,
      validationFitness: res.validation,
      train: res.train,
      validation: res.validationMetrics!,
    });
    if (out.length >= top) break;
  }
  return out;
}

function canonicalOf(ind: Individual, evaluator: RuleEvaluator): string {
  return evaluator.canonical(ind.phenotype!);
}

/** Genomes of the best rules of the latest finished runs with this grammar (or rules it can derive). */
/**
 * The best rules of the latest finished runs, as genomes. Only runs whose data ended by this run's
 * last day: a walk-forward fold must not start from rules chosen on prices after its own window.
 */
export function seedGenomes(runs: RunStore, grammar: Grammar, grammarHash: string, fromRuns: number, lastDay: string, self: number): Int32Array[] {
  if (fromRuns <= 0) return [];
  const recent = runs
    .listRuns()
    .filter((r) => r.status === 'finished' && r.id !== self && r.validTo <= lastDay)
    .slice(-fromRuns);
  const out: Int32Array[] = [];
  for (const r of recent) {
    for (const s of runs.strategies(r.id)) {
      if (r.grammarHash === grammarHash && s.genome.length) out.push(Int32Array.from(s.genome));
      else {
        const rev = reverseMap(grammar, s.expr);
        if (rev) out.push(rev.codons);
      }
    }
  }
  return out;
}
