import { ROC } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import type { Panel } from '../../src/domain/types.js';
import { call, field, num, type Node, type SeriesNode } from '../../src/strategy/ast.js';
import { IndicatorCache } from '../../src/strategy/cache.js';
import { compileAst } from '../../src/strategy/compile.js';
import { formatRule } from '../../src/strategy/format.js';
import type { IndicatorFn } from '../../src/strategy/functions.js';
import { computeSeries } from '../../src/strategy/series.js';
import { same, syntheticPanel, truncatePanel } from './helpers/panel.js';
import * as ref from './helpers/ref-indicators.js';

const T = 400;
const panel = syntheticPanel(11, 3, T, { maxListing: 60, holeRate: 0.006 });
const close = field('close');
const volume = field('volume');
// Has NaN inside runs wherever volume goes 0 -> 0 (0/0): exercises run splitting of inner inputs.
const volRoc = call('roc', volume, num(1));

type Ref = (inputs: number[][], params: number[]) => number[];

interface Case {
  fn: IndicatorFn;
  /** Series input (none for the high/low/close indicators). */
  input?: Node;
  params: number[];
  ref: Ref;
  /** Absolute tolerance added to the relative one (RSI is rounded to 2 decimals by the library). */
  abs?: number;
}

const one = (f: (x: number[], ...p: number[]) => number[]): Ref => ([x], p) => f(x, ...p);
const hlc = (f: (h: number[], l: number[], c: number[], ...p: number[]) => number[]): Ref => ([h, l, c], p) => f(h, l, c, ...p);

const cases: Case[] = [
  ...[1, 2, 5, 20, 50].map((n): Case => ({ fn: 'sma', input: close, params: [n], ref: one(ref.refSma) })),
  { fn: 'sma', input: volRoc, params: [5], ref: one(ref.refSma) },
  ...[1, 2, 10, 30].map((n): Case => ({ fn: 'ema', input: close, params: [n], ref: one(ref.refEma) })),
  { fn: 'ema', input: volume, params: [7], ref: one(ref.refEma) },
  ...[1, 2, 14, 30].map((n): Case => ({ fn: 'rsi', input: close, params: [n], ref: one(ref.refRsi), abs: 0.0051 })),
  ...[1, 10, 60].map((n): Case => ({ fn: 'roc', input: close, params: [n], ref: one(ref.refRoc) })),
  { fn: 'roc', input: volume, params: [3], ref: one(ref.refRoc) },
  ...[1, 2, 20].map((n): Case => ({ fn: 'stdev', input: close, params: [n], ref: one(ref.refStdev) })),
  { fn: 'stdev', input: volRoc, params: [10], ref: one(ref.refStdev) },
  ...[1, 3, 20].map((n): Case => ({ fn: 'highest', input: close, params: [n], ref: one((x, m) => ref.refExtreme(x, m, true)) })),
  ...[1, 3, 20].map((n): Case => ({ fn: 'lowest', input: field('low'), params: [n], ref: one((x, m) => ref.refExtreme(x, m, false)) })),
  ...[
    [12, 26, 9],
    [3, 10, 4],
    [1, 2, 1],
  ].flatMap((p): Case[] => [
    { fn: 'macd', input: close, params: p, ref: one((x, f, s, g) => ref.refMacd(x, f, s, g).line) },
    { fn: 'macd_signal', input: close, params: p, ref: one((x, f, s, g) => ref.refMacd(x, f, s, g).signal) },
    { fn: 'macd_hist', input: close, params: p, ref: one((x, f, s, g) => ref.refMacd(x, f, s, g).hist) },
  ]),
  ...[
    [20, 2],
    [5, 1.5],
    [1, 2],
  ].flatMap((p): Case[] => [
    { fn: 'bb_upper', input: close, params: p, ref: one((x, n, k) => ref.refBollinger(x, n, k).upper) },
    { fn: 'bb_lower', input: close, params: p, ref: one((x, n, k) => ref.refBollinger(x, n, k).lower) },
  ]),
  ...[1, 2, 14, 30].map((n): Case => ({ fn: 'atr', params: [n], ref: hlc(ref.refAtr) })),
  ...[2, 7, 14, 28].map((n): Case => ({ fn: 'adx', params: [n], ref: hlc(ref.refAdx) })),
  ...[
    [14, 3],
    [5, 1],
    [1, 2],
    [20, 5],
  ].flatMap((p): Case[] => [
    { fn: 'stoch_k', params: p, ref: hlc((h, l, c, n, s) => ref.refStoch(h, l, c, n, s).k) },
    { fn: 'stoch_d', params: p, ref: hlc((h, l, c, n, s) => ref.refStoch(h, l, c, n, s).d) },
  ]),
];

function nodeOf(c: Case): SeriesNode {
  const args: Node[] = c.input ? [c.input, ...c.params.map(num)] : c.params.map(num);
  const node = call(c.fn, ...args) as SeriesNode;
  // Every case must be a legal expression of the language.
  expect(compileAst(call('gt', node, num(0))).ok).toBe(true);
  return node;
}

