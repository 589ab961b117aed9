import type { Panel } from '../domain/types.js';
import { call, type FieldRef, type Node, type SeriesNode } from './ast.js';
import type { IndicatorCache } from './cache.js';
import { fnSpec, isSeriesFn, type ArithFn, type IndicatorFn } from './functions.js';
import { formatRule } from './format.js';
import { indicatorImpl } from './indicators.js';
import { arithCS, arithSC, arithSS } from './kernels-f64.js';

/**
 * Series columns: which ones a rule needs, and how one is computed into the IndicatorCache.
 * Every non-field series node (indicators and arithmetic alike) is cached under its canonical
 * text. Arithmetic is cheap (~0.1 ms per 120k bars) but the grammar only derives a few dozen
 * distinct arithmetic nodes, so caching them costs little memory and makes them free for the
 * workers when a coordinator precomputes them.
 */

/** The cache key of a series expression: its canonical text. */
export function seriesKey(node: SeriesNode): string {
  return formatRule(node);
}

/**
 * The non-field series nodes of a rule, deduplicated by canonical text, in dependency order
 * (every node comes after the series nodes it reads), so computing them in order never recurses.
 */
export function requiredSeries(ast: Node): SeriesNode[] {
  const seen = new Set<string>();
  const out: SeriesNode[] = [];
  const visit = (node: Node): void => {
    if (node.kind !== 'call') return;
    for (const a of node.args) visit(a);
    if (isSeriesFn(node.fn)) {
      const key = formatRule(node);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(node as SeriesNode);
      }
    }
  };
  visit(ast);
  return out;
}

/**
 * The column of a series node for `panel`: a price field straight from the panel, anything else
 * from the cache, computing it (and its missing inputs) first and storing it. Indicators that are
 * computed together (macd, macd_signal, macd_hist; bb_upper, bb_lower; stoch_k, stoch_d) are all
 * stored by one call. `node` must come from a type-checked rule.
 */
export function computeSeries(node: SeriesNode | FieldRef, panel: Panel, cache: IndicatorCache): Float64Array {
  if (node.kind === 'field') return panel[node.field];
  if (!cache.fits(panel)) {
    throw new RangeError(`cache is for ${cache.N}x${cache.T} panels, got ${panel.N}x${panel.T}`);
  }
  const key = formatRule(node);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const spec = fnSpec(node.fn)!;
  if (spec.family === 'arith') {
    const out = cache.allocate();
    const [a, b] = node.args;
    const op = node.fn as ArithFn;
    if (a.kind === 'num') arithCS(op, a.value, operand(b, panel, cache), out);
    else if (b.kind === 'num') arithSC(op, operand(a, panel, cache), b.value, out);
    else arithSS(op, operand(a, panel, cache), operand(b, panel, cache), out);
    cache.set(key, out);
    return out;
  }
  return computeIndicator(node, key, panel, cache);
}

function operand(node: Node, panel: Panel, cache: IndicatorCache): Float64Array {
  return computeSeries(node as SeriesNode | FieldRef, panel, cache);
}

function computeIndicator(node: SeriesNode, key: string, panel: Panel, cache: IndicatorCache): Float64Array {
  const impl = indicatorImpl(node.fn as IndicatorFn);
  let inputs: Float64Array[];
  let params: number[];
  if (impl.ohlc) {
    inputs = [panel.high, panel.low, panel.close];
    params = node.args.map((a) => (a as { value: number }).value);
  } else {
    inputs = [operand(node.args[0], panel, cache)];
    params = node.args.slice(1).map((a) => (a as { value: number }).value);
  }
  const keys = impl.group.map((fn) => (fn === node.fn ? key : formatRule(call(fn, ...node.args))));
  const outs = keys.map(() => cache.allocate());
  impl.compute(inputs, params, outs, panel.N, panel.T);
  let mine: Float64Array | undefined;
  keys.forEach((k, i) => {
    // A sibling computed earlier (possibly a shared column from a coordinator) stays as it is.
    if (!cache.has(k)) cache.set(k, outs[i]);
    if (k === key) mine = cache.get(k);
  });
  return mine!;
}
