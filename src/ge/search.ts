import type { Rng } from '../domain/rng.js';
import { initialisePopulation } from './init.js';
import { mapGenome } from './mapper.js';
import { intFlipMutation, onePointCrossover, tournamentSelect } from './operators.js';
import { reverseMap } from './reverse.js';
import { spliceSubtree } from './subtree.js';
import type { Grammar } from './grammar-types.js';

/** The search's knobs (config section `evolve`, overridable by flags). */
export interface SearchOptions {
  population: number;
  generations: number;
  tournamentSize: number;
  elitism: number;
  crossoverRate: number;
  /** Per-codon probability of an int-flip, on the used part of the genome. */
  mutationRate: number;
  /** Probability that a child receives a building block from the library. */
  blockInsertionRate: number;
  minInitDepth: number;
  maxInitDepth: number;
  maxDepth: number;
  maxWraps: number;
  codonSize: number;
  /** Number of competing populations. */
  species: number;
  /** gamma: a candidate loses gamma x max |corr| with the best of each other species. */
  speciesPenalty: number;
  /** Generations without a better validation fitness before stopping. */
  patience: number;
  /** Size of the hall of fame: the best distinct rules by train fitness, the final candidates. */
  hallOfFame: number;
}

/** What the evaluator says about one phenotype. Higher fitness is better. */
export interface Score {
  valid: boolean;
  /** Train fitness, penalties included (the worst value for invalid phenotypes). */
  fitness: number;
  /** Validation fitness; NaN while not scored (an evaluator may leave it to a BatchValidator). */
  validation: number;
  /**
   * The candidate's net position series (for the species correlation penalty); may be omitted
   * when there is one species.
   */
  signature?: Float32Array;
}

/**
 * Scores a batch of phenotypes (null = the genome did not map). The evaluator owns the cache of
 * scored phenotypes, counts trials, and may run the batch on worker threads: the search only
 * needs the scores back in order.
 */
export type BatchEvaluator = (phenotypes: readonly (string | null)[]) => Promise<Score[]>;

/** Validation fitness of valid phenotypes, in order (see SearchHooks.validate). */
export type BatchValidator = (phenotypes: readonly string[]) => Promise<number[]>;

export interface Individual {
  genome: Int32Array;
  phenotype: string | null;
  usedCodons: number;
  nodes: number;
  depth: number;
  species: number;
  score: Score;
  /** fitness minus the species penalty: what selection sees. */
  selection: number;
}

export interface GenerationStats {
  generation: number;
  species: number;
  bestTrain: number;
  medianTrain: number;
  bestValidation: number;
  invalidShare: number;
  /** Distinct valid phenotypes / population size. */
  diversity: number;
}

export interface SearchHooks {
  /** Genomes placed in the first generation (e.g. earlier runs' top rules), spread over species. */
  seeds?: readonly Int32Array[];
  /** Rule fragments mutation can insert where the grammar derives them (e.g. `gt(close,sma(close,200))`). */
  blocks?: readonly string[];
  /** After each generation (0 = the initial one); may persist progress. */
  onGeneration?: (stats: GenerationStats[], state: SearchState) => void | Promise<void>;
  /** Checked between generations: stop cleanly (e.g. on Ctrl-C). */
  shouldStop?: () => boolean;
  /**
   * Scores the validation fitness the evaluator left out (NaN). Only the train-elite are asked
   * for: the hall of fame's entrants (the final pick's candidates) and each species' best of the
   * generation (its row of the generation stats and the early-stopping signal).
   */
  validate?: BatchValidator;
}

export interface SearchState {
  generation: number;
  populations: Individual[][];
  /** The best distinct individuals by train fitness so far (at most opts.hallOfFame), by phenotype. */
  hallOfFame: Map<string, Individual>;
  bestValidation: number;
  generationsWithoutImprovement: number;
}

export interface SearchResult {
  state: SearchState;
  stoppedEarly: boolean;
  interrupted: boolean;
  generations: number;
}

/**
 * Grammatical evolution with competing species. Each generation reads like the algorithm:
 * select parents by tournament, cross them over on the used part of their genomes, mutate,
 * maybe insert a building block, map, evaluate, and replace the population keeping the elite.
 */
