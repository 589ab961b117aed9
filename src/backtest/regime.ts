import type { Panel } from '../domain/types.js';

export interface RegimeFilter {
  /** Closes of the benchmark on the panel's calendar (NaN where it has no bar). */
  benchmarkClose: Float64Array;
  period: number;
  /** Index in the panel of the defensive asset that takes the freed weight, or -1 for cash. */
  defensive: number;
}

/**
 * Exposure only while the benchmark closes above its N-day moving average; otherwise the day's
 * gross weight goes to the defensive asset (or stays in cash). Uses closes up to the decision day
 * only. Modifies `targets` (asset-major N*T) in place.
 */
export function applyRegimeFilter(targets: Float64Array, panel: Panel, f: RegimeFilter): void {
  const { N, T } = panel;
  const bc = f.benchmarkClose;
  let sum = 0;
  let count = 0;
  const window: number[] = [];
  for (let t = 0; t < T; t++) {
    const c = bc[t];
    if (c === c) {
      window.push(c);
      sum += c;
      count++;
      if (window.length > f.period) {
        sum -= window.shift()!;
        count--;
      }
    }
    const on = c === c && count === f.period && c > sum / count;
    if (on) continue;
    let gross = 0;
    for (let a = 0; a < N; a++) {
      const w = targets[a * T + t];
      gross += w < 0 ? -w : w;
      targets[a * T + t] = 0;
    }
    if (f.defensive >= 0) targets[f.defensive * T + t] = Math.min(1, gross);
  }
}
