import { maxDrawdown } from './metrics.js';

/** Market stress windows reported whenever the data covers them. */
export const STRESS_WINDOWS = [
  { name: '2008 crisis', from: '2007-10-09', to: '2009-03-09' },
  { name: '2020 crash', from: '2020-02-19', to: '2020-03-23' },
  { name: '2022 bear market', from: '2022-01-03', to: '2022-10-12' },
] as const;

export interface StressResult {
  name: string;
  from: string;
  to: string;
  strategyReturn: number;
  benchmarkReturn: number | null;
  maxDrawdown: number;
}

/**
 * Returns over each stress window covered by the dates. `returns[i]` is the return of day dates[i];
 * a window counts as covered when the data starts on or before its first day and ends on or after
 * its last day.
 */
export function stressWindows(dates: readonly string[], returns: ArrayLike<number>, benchmark: ArrayLike<number> | null): StressResult[] {
  const out: StressResult[] = [];
  if (dates.length === 0) return out;
  for (const w of STRESS_WINDOWS) {
    if (dates[0] > w.from || dates[dates.length - 1] < w.to) continue;
    const i0 = dates.findIndex((d) => d >= w.from);
    let i1 = dates.length - 1;
    while (i1 >= 0 && dates[i1] > w.to) i1--;
    if (i0 < 0 || i1 < i0) continue;
    const equity = [1];
    let bench = 1;
    for (let i = i0; i <= i1; i++) {
      equity.push(equity[equity.length - 1] * (1 + returns[i]));
      if (benchmark) bench *= 1 + benchmark[i];
    }
    out.push({
      name: w.name,
      from: w.from,
      to: w.to,
      strategyReturn: equity[equity.length - 1] - 1,
      benchmarkReturn: benchmark ? bench - 1 : null,
      maxDrawdown: maxDrawdown(equity).depth,
    });
  }
  return out;
}
