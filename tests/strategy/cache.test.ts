import { describe, expect, it } from 'vitest';
import { IndicatorCache } from '../../src/strategy/cache.js';
import { compileRule, type CompiledRule } from '../../src/strategy/compile.js';
import { evaluatePositions } from '../../src/strategy/evaluate.js';
import { formatRule } from '../../src/strategy/format.js';
import { BoolMemo } from '../../src/strategy/memo.js';
import { computeSeries, requiredSeries, seriesKey } from '../../src/strategy/series.js';
import { syntheticPanel } from './helpers/panel.js';

const compile = (text: string): CompiledRule => {
  const r = compileRule(text);
  if (!r.ok) throw new Error(r.error);
  return r.rule;
};

describe('requiredSeries', () => {
  it('lists non-field series nodes once each, inner before outer', () => {
    const rule = compile('and(gt(ema(rsi(close,14),5),lag(ema(rsi(close,14),5),1)),gt(div(atr(14),close),0.02))');
    expect(requiredSeries(rule.ast).map(seriesKey)).toEqual([
      'rsi(close,14)',
      'ema(rsi(close,14),5)',
      'lag(ema(rsi(close,14),5),1)',
      'atr(14)',
      'div(atr(14),close)',
    ]);
    expect(requiredSeries(compile('gt(close,open)').ast)).toEqual([]);
  });
});

describe('IndicatorCache for a coordinator and its workers', () => {
  const panel = syntheticPanel(17, 3, 250);
  const rules = [
    'and(gt(close,sma(close,20)),lt(rsi(close,14),40))',
    'cross_above(macd(close,12,26,9),macd_signal(close,12,26,9))',
    'gt(volume,mul(sma(volume,20),1.5))',
    'long_short(gt(close,bb_upper(close,20,2)),lt(stoch_k(14,3),20))',
  ].map(compile);

  it('computes every column into SharedArrayBuffers that a worker can wrap without copying', () => {
    const shared = new IndicatorCache(panel, { allocate: (len) => new Float64Array(new SharedArrayBuffer(len * 8)) });
    for (const r of rules) for (const s of requiredSeries(r.ast)) computeSeries(s, panel, shared);
    for (const [, col] of shared.entries()) expect(col.buffer).toBeInstanceOf(SharedArrayBuffer);

    // What a worker does with the buffers it receives (structured clone shares SAB memory).
    const received = structuredClone(new Map([...shared.entries()].map(([k, c]) => [k, c.buffer as SharedArrayBuffer])));
    const worker = new IndicatorCache(panel);
    for (const [k, sab] of received) worker.set(k, new Float64Array(sab));
    const before = worker.size;
    const memo = new BoolMemo();
    for (const r of rules) {
      const local = evaluatePositions(r, panel, new IndicatorCache(panel));
      expect(Array.from(evaluatePositions(r, panel, worker, memo))).toEqual(Array.from(local));
    }
    expect(worker.size).toBe(before); // nothing had to be recomputed
    // Shared memory really is shared: a write on one side is seen on the other.
    const key = 'sma(close,20)';
    shared.get(key)![0] = 42;
    expect(worker.get(key)![0]).toBe(42);
  });

  it('stores sibling indicators computed together, keeps columns it already has', () => {
    const cache = new IndicatorCache(panel);
    const pre = cache.allocate().fill(7);
    cache.set('bb_lower(close,20,2)', pre);
    const bb = requiredSeries(compile('gt(close,bb_upper(close,20,2))').ast)[0];
    computeSeries(bb, panel, cache);
    expect([...cache.keys()].sort()).toEqual(['bb_lower(close,20,2)', 'bb_upper(close,20,2)']);
    expect(cache.get('bb_lower(close,20,2)')).toBe(pre);
  });

  it('returns price fields straight from the panel and validates column lengths', () => {
    const cache = new IndicatorCache(panel);
    expect(computeSeries({ kind: 'field', field: 'close' }, panel, cache)).toBe(panel.close);
    expect(() => cache.set('x', new Float64Array(3))).toThrow(RangeError);
    expect(() => new IndicatorCache(panel, { allocate: () => new Float64Array(1) }).allocate()).toThrow(RangeError);
    const other = syntheticPanel(1, 2, 10);
    expect(() => computeSeries(requiredSeries(compile('gt(close,sma(close,2))').ast)[0], other, cache)).toThrow(RangeError);
    expect(cache.bytes).toBe(0);
  });

  it('keys are the canonical text of the series expression', () => {
    const r = compile('gt( close , sma( close , 20 ) )');
    const [s] = requiredSeries(r.ast);
    expect(seriesKey(s)).toBe('sma(close,20)');
    expect(seriesKey(s)).toBe(formatRule(s));
  });
});
