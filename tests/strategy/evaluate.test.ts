import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/domain/rng.js';
import type { Panel } from '../../src/domain/types.js';
import { IndicatorCache } from '../../src/strategy/cache.js';
import { compileAst, compileRule, type CompiledRule } from '../../src/strategy/compile.js';
import { evaluatePositions, memoiseComparisons } from '../../src/strategy/evaluate.js';
import { boolBufOf, daySegments, isSharedBool, newSharedBoolBuf } from '../../src/strategy/kernels-bool.js';
import { acquireBool, releaseBool } from '../../src/strategy/pool.js';
import { BoolMemo } from '../../src/strategy/memo.js';
import { referencePositions } from '../../src/strategy/reference.js';
import { syntheticPanel, truncatePanel } from './helpers/panel.js';
import { randomRule } from './helpers/random-rules.js';

const compile = (text: string): CompiledRule => {
  const r = compileRule(text);
  if (!r.ok) throw new Error(r.error);
  return r.rule;
};

/** A panel from explicit per-asset close series (open = high = low = close, volume 1). */
function panelOf(closes: number[][]): Panel {
  const N = closes.length;
  const T = closes[0].length;
  const col = new Float64Array(N * T);
  closes.forEach((row, a) => row.forEach((v, t) => (col[a * T + t] = v)));
  return {
    symbols: closes.map((_, a) => `S${a}`),
    dates: Array.from({ length: T }, (_, t) => `D${t}`),
    N,
    T,
    open: col,
    high: col,
    low: col,
    close: col,
    volume: new Float64Array(N * T).fill(1),
  };
}

const positions = (text: string, p: Panel, memo?: BoolMemo): number[] =>
  Array.from(evaluatePositions(compile(text), p, new IndicatorCache(p), memo));

describe('fast path equals the reference evaluator', () => {
  // T = 301 and N = 3: asset starts and the total length are not multiples of 4, which exercises
  // the unaligned head and tail bars of the word kernels.
  const panel = syntheticPanel(2024, 3, 301, { maxListing: 80, holeRate: 0.01 });

  it('on 600 random rules, without a memo, with a tiny memo and with a large one', () => {
    const rng = Rng.seeded(7);
    const cache = new IndicatorCache(panel);
    // 903 bars: a column takes 904 bytes, its planes 2 x 29 words = 232 bytes.
    const small = new BoolMemo({ maxBytes: 5 * 904, maxBitBytes: 5 * 232 }); // 5 of each: constant eviction
    const large = new BoolMemo();
    const comparisons = new BoolMemo({ maxBitBytes: 0 }); // columns only: planes packed for each rule
    let active = 0;
    for (let i = 0; i < 600; i++) {
      const compiled = compileAst(randomRule(rng, 1 + (i % 4)));
      if (!compiled.ok) throw new Error(compiled.error);
      const rule = compiled.rule;
      const want = referencePositions(rule, panel, cache);
      const plain = evaluatePositions(rule, panel, cache);
      if (!buffersEqual(plain, want)) expect.fail(`fast path differs from reference on ${rule.text}`);
      for (const memo of [small, large, large, comparisons]) {
        const got = evaluatePositions(rule, panel, cache, memo);
        if (!buffersEqual(got, want)) expect.fail(`memoised fast path differs on ${rule.text}`);
      }
      if (want.some((v) => v !== 0)) active++;
    }
    // The generated rules are not degenerate: most of them take positions somewhere.
    expect(active).toBeGreaterThan(350);
    expect(large.stats().hits).toBeGreaterThan(600);
    expect(comparisons.stats().hits).toBeGreaterThan(100);
    expect(small.stats().evictions).toBeGreaterThan(100);
  });

  it('on the same rules evaluated on data cut at day k (whole-rule causality)', () => {
    const rng = Rng.seeded(99);
    const fullCache = new IndicatorCache(panel);
    for (const k of [60, 173, 299]) {
      const cut = truncatePanel(panel, k);
      const cutCache = new IndicatorCache(cut);
      for (let i = 0; i < 60; i++) {
        const compiled = compileAst(randomRule(rng, 3));
        if (!compiled.ok) throw new Error(compiled.error);
        const full = evaluatePositions(compiled.rule, panel, fullCache);
        const part = evaluatePositions(compiled.rule, cut, cutCache);
        for (let a = 0; a < panel.N; a++) {
          for (let t = 0; t < k; t++) {
            if (full[a * panel.T + t] !== part[a * k + t]) {
              expect.fail(`${compiled.rule.text}: asset ${a} day ${t} differs when the data ends at day ${k}`);
            }
          }
        }
      }
    }
  });
});

