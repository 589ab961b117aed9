/**
 * Constraint resolution and the projection every allocation goes through.
 */
import { InputError } from '../domain/errors.js';
import type { Constraints, ConstraintsInput, Sleeve } from './types.js';
import { capFill } from './waterfill.js';

export { kellyScale } from './kelly.js';

/** Defaults: fully invested, no caps, no minimum weight. */
export const DEFAULT_CONSTRAINTS: Readonly<Constraints> = Object.freeze({
  longOnly: true,
  maxTotal: 1,
  maxWeightPerSleeve: 1,
  maxWeightPerAsset: 1,
  minWeight: 0,
});

/**
 * Fills in defaults and checks the constraints can be met; throws InputError (one line) if not.
 * Satisfiable means: every cap in (0, 1], and minWeight ≤ every cap, so that at least one sleeve
 * can hold a weight of minWeight.
 */
export function resolveConstraints(input: ConstraintsInput = {}): Constraints {
  const c = { ...DEFAULT_CONSTRAINTS, ...stripUndefined(input) };
  if ((c.longOnly as boolean) !== true) {
    throw new InputError('constraints.longOnly: only long-only allocation is supported (longOnly must be true)');
  }
  for (const key of ['maxTotal', 'maxWeightPerSleeve', 'maxWeightPerAsset'] as const) {
    const v = c[key];
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 1)) {
      throw new InputError(`constraints.${key} must be a number in (0, 1], got ${String(v)}`);
    }
  }
  if (!(typeof c.minWeight === 'number' && Number.isFinite(c.minWeight) && c.minWeight >= 0)) {
    throw new InputError(`constraints.minWeight must be a number ≥ 0, got ${String(c.minWeight)}`);
  }
  const tightest = Math.min(c.maxTotal, c.maxWeightPerSleeve, c.maxWeightPerAsset);
  if (c.minWeight > tightest) {
    throw new InputError(
      `constraints cannot be satisfied: minWeight ${c.minWeight} exceeds min(maxTotal, maxWeightPerSleeve, maxWeightPerAsset) = ${tightest}`,
    );
  }
  return c;
}

/**
 * Builds the projection for a fixed set of sleeves and constraints (evolveWeights calls it
 * thousands of times, so the asset grouping is worked out once). See applyConstraints.
 */
export function makeProjector(
  sleeves: readonly Pick<Sleeve, 'asset'>[],
  constraints: ConstraintsInput = {},
): (weights: readonly number[]) => number[] {
  const c = resolveConstraints(constraints);
  const n = sleeves.length;
  const groupIds = new Map<string, number>();
  const groupOf = Int32Array.from(sleeves, (s) => {
    let g = groupIds.get(s.asset);
    if (g === undefined) {
      g = groupIds.size;
      groupIds.set(s.asset, g);
    }
    return g;
  });
  const problem = (intent: Float64Array) => ({
    intent,
    groupOf,
    groupCount: groupIds.size,
    sleeveCap: c.maxWeightPerSleeve,
    groupCap: c.maxWeightPerAsset,
    budget: c.maxTotal,
  });
  // A weight counts as below the minimum only if clearly so, so that a weight the water-filling
  // puts exactly at minWeight (up to rounding) is not dropped.
  const below = c.minWeight * (1 - 1e-12);

  return (weights) => {
    if (weights.length !== n) {
      throw new RangeError(`applyConstraints: ${weights.length} weights for ${n} sleeves`);
    }
    const r = cleanIntents(weights);
    for (;;) {
      const fill = capFill(problem(r));
      const w = fill.weights;
      const small: number[] = [];
      for (let i = 0; i < n; i++) if (w[i] > 0 && w[i] < below) small.push(i);
      if (small.length === 0) return Array.from(w);

      // Dropping sleeves only raises the others (capital flows to them), so a sleeve that stays
      // below the minimum even if every currently-small sleeve were dropped is certain to be
      // dropped: drop all of those at once. Its weight in that case is at most
      // min(c, C, M, t_a·r_i), t_a the scales with the small sleeves removed (adding sleeves back
      // only lowers scales). If none is certain, drop the single smallest and look again.
      const r2 = r.slice();
      for (const i of small) r2[i] = 0;
      const fill2 = capFill(problem(r2));
      const cap = Math.min(c.maxWeightPerSleeve, c.maxWeightPerAsset, c.maxTotal);
      let dropped = 0;
      for (const i of small) {
        const t = Math.min(fill2.scale, fill2.groupScale[groupOf[i]]);
        if (Math.min(cap, t * r[i]) < below) {
          r[i] = 0;
          dropped++;
        }
      }
      if (dropped === 0) {
        let smallest = small[0];
        for (const i of small) if (w[i] < w[smallest]) smallest = i;
        r[smallest] = 0;
      }
    }
  };
}

