/**
 * Daily returns of a constant-weight portfolio rebalanced daily, the uninvested remainder held as
 * cash earning 0: r_p[t] = Σ_i w_i r_i[t]. Pass `out` to reuse a buffer (evolveWeights does).
 */
export function portfolioReturns(
  returns: readonly Float64Array[],
  weights: readonly number[],
  out?: Float64Array,
): Float64Array {
  if (weights.length !== returns.length) {
    throw new RangeError(`portfolioReturns: ${weights.length} weights for ${returns.length} sleeves`);
  }
  const T = returns.length === 0 ? (out?.length ?? 0) : returns[0].length;
  const res = out ?? new Float64Array(T);
  if (res.length !== T) throw new RangeError(`portfolioReturns: output has length ${res.length}, need ${T}`);
  res.fill(0);
  // Zero weights (common after minWeight and in sparse candidates) cost nothing.
  const idx: number[] = [];
  for (let i = 0; i < weights.length; i++) if (weights[i] !== 0) idx.push(i);
  // Four sleeves per pass over the days: the output is read and written a quarter as often as
  // with one sleeve per pass, which is what bounds this loop (~3x faster at N = 50, T = 5000).
  let k = 0;
  for (; k + 3 < idx.length; k += 4) {
    const a = returns[idx[k]];
    const b = returns[idx[k + 1]];
    const c = returns[idx[k + 2]];
    const d = returns[idx[k + 3]];
    const wa = weights[idx[k]];
    const wb = weights[idx[k + 1]];
    const wc = weights[idx[k + 2]];
    const wd = weights[idx[k + 3]];
    for (let t = 0; t < T; t++) res[t] += wa * a[t] + wb * b[t] + wc * c[t] + wd * d[t];
  }
  for (; k < idx.length; k++) {
    const r = returns[idx[k]];
    const w = weights[idx[k]];
    for (let t = 0; t < T; t++) res[t] += w * r[t];
  }
  return res;
}