function buffersEqual(a: Int8Array, b: Int8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

describe('semantics', () => {
  it('gives no position during indicator warm-up, whatever the logic on top', () => {
    const p = syntheticPanel(3, 2, 120, { holeRate: 0, maxListing: 30 });
    for (const text of ['lt(rsi(close, 14), 101)', 'not(gt(close, sma(close, 50)))', 'or(gt(close, 0), gt(sma(close, 50), 0))']) {
      const pos = evaluatePositions(compile(text), p, new IndicatorCache(p));
      for (let a = 0; a < p.N; a++) {
        let first = 0;
        while (Number.isNaN(p.close[a * p.T + first])) first++;
        const warm = text.includes('rsi') ? 14 : 49;
        for (let t = 0; t < first + warm; t++) expect(pos[a * p.T + t], `${text} asset ${a} day ${t}`).toBe(0);
        expect(pos[a * p.T + first + warm + 5]).toBe(text.startsWith('not') ? pos[a * p.T + first + warm + 5] : 1);
      }
    }
  });

  it('unknown is strict: or(true, unknown) and and(false, unknown) give no position', () => {
    const p = panelOf([[1, 2, 3, 4, 5]]);
    expect(positions('or(gt(close, 0), gt(lag(close, 2), 0))', p)).toEqual([0, 0, 1, 1, 1]);
    expect(positions('not(and(gt(close, 10), gt(lag(close, 2), 0)))', p)).toEqual([0, 0, 1, 1, 1]);
  });

  it('division by zero is unknown', () => {
    const p = panelOf([[0, 1, 0, 2]]);
    expect(positions('lt(div(1, close), 100)', p)).toEqual([0, 1, 0, 1]);
    expect(positions('gt(div(close, sub(close, close)), 0)', p)).toEqual([0, 0, 0, 0]);
  });

  it('cross_above is true on the day a goes from <= b to > b; cross_below mirrors it', () => {
    const p = panelOf([[1, 3, 3, 2, 5, 5, 1]]);
    expect(positions('cross_above(close, 2.5)', p)).toEqual([0, 1, 0, 0, 1, 0, 0]);
    expect(positions('cross_below(close, 2.5)', p)).toEqual([0, 0, 0, 1, 0, 0, 1]);
    // Equality counts as "not above": 2 -> 2 -> 3 crosses 2 on the third day only.
    expect(positions('cross_above(close, 2)', panelOf([[2, 2, 3]]))).toEqual([0, 0, 1]);
    expect(positions('cross_above(2, close)', panelOf([[3, 2, 1]]))).toEqual([0, 0, 1]);
  });

  it('latch turns on with `on`, off with `off` (on wins), holds otherwise, starts false', () => {
    const p = panelOf([[0, 5, 1, 0, 9, 5, 1, 1]]);
    // on: close > 4; off: close < 1
    expect(positions('latch(gt(close, 4), lt(close, 1))', p)).toEqual([0, 1, 1, 0, 1, 1, 1, 1]);
    // on and off the same day: on wins.
    expect(positions('latch(gt(close, 4), gt(close, 2))', p)).toEqual([0, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('latch outputs unknown on a day with an unknown input and keeps its state through it', () => {
    const p = panelOf([[5, 2, NaN, 2, 0, NaN, 2]]);
    expect(positions('latch(gt(close, 4), lt(close, 1))', p)).toEqual([1, 1, 0, 1, 0, 0, 0]);
  });

  it('long_short: +1 when long, -1 when short and not long, 0 otherwise (unknown gives 0)', () => {
    // long: close > 2; short: close < 4 (both true at 3: long wins); unknown at NaN.
    const p = panelOf([[1, 3, 5, NaN, 1]]);
    expect(positions('long_short(gt(close, 2), lt(close, 4))', p)).toEqual([-1, 1, 1, 0, -1]);
    // Day 0: long unknown (lag warm-up) and short true gives short; short unknown and long false
    // gives flat.
    const q = panelOf([[1, 1, 5]]);
    expect(positions('long_short(gt(lag(close, 1), 2), lt(close, 4))', q)).toEqual([-1, -1, 0]);
    expect(positions('long_short(gt(close, 2), lt(lag(close, 1), 4))', q)).toEqual([0, -1, 1]);
  });
});

describe('previous-bar references never cross from one asset into the next', () => {
  // Asset 0 ends high, asset 1 starts low and rises: reading across the boundary would fire.
  const p = panelOf([
    [1, 1, 1, 9],
    [1, 2, 3, 4],
  ]);

  it('cross_* is unknown on each asset’s first day', () => {
    expect(positions('cross_below(close, 5)', p)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(positions('not(cross_below(close, 5))', p)).toEqual([0, 1, 1, 1, 0, 1, 1, 1]);
  });

  it('lag reads NaN before the asset’s first day', () => {
    expect(positions('gt(lag(close, 1), 0)', p)).toEqual([0, 1, 1, 1, 0, 1, 1, 1]);
    expect(positions('gt(lag(close, 3), 0)', p)).toEqual([0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('latch state starts false again on each asset', () => {
    expect(positions('latch(gt(close, 5), lt(close, 0))', p)).toEqual([0, 0, 0, 1, 0, 0, 0, 0]);
  });

  it('the same holds for the reference evaluator', () => {
    for (const text of ['cross_below(close, 5)', 'gt(lag(close, 1), 0)', 'latch(gt(close, 5), lt(close, 0))']) {
      const rule = compile(text);
      expect(Array.from(referencePositions(rule, p, new IndicatorCache(p)))).toEqual(positions(text, p));
    }
  });
});

describe('evaluating the first days of each asset only', () => {
  const panel = syntheticPanel(77, 3, 301, { maxListing: 80, holeRate: 0.01 });

  it('gives the full evaluation\'s positions on those days, for any rule, memo and number of days', () => {
    const rng = Rng.seeded(21);
    const cache = new IndicatorCache(panel);
    const memos = [undefined, new BoolMemo(), new BoolMemo({ maxBytes: 3 * 904, maxBitBytes: 3 * 232 })];
    for (let i = 0; i < 300; i++) {
      const compiled = compileAst(randomRule(rng, 1 + (i % 4)));
      if (!compiled.ok) throw new Error(compiled.error);
      const rule = compiled.rule;
      const full = referencePositions(rule, panel, cache);
      for (const memo of memos) {
        for (const days of [0, 1, 3, 4, 150, 209, 300, 301]) {
          // A buffer full of garbage: nothing before `days` may keep it.
          const out = new Int8Array(panel.N * panel.T).fill(7);
          evaluatePositions(rule, panel, cache, memo, out, days);
          for (let a = 0; a < panel.N; a++) {
            for (let t = 0; t < days; t++) {
              if (out[a * panel.T + t] !== full[a * panel.T + t]) expect.fail(`${rule.text}: asset ${a} day ${t} of the first ${days}`);
            }
          }
        }
      }
    }
  });

  it('runs the word kernels over merged per-asset word ranges', () => {
    expect(Array.from(daySegments(3, 10, 10))).toEqual([0, 8]); // all days: all words
    expect(Array.from(daySegments(3, 10, 3))).toEqual([0, 1, 2, 4, 5, 6]); // bytes 0-2, 10-12, 20-22
    expect(Array.from(daySegments(3, 10, 7))).toEqual([0, 7]); // bytes 0-6, 10-16, 20-26: touching ranges merge
    expect(Array.from(daySegments(2, 5, 4))).toEqual([0, 3]); // bytes 0-3 and 5-8 share word 1: merged
    expect(Array.from(daySegments(2, 5, 0))).toEqual([0, 0, 1, 1]);
  });
});

describe('memo and cache wiring', () => {
  it('reuses memoised subexpressions across rules and normalises lt/gt and crosses', () => {
    const p = syntheticPanel(5, 2, 200);
    const cache = new IndicatorCache(p);
    for (const maxBitBytes of [0, 1 << 20]) {
      // Without planes kept, the byte columns give the hits; with them, the planes do.
      const memo = new BoolMemo({ maxBitBytes });
      evaluatePositions(compile('gt(close, sma(close, 20))'), p, cache, memo);
      memo.resetStats();
      // lt(sma, close) is gt(close, sma): a hit; the cross reuses it as its comparison, and
      // cross_below(sma, close) is the same function as cross_above(close, sma).
      evaluatePositions(compile('lt(sma(close, 20), close)'), p, cache, memo);
      evaluatePositions(compile('cross_above(close, sma(close, 20))'), p, cache, memo);
      evaluatePositions(compile('cross_below(sma(close, 20), close)'), p, cache, memo);
      const s = memo.stats();
      // Hits: the comparison, the cross's comparison, then the cross itself; one miss (the cross).
      expect(s.hits).toBe(3);
      expect(s.misses).toBe(1);
      expect(s.entries).toBe(2);
    }
  });

  it('comparisons memoised ahead in shared memory (as the coordinator does for its workers) give the same positions', () => {
    const panel = syntheticPanel(31, 3, 301, { maxListing: 80, holeRate: 0.01 });
    const rng = Rng.seeded(3);
    const cache = new IndicatorCache(panel);
    const shared = new BoolMemo();
    for (let i = 0; i < 200; i++) {
      const compiled = compileAst(randomRule(rng, 1 + (i % 4)));
      if (!compiled.ok) throw new Error(compiled.error);
      const rule = compiled.rule;
      const added = memoiseComparisons(rule, panel, cache, shared, newSharedBoolBuf);
      for (const [key, buf] of added) {
        expect(isSharedBool(buf)).toBe(true);
        expect(shared.peek(key)).toBe(buf);
      }
      // A second pass adds nothing: every comparison and cross of the rule is held.
      expect(memoiseComparisons(rule, panel, cache, shared, newSharedBoolBuf)).toEqual([]);
      // A worker's memo adopts the columns as received from another thread.
      const worker = new BoolMemo();
      worker.bindPanel(panel);
      for (const [key, buf] of added) worker.put(key, boolBufOf(buf.bytes));
      const want = referencePositions(rule, panel, cache);
      if (!buffersEqual(evaluatePositions(rule, panel, cache, worker), want)) expect.fail(`differs with memoised comparisons on ${rule.text}`);
      worker.resetStats();
      evaluatePositions(rule, panel, cache, worker);
      expect(worker.stats().misses).toBe(0);
    }
    expect(shared.stats().entries).toBeGreaterThan(50);
  });

  it('never takes a shared column back as scratch (another thread may be reading it)', () => {
    const n = 1_003;
    const shared = newSharedBoolBuf(n);
    shared.bytes.fill(1);
    releaseBool(shared);
    for (let i = 0; i < 70; i++) expect(acquireBool(n)).not.toBe(shared);
    expect(Array.from(shared.bytes).every((v) => v === 1)).toBe(true);
    expect(() => boolBufOf(new Int8Array(new SharedArrayBuffer(8), 1, 4))).toThrow(RangeError);
  });

  it('a memo used with another panel is cleared instead of serving stale columns', () => {
    const p1 = syntheticPanel(1, 2, 100);
    const p2 = syntheticPanel(2, 2, 100);
    const memo = new BoolMemo();
    const rule = compile('gt(close, sma(close, 5))');
    evaluatePositions(rule, p1, new IndicatorCache(p1), memo);
    const got = evaluatePositions(rule, p2, new IndicatorCache(p2), memo);
    expect(Array.from(got)).toEqual(Array.from(referencePositions(rule, p2, new IndicatorCache(p2))));
  });

  it('writes into a caller-provided buffer, aligned or not', () => {
    const p = syntheticPanel(8, 3, 101);
    const rule = compile('and(gt(close, sma(close, 5)), not(cross_below(close, lag(close, 3))))');
    const want = Array.from(referencePositions(rule, p, new IndicatorCache(p)));
    const cache = new IndicatorCache(p);
    const aligned = new Int8Array(p.N * p.T);
    expect(evaluatePositions(rule, p, cache, undefined, aligned)).toBe(aligned);
    expect(Array.from(aligned)).toEqual(want);
    const unaligned = new Int8Array(p.N * p.T + 1).subarray(1);
    expect(evaluatePositions(rule, p, cache, new BoolMemo(), unaligned)).toBe(unaligned);
    expect(Array.from(unaligned)).toEqual(want);
    // 303 bars: whole-word writes would spill past the end into the caller's other bytes.
    const big = new Int8Array(p.N * p.T + 8).fill(9);
    const head = big.subarray(0, p.N * p.T);
    evaluatePositions(rule, p, cache, undefined, head);
    expect(Array.from(head)).toEqual(want);
    expect(Array.from(big.subarray(p.N * p.T))).toEqual(new Array(8).fill(9));
    expect(() => evaluatePositions(rule, p, cache, undefined, new Int8Array(5))).toThrow(RangeError);
  });

  it('refuses a cache built for other dimensions', () => {
    const p = syntheticPanel(1, 2, 100);
    expect(() => evaluatePositions(compile('gt(close, 1)'), p, new IndicatorCache({ N: 2, T: 99 }))).toThrow(RangeError);
  });
});
