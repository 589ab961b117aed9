/**
 * Correlation governance: keep the best of each cluster of near-duplicate sleeves.
 */
import { InputError } from '../domain/errors.js';
import { centre, nonDegenerate, variances } from './stats.js';
import type { Sleeve } from './types.js';

export interface GovernanceDrop {
  id: string;
  /** The better, already kept sleeve it correlates with most. */
  because: string;
  correlation: number;
}

export interface GovernanceResult {
  /** Kept sleeve ids, best first. */
  kept: string[];
  /** Dropped sleeves, in the order they were considered (best first). */
  dropped: GovernanceDrop[];
}

export interface GovernanceOptions {
  /** Drop a sleeve whose correlation with a kept, better sleeve is above this. Default 0.7. */
  threshold?: number;
}

/**
 * Greedy correlation screen. Sleeves are ranked by `score` (higher is better; ties keep input
 * order); walking down the ranking, a sleeve is dropped if its Pearson correlation with any
 * already kept sleeve exceeds the threshold, and kept otherwise. The correlation is signed: a
 * strongly negatively correlated sleeve is a hedge, not a duplicate, and is kept. A zero-variance
 * sleeve has no defined correlation and counts as uncorrelated with everything.
 * Cost O(K·N·T) for K kept sleeves.
 */
export function governCorrelation(
  sleeves: readonly Sleeve[],
  score: (sleeve: Sleeve) => number,
  options: GovernanceOptions = {},
): GovernanceResult {
  const threshold = options.threshold ?? 0.7;
  if (!(Number.isFinite(threshold) && threshold >= -1 && threshold <= 1)) {
    throw new InputError(`correlation threshold must be a number in [-1, 1], got ${threshold}`);
  }
  const ids = new Set<string>();
  for (const s of sleeves) {
    if (ids.has(s.id)) throw new InputError(`duplicate sleeve id '${s.id}'`);
    ids.add(s.id);
  }
  const T = sleeves.length > 0 ? sleeves[0].returns.length : 0;
  for (const s of sleeves) {
    if (s.returns.length !== T) {
      throw new InputError(`sleeve '${s.id}' has ${s.returns.length} returns, expected ${T} like '${sleeves[0].id}'`);
    }
  }
  const scores = sleeves.map((s) => {
    const v = score(s);
    if (Number.isNaN(v)) throw new InputError(`score of sleeve '${s.id}' is not a number`);
    return v;
  });
  const order = sleeves.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);

  const c = centre(sleeves.map((s) => s.returns));
  const { X } = c;
  const v = variances(c);
  // Same zero-variance test as the allocators: a constant series up to rounding is not a signal.
  const usable = new Uint8Array(sleeves.length);
  for (const i of nonDegenerate(v)) usable[i] = 1;
  const norm = Array.from(v, (x) => Math.sqrt(x * T));
  const corr = (i: number, j: number): number => {
    if (!(usable[i] && usable[j])) return 0;
    let s = 0;
    const oi = i * T;
    const oj = j * T;
    for (let t = 0; t < T; t++) s += X[oi + t] * X[oj + t];
    // Clamp: rounding can give 1 + 1e-16 for identical series.
    return Math.max(-1, Math.min(1, s / (norm[i] * norm[j])));
  };

  const kept: number[] = [];
  const dropped: GovernanceDrop[] = [];
  for (const i of order) {
    let worst = -1;
    let worstCorr = -Infinity;
    for (const k of kept) {
      const r = corr(i, k);
      if (r > threshold && r > worstCorr) {
        worst = k;
        worstCorr = r;
      }
    }
    if (worst >= 0) dropped.push({ id: sleeves[i].id, because: sleeves[worst].id, correlation: worstCorr });
    else kept.push(i);
  }
  return { kept: kept.map((i) => sleeves[i].id), dropped };
}