/**
 * Projects weights onto the constraint set. The input is read as relative intent (any
 * non-negative scale; negative or non-finite entries count as 0, intents below 1e-15 of the
 * largest as 0):
 *  1. the budget maxTotal is spread in proportion to intent, capping sleeves at
 *     maxWeightPerSleeve and assets at maxWeightPerAsset and passing what they cannot take to the
 *     others in proportion (waterfill.ts); if the caps hold less than maxTotal the rest is cash;
 *  2. positive weights below minWeight are set to 0 and step 1 is redone without them, until none
 *     is left (caps therefore still hold after the redistribution).
 * The result is non-negative, honours every cap, sums to at most maxTotal (exactly maxTotal when
 * the caps allow), has no positive weight below minWeight, and applying it again changes nothing.
 * All-zero intent gives all-zero weights (all cash).
 */
export function applyConstraints(
  weights: readonly number[],
  sleeves: readonly Pick<Sleeve, 'asset'>[],
  constraints: ConstraintsInput = {},
): number[] {
  return makeProjector(sleeves, constraints)(weights);
}

/**
 * Every constraint the weights break (empty when all hold), each as one readable line; `tol` is
 * the absolute slack allowed for rounding. Used by allocate as a final guard and by tests.
 */
export function constraintViolations(
  weights: readonly number[],
  sleeves: readonly Pick<Sleeve, 'asset' | 'id'>[],
  constraints: ConstraintsInput = {},
  tol = 1e-9,
): string[] {
  const c = resolveConstraints(constraints);
  const out: string[] = [];
  const perAsset = new Map<string, number>();
  let total = 0;
  weights.forEach((w, i) => {
    const id = sleeves[i]?.id ?? String(i);
    if (!Number.isFinite(w)) out.push(`${id}: weight ${w} is not finite`);
    if (w < 0) out.push(`${id}: weight ${w} is negative`);
    if (w > c.maxWeightPerSleeve + tol) out.push(`${id}: weight ${w} > maxWeightPerSleeve ${c.maxWeightPerSleeve}`);
    if (w > 0 && w < c.minWeight - tol) out.push(`${id}: weight ${w} < minWeight ${c.minWeight}`);
    const asset = sleeves[i]?.asset ?? '';
    perAsset.set(asset, (perAsset.get(asset) ?? 0) + w);
    total += w;
  });
  for (const [asset, w] of perAsset) {
    if (w > c.maxWeightPerAsset + tol) out.push(`asset ${asset}: weight ${w} > maxWeightPerAsset ${c.maxWeightPerAsset}`);
  }
  if (total > c.maxTotal + tol) out.push(`total weight ${total} > maxTotal ${c.maxTotal}`);
  return out;
}

function cleanIntents(weights: readonly number[]): Float64Array {
  const r = Float64Array.from(weights, (w) => (Number.isFinite(w) && w > 0 ? w : 0));
  let max = 0;
  for (const x of r) if (x > max) max = x;
  // Normalising by the largest intent keeps c / r_i finite; dust below 1e-15 of it would only
  // create absurd breakpoints and weights of no economic meaning.
  if (max > 0) for (let i = 0; i < r.length; i++) r[i] = r[i] / max < 1e-15 ? 0 : r[i] / max;
  return r;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
