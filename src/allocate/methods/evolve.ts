import { InputError } from '../../domain/errors.js';
import type { Rng } from '../../domain/rng.js';
import { portfolioReturns } from '../portfolio.js';
import { normalise } from '../stats.js';
import type { MethodOutput, Objective } from '../types.js';
import { equal } from './equal.js';
import { inverseVol } from './inverseVol.js';

export interface EvolveOptions {
  /** What to maximise over the candidate portfolio's daily returns (NaN counts as -Infinity). */
  objective: Objective;
  /** The seeded random source; the result is a function of (returns, options, rng state). */
  rng: Rng;
  /**
   * Maps any non-negative vector to a feasible weight vector; every candidate is projected before
   * it is evaluated, so the search only ever scores feasible portfolios. Default: scale to sum 1.
   * allocate passes the constraint projection (makeProjector).
   */
  project?: (weights: readonly number[]) => number[];
  /** Candidates per generation (≥ 4). Default 30. */
  populationSize?: number;
  /** Generation budget. Default 100. */
  generations?: number;
  /** Stop after this many generations without an improvement of the best. Default 25. */
  patience?: number;
  /** Extra starting points (e.g. the min-variance and risk-parity weights), projected first. */
  seeds?: readonly (readonly number[])[];
}

export interface EvolveOutput extends MethodOutput {
  /** Best objective value found. */
  objective: number;
}

/**
 * Differential evolution over the (constrained) weight simplex maximising any objective of the
 * portfolio's daily returns. Strategy DE/current-to-pbest/1/bin (Zhang & Sanderson 2009, JADE,
 * without archive): v = x_i + F(x_pbest - x_i) + F(x_r1 - x_r2), binomial crossover CR = 0.9,
 * F ~ U[0.5, 0.8) per trial, p = 20%; negatives clipped to 0, then projected; greedy one-to-one
 * selection (ties go to the trial so the search can drift across plateaus).
 *
 * The initial population holds equal weights, inverse-vol weights, the caller's seeds and random
 * points (half dense, half sparse Dirichlet(1) draws). Because selection is elitist the result is
 * never worse on the objective than projected equal weights.
 *
 * Cost: one evaluation is O(N·T) for the portfolio returns plus the objective; the default budget
 * is at most 30 + 30·100 evaluations.
 */
export function evolveWeightsDetailed(returns: readonly Float64Array[], opts: EvolveOptions): EvolveOutput {
  const N = returns.length;
  const project = opts.project ?? ((w: readonly number[]) => normalise(w));
  const P = opts.populationSize ?? 30;
  const G = opts.generations ?? 100;
  const patience = opts.patience ?? 25;
  if (!(Number.isInteger(P) && P >= 4)) throw new InputError(`evolve.populationSize must be an integer ≥ 4, got ${P}`);
  if (!(Number.isInteger(G) && G >= 0)) throw new InputError(`evolve.generations must be an integer ≥ 0, got ${G}`);
  if (!(Number.isInteger(patience) && patience >= 1)) {
    throw new InputError(`evolve.patience must be an integer ≥ 1, got ${patience}`);
  }
  const T = N > 0 ? returns[0].length : 0;
  const buf = new Float64Array(T);
  let evaluations = 0;
  const evaluate = (w: readonly number[]): number => {
    evaluations++;
    const v = opts.objective(portfolioReturns(returns, w, buf));
    return Number.isNaN(v) ? -Infinity : v;
  };

  const eqW = project(equal(returns));
  const eqScore = evaluate(eqW);
  if (N <= 1) {
    return {
      weights: eqW,
      objective: eqScore,
      diagnostics: { objective: eqScore, equalWeightObjective: eqScore, iterations: 0, evaluations, notes: [] },
    };
  }

  const { rng } = opts;
  const pop: number[][] = [eqW];
  const starts = [inverseVol(returns), ...(opts.seeds ?? [])];
  for (const s of starts) {
    if (s.length !== N) throw new InputError(`evolve seed has ${s.length} weights for ${N} sleeves`);
    if (pop.length < P) pop.push(feasible(project, s, eqW));
  }
  while (pop.length < P) pop.push(feasible(project, randomPoint(N, rng), eqW));
  const fit = pop.map((w, i) => (i === 0 ? eqScore : evaluate(w)));

  let bestIdx = argmax(fit);
  let stale = 0;
  let gen = 0;
  const pCount = Math.max(2, Math.round(0.2 * P));
  const trial = new Array<number>(N);
  for (; gen < G && stale < patience; gen++) {
    // Comparison rather than subtraction: ±Infinity scores must sort, not produce NaN.
    const order = fit.map((_, i) => i).sort((a, b) => (fit[b] > fit[a] ? 1 : fit[b] < fit[a] ? -1 : a - b));
    const nextPop = pop.slice();
    const nextFit = fit.slice();
    for (let i = 0; i < P; i++) {
      const x = pop[i];
      const pb = pop[order[rng.int(0, pCount - 1)]];
      const r1 = pickOther(rng, P, [i]);
      const r2 = pickOther(rng, P, [i, r1]);
      const F = 0.5 + 0.3 * rng.float();
      const jrand = rng.int(0, N - 1);
      let any = false;
      for (let j = 0; j < N; j++) {
        const v = rng.float() < 0.9 || j === jrand ? x[j] + F * (pb[j] - x[j]) + F * (pop[r1][j] - pop[r2][j]) : x[j];
        trial[j] = v > 0 ? v : 0;
        if (trial[j] > 0) any = true;
      }
      if (!any) continue;
      const w = project(trial);
      const f = evaluate(w);
      if (f >= fit[i]) {
        nextPop[i] = w;
        nextFit[i] = f;
      }
    }
    pop.splice(0, P, ...nextPop);
    fit.splice(0, P, ...nextFit);
    const newBest = argmax(fit);
    const improvement = fit[newBest] - fit[bestIdx];
    stale = improvement > 1e-12 * Math.max(1, Math.abs(fit[bestIdx])) ? 0 : stale + 1;
    bestIdx = newBest;
  }
  return {
    weights: pop[bestIdx].slice(),
    objective: fit[bestIdx],
    diagnostics: {
      objective: fit[bestIdx],
      equalWeightObjective: eqScore,
      iterations: gen,
      evaluations,
      converged: stale >= patience,
      notes: [],
    },
  };
}

/** Evolved weights maximising `opts.objective` (see evolveWeightsDetailed). */
export function evolveWeights(returns: readonly Float64Array[], opts: EvolveOptions): number[] {
  return evolveWeightsDetailed(returns, opts).weights;
}

/** A random simplex point: Dirichlet(1) over all sleeves or over a random subset (sparse
 *  portfolios are where long-only optima usually sit). */
function randomPoint(N: number, rng: Rng): number[] {
  const w = new Array<number>(N).fill(0);
  const sparse = rng.float() < 0.5;
  const k = sparse ? rng.int(1, N) : N;
  const idx = rng.shuffle(Array.from({ length: N }, (_, i) => i)).slice(0, k);
  for (const i of idx) w[i] = -Math.log(1 - rng.float());
  return w;
}

/** Projects a start; if it projects to nothing invested (all-zero intent), uses `fallback`. */
function feasible(project: (w: readonly number[]) => number[], w: readonly number[], fallback: number[]): number[] {
  const p = project(w);
  return p.some((x) => x > 0) ? p : fallback.slice();
}

function pickOther(rng: Rng, P: number, exclude: readonly number[]): number {
  for (;;) {
    const k = rng.int(0, P - 1);
    if (!exclude.includes(k)) return k;
  }
}

function argmax(xs: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}
