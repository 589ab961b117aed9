/**
 * Equal-width histogram for the trial-Sharpe distribution. Pure; the bins are computed here
 * rather than in the page so the embedded chart data stays small however many trials there were.
 */

/** Bins of a histogram: `counts[i]` values fell in [edges[i], edges[i + 1]). */
export interface Histogram {
  /** Bin edges, ascending; one more than there are bins. */
  edges: number[];
  /** Bin centres, one per bin (the x values of the bars). */
  centers: number[];
  counts: number[];
}

/**
 * Histogram of the finite values (non-finite ones are ignored: a trial that could not be scored
 * is not evidence either way). The number of bins follows the Freedman–Diaconis rule — robust to
 * the long tails a strategy search produces — clamped to [minBins, maxBins].
 *
 * @returns empty arrays when no value is finite; a single bin when all values are equal.
 */
export function histogram(values: readonly number[], minBins = 10, maxBins = 60): Histogram {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length === 0) return { edges: [], centers: [], counts: [] };
  const lo = xs[0];
  const hi = xs[xs.length - 1];
  if (hi === lo) return { edges: [lo - 0.5, lo + 0.5], centers: [lo], counts: [xs.length] };

  const quantile = (q: number): number => {
    const pos = (xs.length - 1) * q;
    const i = Math.floor(pos);
    return i + 1 < xs.length ? xs[i] + (xs[i + 1] - xs[i]) * (pos - i) : xs[i];
  };
  const iqr = quantile(0.75) - quantile(0.25);
  const fdWidth = (2 * iqr) / Math.cbrt(xs.length);
  const fdBins = fdWidth > 0 ? Math.ceil((hi - lo) / fdWidth) : minBins;
  const bins = Math.min(maxBins, Math.max(minBins, fdBins));

  const width = (hi - lo) / bins;
  // A range so narrow that the bin width underflows to 0 (or so wide it overflows) cannot be
  // split: one bin holds everything.
  if (!(width > 0) || !Number.isFinite(width)) return { edges: [lo, hi], centers: [lo / 2 + hi / 2], counts: [xs.length] };
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  const centers = Array.from({ length: bins }, (_, i) => lo + (i + 0.5) * width);
  const counts = new Array<number>(bins).fill(0);
  for (const x of xs) {
    // The maximum lands exactly on the last edge; it belongs to the last bin.
    counts[Math.min(bins - 1, Math.floor((x - lo) / width))]++;
  }
  return { edges, centers, counts };
}