export async function runSearch(grammar: Grammar, opts: SearchOptions, evaluate: BatchEvaluator, rng: Rng, hooks: SearchHooks = {}): Promise<SearchResult> {
  const blocks = compileBlocks(grammar, hooks.blocks ?? []);
  const mapOpts = { maxWraps: opts.maxWraps, maxDepth: opts.maxDepth };

  // Generation 0: sensible initialisation per species, seeds spread over the species.
  const genomes: { genome: Int32Array; species: number }[] = [];
  for (let k = 0; k < opts.species; k++) {
    const init = initialisePopulation(
      grammar,
      { populationSize: opts.population, minDepth: opts.minInitDepth, maxDepth: opts.maxInitDepth, codonSize: opts.codonSize },
      rng.fork(),
    );
    const seeds = (hooks.seeds ?? []).filter((_, i) => i % opts.species === k).slice(0, Math.floor(opts.population / 2));
    seeds.forEach((s, i) => (init[i] = { ...init[i], genome: Int32Array.from(s) }));
    for (const ind of init) genomes.push({ genome: Int32Array.from(ind.genome), species: k });
  }
  let flat = await evaluateAll(genomes);
  const state: SearchState = {
    generation: 0,
    populations: groupBySpecies(flat, opts.species),
    hallOfFame: new Map(),
    bestValidation: Number.NEGATIVE_INFINITY,
    generationsWithoutImprovement: 0,
  };
  let stoppedEarly = false;
  let interrupted = false;
  await finishGeneration();

  for (let g = 1; g < opts.generations; g++) {
    // Let the event loop run between generations: signals (Ctrl-C), progress output, timers.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (hooks.shouldStop?.()) {
      interrupted = true;
      break;
    }
    state.generation = g;
    const children: { genome: Int32Array; species: number }[] = [];
    const elites: Individual[] = [];
    for (let k = 0; k < opts.species; k++) {
      const pop = state.populations[k];
      const selection = pop.map((i) => i.selection);
      const ranked = [...pop].sort((a, b) => b.selection - a.selection);
      elites.push(...ranked.slice(0, Math.min(opts.elitism, pop.length)));
      const want = opts.population - Math.min(opts.elitism, pop.length);
      const born: Int32Array[] = [];
      while (born.length < want) {
        const p1 = pop[tournamentSelect(selection, opts.tournamentSize, rng)];
        const p2 = pop[tournamentSelect(selection, opts.tournamentSize, rng)];
        let [c1, c2] = [p1.genome, p2.genome];
        if (rng.chance(opts.crossoverRate)) {
          [c1, c2] = onePointCrossover(p1.genome, effectiveLength(p1), p2.genome, effectiveLength(p2), rng);
        }
        for (const [child, parent] of [[c1, p1], [c2, p2]] as const) {
          if (born.length >= want) break;
          let c = intFlipMutation(child, Math.min(child.length, effectiveLength(parent)), opts.mutationRate, opts.codonSize, rng);
          if (blocks.length && rng.chance(opts.blockInsertionRate)) c = insertBlock(c) ?? c;
          born.push(c);
        }
      }
      for (const genome of born) children.push({ genome, species: k });
    }
    const evaluated = await evaluateAll(children);
    flat = [...elites, ...evaluated];
    state.populations = groupBySpecies(flat, opts.species);
    await finishGeneration();
    if (state.generationsWithoutImprovement >= opts.patience) {
      stoppedEarly = true;
      break;
    }
  }
  return { state, stoppedEarly, interrupted, generations: state.generation + 1 };

  /** Map, evaluate, and wrap genomes as individuals (selection set by the species penalty later). */
  async function evaluateAll(batch: readonly { genome: Int32Array; species: number }[]): Promise<Individual[]> {
    const mapped = batch.map((b) => mapGenome(grammar, b.genome, mapOpts));
    const scores = await evaluate(mapped.map((m) => (m.valid ? m.phenotype : null)));
    return batch.map((b, i) => ({
      genome: b.genome,
      phenotype: mapped[i].valid ? mapped[i].phenotype : null,
      usedCodons: mapped[i].usedCodons,
      nodes: mapped[i].nodes,
      depth: mapped[i].depth,
      species: b.species,
      score: scores[i],
      selection: scores[i].fitness,
    }));
  }

  async function finishGeneration(): Promise<void> {
    applySpeciesPenalty(state.populations, opts.speciesPenalty);
    // The hall of fame: the best distinct rules by TRAIN fitness seen so far (a global top-K). The
    // final pick ranks them by validation: choosing among few train-elite rules keeps the
    // validation figure honest (the best of thousands by validation would be luck).
    for (const pop of state.populations) {
      for (const ind of pop) {
        if (!ind.score.valid || ind.phenotype === null || state.hallOfFame.has(ind.phenotype)) continue;
        state.hallOfFame.set(ind.phenotype, ind);
      }
    }
    if (state.hallOfFame.size > opts.hallOfFame) {
      const keep = [...state.hallOfFame.values()].sort((a, b) => b.score.fitness - a.score.fitness).slice(0, opts.hallOfFame);
      state.hallOfFame = new Map(keep.map((i) => [i.phenotype!, i]));
    }
    await validateElite();
    const stats = state.populations.map((pop, k) => generationStats(state.generation, k, pop, opts.population));
    const best = Math.max(...stats.map((s) => s.bestValidation));
    if (best > state.bestValidation + 1e-12) {
      state.bestValidation = best;
      state.generationsWithoutImprovement = 0;
    } else state.generationsWithoutImprovement += 1;
    await hooks.onGeneration?.(stats, state);
  }

  /** Validation for the train-elite that lack it: the hall of fame and each species' best. */
  async function validateElite(): Promise<void> {
    const need = new Map<string, Individual[]>();
    const ask = (ind: Individual | undefined) => {
      if (!ind || !ind.score.valid || ind.phenotype === null || !Number.isNaN(ind.score.validation)) return;
      const same = need.get(ind.phenotype);
      if (same) same.push(ind);
      else need.set(ind.phenotype, [ind]);
    };
    for (const ind of state.hallOfFame.values()) ask(ind);
    for (const pop of state.populations) ask(bestByTrain(pop));
    if (need.size === 0) return;
    if (!hooks.validate) throw new Error('the evaluator left validation fitness unscored and the search has no validator');
    const phenotypes = [...need.keys()];
    const values = await hooks.validate(phenotypes);
    phenotypes.forEach((p, k) => {
      for (const ind of need.get(p)!) ind.score = { ...ind.score, validation: values[k] };
    });
  }

  function insertBlock(genome: Int32Array): Int32Array | null {
    const m = mapGenome(grammar, genome, { ...mapOpts, trace: true });
    if (!m.valid || !m.trace || m.usedCodons > genome.length) return null;
    const block = rng.pick(blocks);
    const sites: number[] = [];
    for (let n = 0; n < m.trace.count; n++) if (m.trace.rule[n] === block.rule) sites.push(n);
    if (sites.length === 0) return null;
    const n = rng.pick(sites);
    return spliceSubtree(genome, { start: m.trace.start[n], end: m.trace.end[n] }, block.codons);
  }
}

