import type { Panel } from '../domain/types.js';

export interface LookaheadResult {
  passed: boolean;
  /** What was checked, or the first difference: the rule and the date. */
  detail: string;
  cutoffs: number;
}

/** The panel as it was known at the close of day `last` (inclusive): every later bar removed. */
export function truncatePanel(panel: Panel, last: number): Panel {
  const { N, T } = panel;
  const T2 = last + 1;
  const cut = (x: Float64Array) => {
    const out = new Float64Array(N * T2);
    for (let a = 0; a < N; a++) out.set(x.subarray(a * T, a * T + T2), a * T2);
    return out;
  };
  return {
    symbols: panel.symbols,
    dates: panel.dates.slice(0, T2),
    N,
    T: T2,
    open: cut(panel.open),
    high: cut(panel.high),
    low: cut(panel.low),
    close: cut(panel.close),
    volume: cut(panel.volume),
  };
}

/**
 * Recompute positions on data cut off at many dates and compare them with the positions computed
 * on the full data, day by day up to each cutoff. A position that changes when the future is
 * removed read the future. `positionsOf` must evaluate from scratch (no cache shared across panels).
 */
export function checkLookahead(
  label: string,
  positionsOf: (panel: Panel) => Int8Array,
  panel: Panel,
  opts: { start: number; cutoffs: number },
): LookaheadResult {
  const full = positionsOf(panel);
  const { N, T } = panel;
  const span = T - 1 - opts.start;
  const count = Math.max(1, Math.min(opts.cutoffs, span));
  const cuts = new Set<number>();
  for (let k = 1; k <= count; k++) cuts.add(opts.start + Math.floor((span * k) / (count + 1)));
  for (const last of [...cuts].sort((a, b) => a - b)) {
    const partial = positionsOf(truncatePanel(panel, last));
    const T2 = last + 1;
    for (let t = 0; t < T2; t++) {
      for (let a = 0; a < N; a++) {
        if (partial[a * T2 + t] !== full[a * T + t]) {
          return {
            passed: false,
            detail: `${label}: the position of ${panel.symbols[a]} on ${panel.dates[t]} is ${partial[a * T2 + t]} with data up to ${panel.dates[last]} but ${full[a * T + t]} with the full data: the rule reads bars after the decision day`,
            cutoffs: cuts.size,
          };
        }
      }
    }
  }
  return { passed: true, detail: `${label}: positions identical with data cut off at ${cuts.size} dates`, cutoffs: cuts.size };
}
