/**
 * Proportional allocation of a budget under per-sleeve and per-group (asset) caps: the core of
 * applyConstraints.
 *
 * Given intents r_i ≥ 0, the weights are
 *
 *   w_i = min(c, t_a(i) · r_i),   t_a = min(s, k_a),
 *
 * where c is the sleeve cap, k_a is the scale at which group a's weights sum to its cap C
 * (∞ if the group cannot reach it), and s is the global scale at which Σ w = budget M. So every
 * sleeve keeps its intended proportion to the others unless its own cap or its asset's cap binds,
 * and capital a capped sleeve cannot take flows to the others in proportion to their intents
 * ("water-filling"). If the caps cannot absorb M, every sleeve sits at a cap and the rest is cash.
 *
 * F(s) = Σ_i w_i(s) is continuous, non-decreasing and piecewise linear with breakpoints at c/r_i
 * and k_a, so s is found exactly: binary search over the sorted breakpoints, then linear
 * interpolation inside the bracketing segment. O(N log N).
 */

export interface CapProblem {
  /** Intents, ≥ 0 (any scale). */
  intent: Float64Array;
  /** Group (asset) index of each sleeve, 0..groupCount-1. */
  groupOf: Int32Array;
  groupCount: number;
  sleeveCap: number;
  groupCap: number;
  budget: number;
}

export interface CapFill {
  weights: Float64Array;
  /** Global scale s (Infinity when the caps cannot absorb the whole budget). */
  scale: number;
  /** k_a per group (Infinity when the group cannot reach its cap). */
  groupScale: Float64Array;
}

export function capFill(p: CapProblem): CapFill {
  const { intent: r, groupOf, groupCount, sleeveCap: c, groupCap: C, budget: M } = p;
  const n = r.length;
  const groupScale = groupScales(p);
  const weightsAt = (s: number, out: Float64Array): number => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const ri = r[i];
      if (!(ri > 0)) {
        out[i] = 0;
        continue;
      }
      const wi = Math.min(c, Math.min(s, groupScale[groupOf[i]]) * ri);
      out[i] = wi;
      total += wi;
    }
    return total;
  };

  const breaks: number[] = [];
  for (let i = 0; i < n; i++) if (r[i] > 0) breaks.push(c / r[i]);
  for (let a = 0; a < groupCount; a++) if (Number.isFinite(groupScale[a])) breaks.push(groupScale[a]);
  const weights = new Float64Array(n);
  // No positive intent: nothing can absorb the budget, which is the saturated case (scale ∞).
  if (breaks.length === 0) return { weights, scale: Infinity, groupScale };
  if (!(M > 0)) return { weights, scale: 0, groupScale };
  breaks.sort((x, y) => x - y);

  const tmp = new Float64Array(n);
  const top = breaks[breaks.length - 1];
  let scale: number;
  if (weightsAt(top, tmp) <= M) {
    // Every sleeve is at its own or its asset's cap: the caps hold less than the budget.
    scale = Infinity;
  } else {
    let lo = 0;
    let hi = breaks.length - 1; // invariant: F(breaks[hi]) > M
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (weightsAt(breaks[mid], tmp) >= M) hi = mid;
      else lo = mid + 1;
    }
    const b0 = hi > 0 ? breaks[hi - 1] : 0;
    scale = solveInSegment(p, groupScale, b0) ?? breaks[hi];
  }
  weightsAt(scale, weights);
  tidy(weights, groupOf, groupCount, c, C, M);
  return { weights, scale, groupScale };
}

/**
 * On the segment (b0, b1] between consecutive breakpoints every sleeve is either fixed (at its
 * cap, or in a group already held at its cap) or free (weight s·r_i), so F(s) = fixed + s·freeR
 * and s = (M - fixed) / freeR. Solving it this way, rather than interpolating F between the
 * segment ends, avoids subtracting nearly equal totals when the free intents are tiny.
 */
function solveInSegment(p: CapProblem, groupScale: Float64Array, b0: number): number | undefined {
  const { intent: r, groupOf, sleeveCap: c, budget: M } = p;
  let fixed = 0;
  let freeR = 0;
  for (let i = 0; i < r.length; i++) {
    const ri = r[i];
    if (!(ri > 0)) continue;
    const k = groupScale[groupOf[i]];
    if (k <= b0) fixed += Math.min(c, k * ri);
    else if (c / ri <= b0) fixed += c;
    else freeR += ri;
  }
  return freeR > 0 ? (M - fixed) / freeR : undefined;
}

/** k_a: the scale t with Σ_{i∈a} min(c, t r_i) = C, or Infinity if the group's sleeves cannot
 *  reach C even all at the sleeve cap. Solved by capping the largest intents one at a time. */
function groupScales(p: CapProblem): Float64Array {
  const { intent: r, groupOf, groupCount, sleeveCap: c, groupCap: C } = p;
  const members: number[][] = Array.from({ length: groupCount }, () => []);
  for (let i = 0; i < r.length; i++) if (r[i] > 0) members[groupOf[i]].push(r[i]);
  const k = new Float64Array(groupCount).fill(Infinity);
  for (let a = 0; a < groupCount; a++) {
    const m = members[a];
    if (m.length * c <= C) continue;
    m.sort((x, y) => y - x);
    // Suffix sums accumulated from the smallest intent: subtracting large intents from a running
    // total would lose the small ones to cancellation.
    const rest = new Float64Array(m.length + 1);
    for (let j = m.length - 1; j >= 0; j--) rest[j] = rest[j + 1] + m[j];
    for (let j = 0; j < m.length; j++) {
      // j largest sleeves at c, the rest at t·r: C = j c + t · rest.
      const t = (C - j * c) / rest[j];
      if (t * m[j] <= c) {
        k[a] = t;
        break;
      }
    }
  }
  return k;
}

/** Removes rounding overshoot (~1e-16) so the caps hold exactly; each step only lowers weights,
 *  so it cannot undo an earlier one. */
function tidy(w: Float64Array, groupOf: Int32Array, groupCount: number, c: number, C: number, M: number): void {
  for (let i = 0; i < w.length; i++) if (w[i] > c) w[i] = c;
  const g = new Float64Array(groupCount);
  for (let i = 0; i < w.length; i++) g[groupOf[i]] += w[i];
  for (let i = 0; i < w.length; i++) if (g[groupOf[i]] > C) w[i] *= C / g[groupOf[i]];
  let total = 0;
  for (const x of w) total += x;
  if (total > M) for (let i = 0; i < w.length; i++) w[i] *= M / total;
}