/** The used part of a genome (what crossover and mutation work on). */
function effectiveLength(ind: Individual): number {
  return Math.max(1, Math.min(ind.genome.length, ind.usedCodons));
}

function groupBySpecies(all: Individual[], species: number): Individual[][] {
  const out: Individual[][] = Array.from({ length: species }, () => []);
  for (const ind of all) out[ind.species].push(ind);
  return out;
}

/**
 * Species compete for different strategies: each valid candidate loses gamma x the largest
 * absolute correlation between its position signature and the best (by raw fitness) of each other
 * species.
 */
export function applySpeciesPenalty(populations: Individual[][], gamma: number): void {
  for (const pop of populations) for (const ind of pop) ind.selection = ind.score.fitness;
  if (populations.length < 2 || gamma === 0) return;
  const leaders = populations.map((pop) => {
    let best: Individual | null = null;
    for (const ind of pop) if (ind.score.valid && ind.score.signature && (!best || ind.score.fitness > best.score.fitness)) best = ind;
    return best;
  });
  populations.forEach((pop, k) => {
    for (const ind of pop) {
      if (!ind.score.valid || !ind.score.signature) continue;
      let worst = 0;
      leaders.forEach((leader, j) => {
        if (j === k || !leader) return;
        const c = Math.abs(correlation(ind.score.signature!, leader.score.signature!));
        if (c > worst) worst = c;
      });
      ind.selection = ind.score.fitness - gamma * worst;
    }
  });
}

/** Pearson correlation; 0 when either series is constant. */
export function correlation(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < n; i++) {
    sa += a[i];
    sb += b[i];
  }
  const ma = sa / n;
  const mb = sb / n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    cov += da * db;
    va += da * da;
    vb += db * db;
  }
  return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : 0;
}

/** The valid individual of highest train fitness (the first of equals), if any. */
function bestByTrain(pop: readonly Individual[]): Individual | undefined {
  let best: Individual | undefined;
  for (const ind of pop) if (ind.score.valid && (!best || ind.score.fitness > best.score.fitness)) best = ind;
  return best;
}

/**
 * A generation's figures for one species. Validation is known for the train-elite only (the rest
 * are NaN and skipped): bestValidation is the best of those, which always include the species'
 * best rule by train fitness.
 */
export function generationStats(generation: number, species: number, pop: readonly Individual[], size: number): GenerationStats {
  const valid = pop.filter((i) => i.score.valid);
  const validated = valid.filter((i) => !Number.isNaN(i.score.validation));
  const train = valid.map((i) => i.score.fitness).sort((a, b) => a - b);
  const mid = train.length ? (train.length % 2 ? train[(train.length - 1) / 2] : (train[train.length / 2 - 1] + train[train.length / 2]) / 2) : 0;
  return {
    generation,
    species,
    bestTrain: train.length ? train[train.length - 1] : 0,
    medianTrain: mid,
    bestValidation: validated.length ? Math.max(...validated.map((i) => i.score.validation)) : 0,
    invalidShare: pop.length ? (pop.length - valid.length) / pop.length : 0,
    diversity: new Set(valid.map((i) => i.phenotype)).size / Math.max(1, size),
  };
}

interface Block {
  rule: number;
  codons: Int32Array;
}

/** The block texts no rule of the grammar derives: mutation could never insert them. */
export function underivableBlocks(grammar: Grammar, texts: readonly string[]): string[] {
  return texts.filter((text) => compileBlocks(grammar, [text]).length === 0);
}

/** Each block text, reverse-mapped for every rule of the grammar that derives it. */
function compileBlocks(grammar: Grammar, texts: readonly string[]): Block[] {
  const out: Block[] = [];
  for (const text of texts) {
    for (const rule of grammar.rules) {
      if (rule.duplicate) continue;
      const r = reverseMap(grammar, text, { rule: rule.name });
      if (r) out.push({ rule: rule.index, codons: r.codons });
    }
  }
  return out;
}
