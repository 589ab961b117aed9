/**
 * The allocation core: maps sleeve return streams to constrained portfolio weights.
 */
import { InputError } from '../domain/errors.js';
import type { Rng } from '../domain/rng.js';
import { constraintViolations, makeProjector, resolveConstraints } from './constraints.js';
import { kellyDetails } from './kelly.js';
import { equalDetailed } from './methods/equal.js';
import type { EvolveOptions } from './methods/evolve.js';
import { evolveWeightsDetailed } from './methods/evolve.js';
import { inverseVolDetailed } from './methods/inverseVol.js';
import type { MaxSharpeOptions } from './methods/maxSharpe.js';
import { maxSharpe, maxSharpeDetailed } from './methods/maxSharpe.js';
import type { MinVarianceOptions } from './methods/minVariance.js';
import { minVariance, minVarianceDetailed } from './methods/minVariance.js';
import type { RiskParityOptions } from './methods/riskParity.js';
import { riskParity, riskParityDetailed } from './methods/riskParity.js';
import { portfolioReturns } from './portfolio.js';
import type {
  AllocationMethod,
  AllocationResult,
  Constraints,
  ConstraintsInput,
  KellyReport,
  MethodOutput,
  Objective,
  Sleeve,
} from './types.js';
import { ALLOCATION_METHODS } from './types.js';

export * from './types.js';
export { applyConstraints, constraintViolations, DEFAULT_CONSTRAINTS, makeProjector, resolveConstraints } from './constraints.js';
export { kellyDetails, kellyLeverage, kellyScale, type KellyOptions } from './kelly.js';
export { governCorrelation, type GovernanceDrop, type GovernanceOptions, type GovernanceResult } from './governance.js';
export { portfolioReturns } from './portfolio.js';
export { calmarRatio, OBJECTIVES, PERIODS_PER_YEAR, sharpeRatio } from './objectives.js';
export { ledoitWolf, type ShrunkCovariance } from './ledoitWolf.js';
export { sampleCovariance } from './stats.js';
export type { CovarianceChoice } from './covariance.js';
export { equal } from './methods/equal.js';
export { inverseVol } from './methods/inverseVol.js';
export { equalDetailed } from './methods/equal.js';
export { inverseVolDetailed } from './methods/inverseVol.js';
export { minVariance, minVarianceDetailed, type MinVarianceOptions } from './methods/minVariance.js';
export { riskParity, riskParityDetailed, type RiskParityOptions } from './methods/riskParity.js';
export { maxSharpe, maxSharpeDetailed, type MaxSharpeOptions } from './methods/maxSharpe.js';
export { evolveWeights, evolveWeightsDetailed, type EvolveOptions, type EvolveOutput } from './methods/evolve.js';

export interface AllocateOptions {
  constraints?: ConstraintsInput;
  /** Required by 'evolve': what to maximise (see OBJECTIVES). */
  objective?: Objective;
  /** Required by 'evolve': the seeded random source. */
  rng?: Rng;
  /**
   * Fractional-Kelly scaling of total exposure after the constraints; cap defaults to (and is
   * never above) constraints.maxTotal.
   */
  kelly?: { fraction: number; cap?: number };
  minVariance?: MinVarianceOptions;
  riskParity?: RiskParityOptions;
  maxSharpe?: MaxSharpeOptions;
  /**
   * Search settings for 'evolve'. Unless `seeds` is given, the search starts from the
   * min-variance, risk-parity and max-Sharpe weights as well as equal and inverse-vol weights.
   */
  evolve?: Omit<EvolveOptions, 'objective' | 'rng' | 'project'>;
}

/** Checks a method name from a config or flag; throws InputError naming the valid ones. */
export function parseAllocationMethod(name: string): AllocationMethod {
  if ((ALLOCATION_METHODS as readonly string[]).includes(name)) return name as AllocationMethod;
  throw new InputError(`unknown allocation method '${name}' (expected one of: ${ALLOCATION_METHODS.join(', ')})`);
}

/**
 * Allocates capital over sleeves: runs `method` on the sleeves' returns, projects the result onto
 * the constraints (applyConstraints; 'evolve' projects every candidate during its search), then
 * optionally applies fractional-Kelly scaling (re-projected so minWeight still holds). Throws
 * InputError for an unknown method, unsatisfiable constraints, or malformed sleeves (none, duplicate
 * ids, unequal lengths, no history, non-finite returns).
 */
