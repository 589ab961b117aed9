/**
 * Indicators are computed per asset over each maximal run of bars where all their inputs are
 * defined (not NaN). The last run is "the maximal tail segment without NaN"; earlier runs (before
 * a hole in the data, or before a NaN an inner expression produced) are computed the same way,
 * independently, and every run starts with its own warm-up. Computing run by run, instead of only
 * over the tail, keeps indicators causal: a value never depends on whether a hole comes later.
 */

/**
 * Call `fn(start, end)` for every maximal run [start, end) of absolute indices within one asset
 * segment where every column in `inputs` is non-NaN. Runs never span two assets.
 */
export function forEachRun(
  inputs: readonly Float64Array[],
  N: number,
  T: number,
  fn: (start: number, end: number) => void,
): void {
  const k = inputs.length;
  for (let a = 0; a < N; a++) {
    const base = a * T;
    const stop = base + T;
    let i = base;
    while (i < stop) {
      while (i < stop && !allDefined(inputs, k, i)) i++;
      if (i >= stop) break;
      const start = i;
      while (i < stop && allDefined(inputs, k, i)) i++;
      fn(start, i);
    }
  }
}

function allDefined(inputs: readonly Float64Array[], k: number, i: number): boolean {
  for (let j = 0; j < k; j++) {
    const v = inputs[j][i];
    if (v !== v) return false;
  }
  return true;
}
