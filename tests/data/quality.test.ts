import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkBars, type QualityOptions } from '../../src/data/quality.js';
import type { RawBar } from '../../src/data/source.js';
import { nextTradingDay } from '../../src/domain/calendar.js';

const OPTS: QualityOptions = { maxDailyMove: 0.35, priceTolerance: 1e-6 };

function bar(date: string, close: number, extra: Partial<RawBar> = {}): RawBar {
  return { date, open: close, high: close * 1.01, low: close * 0.99, close, adjClose: close, volume: 1000, ...extra };
}

describe('quality checks', () => {
  it('accepts clean consecutive trading days with no findings', () => {
    const r = checkBars('X', [bar('2020-01-02', 10), bar('2020-01-03', 10.1), bar('2020-01-06', 10.2)], null, [], OPTS);
    expect(r.accepted).toHaveLength(3);
    expect(r.issues).toEqual([]);
  });

  it('flags a jump without a corporate action, and not one a split explains', () => {
    const raw = [bar('2020-08-28', 500), bar('2020-08-31', 125)];
    const unexplained = checkBars('AAPL', raw, null, [], OPTS);
    expect(unexplained.accepted).toHaveLength(2);
    expect(unexplained.issues).toEqual([
      expect.objectContaining({ date: '2020-08-31', kind: 'jump', severity: 'flagged', detail: expect.stringContaining('-75.0%') }),
    ]);
    const explained = checkBars('AAPL', raw, null, [{ date: '2020-08-31', kind: 'split', value: 4 }], OPTS);
    expect(explained.issues).toEqual([]);
    // A split on another day explains nothing.
    const elsewhere = checkBars('AAPL', raw, null, [{ date: '2020-08-27', kind: 'split', value: 4 }], OPTS);
    expect(elsewhere.issues.map((i) => i.kind)).toEqual(['jump']);
  });

  it('checks continuity across the last stored bar', () => {
    const prev = { date: '2020-01-03', open: 10, high: 10.1, low: 9.9, close: 10, adjClose: 10 };
    const r = checkBars('X', [bar('2020-01-03', 10), bar('2020-01-02', 10), bar('2020-01-08', 10, { open: 10, high: 10.1, low: 9.9 })], prev, [], OPTS);
    expect(r.issues.map((i) => [i.date, i.kind, i.severity])).toEqual([
      ['2020-01-03', 'date_order', 'rejected'],
      ['2020-01-02', 'date_order', 'rejected'],
      ['2020-01-06', 'gap', 'flagged'],
      ['2020-01-08', 'stale', 'flagged'],
    ]);
    expect(r.issues[2].detail).toBe('2 trading day(s) missing between 2020-01-03 and 2020-01-08');
  });

  it('does not call the NYSE holidays and closures gaps, but flags a bar on a closed day', () => {
    // 2001-09-10 -> 2001-09-17: the market was closed 11-14 September.
    expect(checkBars('X', [bar('2001-09-10', 10), bar('2001-09-17', 9.5)], null, [], OPTS).issues).toEqual([]);
    const r = checkBars('X', [bar('2020-12-24', 10), bar('2020-12-25', 10.1), bar('2020-12-28', 10.2)], null, [], OPTS);
    expect(r.issues.map((i) => [i.date, i.kind])).toEqual([['2020-12-25', 'non_trading_day']]);
  });
});

/** A bar that may break any invariant: the property is that none of those is ever accepted. */
const rawBarArb = fc.record({
  open: fc.oneof(fc.double({ min: -10, max: 200, noNaN: false }), fc.constant(Number.NaN), fc.constant(0)),
  high: fc.oneof(fc.double({ min: -10, max: 200, noNaN: false }), fc.constant(Number.POSITIVE_INFINITY)),
  low: fc.double({ min: -10, max: 200, noNaN: false }),
  close: fc.double({ min: -10, max: 200, noNaN: false }),
  adjClose: fc.double({ min: -10, max: 200, noNaN: false }),
  volume: fc.oneof(fc.double({ min: -100, max: 1e6, noNaN: false }), fc.constant(0)),
  step: fc.integer({ min: -2, max: 3 }),
});

describe('quality property', () => {
  it('no bar that breaks an invariant is ever accepted, and every rejected bar is recorded', () => {
    fc.assert(
      fc.property(fc.array(rawBarArb, { maxLength: 40 }), (specs) => {
        let date = '2015-01-02';
        const raw: RawBar[] = specs.map((s) => {
          for (let i = 0; i < s.step; i++) date = nextTradingDay(date);
          if (s.step < 0) date = `2014-12-${String(20 + s.step).padStart(2, '0')}`;
          return { date, open: s.open, high: s.high, low: s.low, close: s.close, adjClose: s.adjClose, volume: s.volume };
        });
        const { accepted, issues } = checkBars('P', raw, null, [], OPTS);
        const tol = 1 + OPTS.priceTolerance;
        for (let i = 0; i < accepted.length; i++) {
          const b = accepted[i];
          for (const p of [b.open, b.high, b.low, b.close, b.adjClose]) expect(Number.isFinite(p) && p > 0).toBe(true);
          expect(b.high * tol).toBeGreaterThanOrEqual(b.low);
          expect(b.open * tol).toBeGreaterThanOrEqual(b.low);
          expect(b.close * tol).toBeGreaterThanOrEqual(b.low);
          expect(b.open).toBeLessThanOrEqual(b.high * tol);
          expect(b.close).toBeLessThanOrEqual(b.high * tol);
          expect(Number.isFinite(b.volume) && b.volume >= 0).toBe(true);
          if (i > 0) expect(b.date > accepted[i - 1].date).toBe(true);
        }
        const rejected = issues.filter((i) => i.severity === 'rejected');
        expect(accepted.length + rejected.length).toBe(raw.length);
      }),
      { numRuns: 500 },
    );
  });
});