function inputColumns(c: Case, p: Panel, cache: IndicatorCache): Float64Array[] {
  return c.input ? [computeSeries(c.input as SeriesNode, p, cache)] : [p.high, p.low, p.close];
}

/** Maximal NaN-free runs [start, end) of asset a (absolute indices), found independently of src. */
function runsOf(cols: Float64Array[], a: number, Tn: number): [number, number][] {
  const runs: [number, number][] = [];
  let start = -1;
  for (let t = 0; t <= Tn; t++) {
    const ok = t < Tn && cols.every((c) => !Number.isNaN(c[a * Tn + t]));
    if (ok && start < 0) start = t;
    if (!ok && start >= 0) {
      runs.push([a * Tn + start, a * Tn + t]);
      start = -1;
    }
  }
  return runs;
}

describe('indicator columns equal textbook references, bar by bar (values and alignment)', () => {
  for (const c of cases) {
    it(`${c.fn}(${c.input ? formatRule(c.input) + ',' : ''}${c.params.join(',')})`, () => {
      const cache = new IndicatorCache(panel);
      const node = nodeOf(c);
      const col = computeSeries(node, panel, cache);
      const inputs = inputColumns(c, panel, cache);
      let checked = 0;
      for (let a = 0; a < panel.N; a++) {
        const covered = new Uint8Array(T);
        for (const [s, e] of runsOf(inputs, a, T)) {
          const runIn = inputs.map((x) => Array.from(x.subarray(s, e)));
          const want = c.ref(runIn, c.params);
          for (let j = 0; j < e - s; j++) {
            covered[s - a * T + j] = 1;
            const got = col[s + j];
            const exp = want[j];
            if (Number.isNaN(exp)) {
              expect(got, `bar ${s + j}: warm-up must be NaN`).toBeNaN();
            } else {
              const tol = 1e-9 * Math.max(1, Math.abs(exp)) + (c.abs ?? 0);
              expect(Math.abs(got - exp), `bar ${s + j}: got ${got}, want ${exp}`).toBeLessThanOrEqual(tol);
              checked++;
            }
          }
        }
        for (let t = 0; t < T; t++) if (!covered[t]) expect(col[a * T + t]).toBeNaN();
      }
      expect(checked).toBeGreaterThan(100);
    });
  }
});

describe('causality: computing on data cut at day k gives the same values up to k', () => {
  for (const c of cases) {
    it(`${c.fn}(${c.params.join(',')})`, () => {
      const node = nodeOf(c);
      const full = computeSeries(node, panel, new IndicatorCache(panel));
      for (const k of [37, 150, 281, 399]) {
        const cut = truncatePanel(panel, k);
        const part = computeSeries(node, cut, new IndicatorCache(cut));
        for (let a = 0; a < panel.N; a++) {
          for (let t = 0; t < k; t++) {
            const x = full[a * T + t];
            const y = part[a * k + t];
            if (!same(x, y)) expect.fail(`asset ${a} day ${t} (cut at ${k}): ${x} vs ${y}`);
          }
        }
      }
    });
  }
});

describe('lag, holes and siblings', () => {
  it('lag(s, n) is s n bars earlier on the same asset, NaN before the asset starts', () => {
    const cache = new IndicatorCache(panel);
    for (const n of [1, 3, 50]) {
      const col = computeSeries(call('lag', close, num(n)) as SeriesNode, panel, cache);
      for (let a = 0; a < panel.N; a++) {
        for (let t = 0; t < T; t++) {
          const want = t >= n ? panel.close[a * T + t - n] : NaN;
          expect(same(col[a * T + t], want)).toBe(true);
        }
      }
    }
  });

  it('an indicator restarts its warm-up after a hole instead of reading across it', () => {
    const p = syntheticPanel(1, 1, 30, { holeRate: 0 });
    p.close[10] = NaN;
    const col = computeSeries(call('sma', close, num(3)) as SeriesNode, p, new IndicatorCache(p));
    expect(col[9]).toBeCloseTo((p.close[7] + p.close[8] + p.close[9]) / 3, 12);
    expect(Number.isNaN(col[10]) && Number.isNaN(col[11]) && Number.isNaN(col[12])).toBe(true);
    expect(col[13]).toBeCloseTo((p.close[11] + p.close[12] + p.close[13]) / 3, 12);
  });

  it('roc equals the library ROC where no base is zero (same formula, our own loop)', () => {
    const p = syntheticPanel(5, 1, 300, { holeRate: 0 });
    const col = computeSeries(call('roc', close, num(10)) as SeriesNode, p, new IndicatorCache(p));
    const lib = ROC.calculate({ period: 10, values: Array.from(p.close) });
    expect(lib.length).toBe(290);
    lib.forEach((v, j) => expect(col[10 + j]).toBe(v));
  });

  it('macd, macd_signal and macd_hist are computed and cached together', () => {
    const cache = new IndicatorCache(panel);
    computeSeries(call('macd_signal', close, num(12), num(26), num(9)) as SeriesNode, panel, cache);
    expect([...cache.keys()].sort()).toEqual(['macd(close,12,26,9)', 'macd_hist(close,12,26,9)', 'macd_signal(close,12,26,9)']);
  });
});