export function allocate(method: string, sleeves: readonly Sleeve[], options: AllocateOptions = {}): AllocationResult {
  const m = parseAllocationMethod(method);
  const constraints = resolveConstraints(options.constraints);
  validateSleeves(sleeves);
  const returns = sleeves.map((s) => s.returns);
  const project = makeProjector(sleeves, constraints);

  const out = runMethod(m, returns, options, project);
  // 'evolve' output is already feasible; projecting again is a no-op (the projection is
  // idempotent) and keeps one code path.
  let weights = project(out.weights);

  let kelly: KellyReport | undefined;
  if (options.kelly) {
    const cap = Math.min(options.kelly.cap ?? constraints.maxTotal, constraints.maxTotal);
    kelly = kellyDetails(weights, portfolioReturns(returns, weights), { fraction: options.kelly.fraction, cap });
    weights = kellyRescale(weights, kelly.scale, sleeves, constraints, out.diagnostics.notes);
  }

  const broken = constraintViolations(weights, sleeves, constraints);
  if (broken.length > 0) throw new Error(`allocate(${m}) produced infeasible weights: ${broken[0]}`);

  const invested = weights.reduce((s, w) => s + w, 0);
  const { zeroVariance, ...rest } = out.diagnostics;
  return {
    method: m,
    weights: byId(sleeves, weights),
    invested,
    cash: Math.max(0, 1 - invested),
    diagnostics: {
      ...rest,
      preConstraintWeights: byId(sleeves, out.weights),
      zeroVariance: (zeroVariance ?? []).map((i) => sleeves[i].id),
      ...(kelly ? { kelly } : {}),
    },
  };
}

function runMethod(
  m: AllocationMethod,
  returns: Float64Array[],
  options: AllocateOptions,
  project: (w: readonly number[]) => number[],
): MethodOutput {
  switch (m) {
    case 'equal':
      return equalDetailed(returns);
    case 'inverse-vol':
      return inverseVolDetailed(returns);
    case 'min-variance':
      return minVarianceDetailed(returns, options.minVariance);
    case 'risk-parity':
      return riskParityDetailed(returns, options.riskParity);
    case 'max-sharpe':
      return maxSharpeDetailed(returns, options.maxSharpe);
    case 'evolve': {
      if (!options.objective) throw new InputError("allocation method 'evolve' needs an objective (e.g. sharpe, calmar)");
      if (!options.rng) throw new TypeError("allocation method 'evolve' needs the caller's seeded rng");
      const seeds = options.evolve?.seeds ?? [
        minVariance(returns, options.minVariance),
        riskParity(returns, options.riskParity),
        maxSharpe(returns, options.maxSharpe),
      ];
      return evolveWeightsDetailed(returns, {
        ...options.evolve,
        seeds,
        objective: options.objective,
        rng: options.rng,
        project,
      });
    }
  }
}

/**
 * Scales a constrained allocation by the Kelly multiplier k ≤ 1, then re-projects with the budget
 * k·invested: shrinking every weight can push some below minWeight, and the projection drops
 * those and hands their capital to the others (all caps keep holding since weights only shrank).
 * If the whole scaled budget is below minWeight no position can be held: all cash.
 */
function kellyRescale(
  weights: number[],
  k: number,
  sleeves: readonly Sleeve[],
  c: Constraints,
  notes: string[],
): number[] {
  const budget = k * weights.reduce((s, w) => s + w, 0);
  if (k >= 1) return weights;
  if (!(budget > 0) || budget < c.minWeight) {
    if (budget > 0) notes.push(`Kelly exposure ${budget.toFixed(4)} is below minWeight ${c.minWeight}: all cash`);
    return weights.map(() => 0);
  }
  return makeProjector(sleeves, { ...c, maxTotal: budget })(weights);
}

function validateSleeves(sleeves: readonly Sleeve[]): void {
  if (sleeves.length === 0) throw new InputError('no sleeves to allocate');
  const ids = new Set<string>();
  const T = sleeves[0].returns.length;
  if (T === 0) throw new InputError(`sleeve '${sleeves[0].id}' has no return history`);
  for (const s of sleeves) {
    if (ids.has(s.id)) throw new InputError(`duplicate sleeve id '${s.id}'`);
    ids.add(s.id);
    if (s.returns.length !== T) {
      throw new InputError(`sleeve '${s.id}' has ${s.returns.length} returns, expected ${T} like '${sleeves[0].id}'`);
    }
    const bad = s.returns.findIndex((r) => !Number.isFinite(r));
    if (bad >= 0) throw new InputError(`sleeve '${s.id}' has a non-finite return (${s.returns[bad]}) on day ${bad}`);
  }
}

function byId(sleeves: readonly Sleeve[], w: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  sleeves.forEach((s, i) => {
    out[s.id] = w[i];
  });
  return out;
}
