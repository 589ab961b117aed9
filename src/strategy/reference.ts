import type { Panel } from '../domain/types.js';
import type { Call, Node, SeriesNode } from './ast.js';
import type { IndicatorCache } from './cache.js';
import type { CompiledRule } from './compile.js';
import { computeSeries } from './series.js';

/**
 * Reference evaluator: walks the tree recursively for every (asset, day), in scalar code written
 * straight from the language definition. Indicator values (except lag) are read from the same
 * IndicatorCache as the fast path; arithmetic, lag, comparisons, crosses, logic and latch are
 * computed here, independently of the vectorised kernels. Slow by design; tests and benchmarks
 * check that evaluatePositions gives exactly the same positions.
 */
export function referencePositions(rule: CompiledRule, panel: Panel, cache: IndicatorCache): Int8Array {
  const { N, T } = panel;
  const out = new Int8Array(N * T);
  const columns = new Map<Node, Float64Array>();

  const seriesAt = (node: Node, a: number, t: number): number => {
    if (node.kind === 'num') return node.value;
    if (node.kind === 'field') return panel[node.field][a * T + t];
    const [x, y] = node.args;
    switch (node.fn) {
      case 'add':
        return seriesAt(x, a, t) + seriesAt(y, a, t);
      case 'sub':
        return seriesAt(x, a, t) - seriesAt(y, a, t);
      case 'mul':
        return seriesAt(x, a, t) * seriesAt(y, a, t);
      case 'div': {
        const num = seriesAt(x, a, t);
        const den = seriesAt(y, a, t);
        return den === 0 ? NaN : num / den;
      }
      case 'lag': {
        const n = (y as { value: number }).value;
        return t - n < 0 ? NaN : seriesAt(x, a, t - n);
      }
      default: {
        let col = columns.get(node);
        if (col === undefined) columns.set(node, (col = computeSeries(node as SeriesNode, panel, cache)));
        return col[a * T + t];
      }
    }
  };

  // Three-valued results: 1 true, 0 false, -1 unknown.
  const compare = (greater: boolean, x: number, y: number): number => {
    if (Number.isNaN(x) || Number.isNaN(y)) return -1;
    return (greater ? x > y : x < y) ? 1 : 0;
  };

  const boolAt = (node: Node, a: number, t: number, latches: Map<Node, number>): number => {
    const c = node as Call;
    const [x, y] = c.args;
    switch (c.fn) {
      case 'gt':
      case 'lt':
        return compare(c.fn === 'gt', seriesAt(x, a, t), seriesAt(y, a, t));
      case 'cross_above':
      case 'cross_below': {
        if (t === 0) return -1; // yesterday is not this asset's
        const a0 = seriesAt(x, a, t);
        const b0 = seriesAt(y, a, t);
        const a1 = seriesAt(x, a, t - 1);
        const b1 = seriesAt(y, a, t - 1);
        if (Number.isNaN(a0) || Number.isNaN(b0) || Number.isNaN(a1) || Number.isNaN(b1)) return -1;
        if (c.fn === 'cross_above') return a0 > b0 && a1 <= b1 ? 1 : 0;
        return a0 < b0 && a1 >= b1 ? 1 : 0;
      }
      case 'and':
      case 'or': {
        // Both sides always evaluated: a latch below must see every day.
        const p = boolAt(x, a, t, latches);
        const q = boolAt(y, a, t, latches);
        if (p < 0 || q < 0) return -1;
        return c.fn === 'and' ? (p === 1 && q === 1 ? 1 : 0) : p === 1 || q === 1 ? 1 : 0;
      }
      case 'not': {
        const p = boolAt(x, a, t, latches);
        return p < 0 ? -1 : 1 - p;
      }
      case 'latch': {
        const on = boolAt(x, a, t, latches);
        const off = boolAt(y, a, t, latches);
        if (on < 0 || off < 0) return -1;
        let state = latches.get(node) ?? 0;
        if (on === 1) state = 1;
        else if (off === 1) state = 0;
        latches.set(node, state);
        return state;
      }
      default:
        throw new Error(`not a bool node: ${c.fn}`);
    }
  };

  for (let a = 0; a < N; a++) {
    const latches = new Map<Node, number>(); // every latch starts false on each asset
    for (let t = 0; t < T; t++) {
      let pos: number;
      if (rule.type === 'bool') {
        pos = boolAt(rule.ast, a, t, latches) === 1 ? 1 : 0;
      } else {
        const [l, s] = (rule.ast as Call).args;
        const long = boolAt(l, a, t, latches);
        const short = boolAt(s, a, t, latches);
        pos = long === 1 ? 1 : short === 1 ? -1 : 0;
      }
      out[a * T + t] = pos;
    }
  }
  return out;
}
