import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { drawdownCurve, monthlyReturns, monthlyTable, yearlyReturns } from '../../src/report/monthly.js';
import { histogram } from '../../src/report/histogram.js';
import { businessDays, compound } from './fixtures.js';
import { Rng } from '../../src/domain/rng.js';

describe('drawdownCurve', () => {
  it('is 0 at new highs and the fall from the running peak elsewhere', () => {
    expect(drawdownCurve([1, 1.1, 0.99, 1.21, 0.605, 1.3])).toEqual([0, 0, 0.99 / 1.1 - 1, 0, 0.605 / 1.21 - 1, 0]);
  });

  it('counts the starting value as the first peak', () => {
    expect(drawdownCurve([2, 1])).toEqual([0, -0.5]);
  });

  it('is empty for an empty curve', () => {
    expect(drawdownCurve([])).toEqual([]);
  });

  it('rejects non-positive and non-finite values, naming the index', () => {
    expect(() => drawdownCurve([1, 0])).toThrow(/equity\[1\]/);
    expect(() => drawdownCurve([1, Number.NaN])).toThrow(/equity\[1\]/);
  });

  it('stays in [-1, 0] and is 0 exactly where the curve makes a new high (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { maxLength: 200 }), (eq) => {
        const dd = drawdownCurve(eq);
        let peak = -Infinity;
        eq.forEach((e, i) => {
          expect(dd[i]).toBeLessThanOrEqual(0);
          expect(dd[i]).toBeGreaterThan(-1);
          if (e >= peak) expect(dd[i]).toBe(0);
          peak = Math.max(peak, e);
        });
      }),
    );
  });
});

describe('monthlyReturns / yearlyReturns', () => {
  // Hand-worked: Jan 30 → 100 (start), Jan 31 → 110, Feb 2 → 99, Feb 28 → 121, Mar 1 → 133.1.
  const dates = ['2024-01-30', '2024-01-31', '2024-02-02', '2024-02-28', '2024-03-01'];
  const equity = [100, 110, 99, 121, 133.1];

  it('measures each month from the previous month-end (the first from the first value)', () => {
    const m = monthlyReturns(dates, equity);
    expect(m.map((r) => [r.year, r.month])).toEqual([[2024, 1], [2024, 2], [2024, 3]]);
    expect(m[0].value).toBeCloseTo(0.1, 12);
    expect(m[1].value).toBeCloseTo(0.1, 12);
    expect(m[2].value).toBeCloseTo(0.1, 12);
  });

  it('compounds the months into the year', () => {
    const y = yearlyReturns(dates, equity);
    expect(y).toHaveLength(1);
    expect(y[0].year).toBe(2024);
    expect(y[0].value).toBeCloseTo(0.331, 12);
  });

  it('splits years at the calendar boundary', () => {
    const y = yearlyReturns(['2023-12-28', '2023-12-29', '2024-01-02', '2024-12-31', '2025-01-02'], [1, 2, 3, 4, 2]);
    expect(y.map((r) => r.year)).toEqual([2023, 2024, 2025]);
    expect(y[0].value).toBeCloseTo(1, 12);
    expect(y[1].value).toBeCloseTo(1, 12);
    expect(y[2].value).toBeCloseTo(-0.5, 12);
  });

  it('reports null after a total loss instead of dividing by zero', () => {
    const m = monthlyReturns(['2024-01-31', '2024-02-29', '2024-03-29'], [1, 0, 0]);
    expect(m.map((r) => r.value)).toEqual([0, -1, null]);
  });

  it('is empty for an empty curve', () => {
    expect(monthlyReturns([], [])).toEqual([]);
    expect(monthlyTable([], [])).toEqual([]);
  });

  it('rejects mismatched lengths, malformed or unordered dates and non-finite values', () => {
    expect(() => monthlyReturns(['2024-01-02'], [1, 2])).toThrow(/same length/);
    expect(() => monthlyReturns(['2024-1-02'], [1])).toThrow(/dates\[0\]/);
    expect(() => monthlyReturns(['2024-01-03', '2024-01-02'], [1, 2])).toThrow(/ascend/);
    expect(() => monthlyReturns(['2024-01-02', '2024-01-02'], [1, 2])).toThrow(/ascend/);
    expect(() => monthlyReturns(['2024-01-02'], [Number.POSITIVE_INFINITY])).toThrow(/equity\[0\]/);
  });

  it('monthly returns compound to the yearly ones, which compound to the total (property)', () => {
    const dates = businessDays('2015-03-16', '2024-08-20');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (seed) => {
        const rng = Rng.seeded(seed);
        const equity = compound(dates.map(() => 0.0003 + 0.012 * rng.normal()));
        const months = monthlyReturns(dates, equity);
        const years = yearlyReturns(dates, equity);
        for (const y of years) {
          const product = months.filter((m) => m.year === y.year).reduce((p, m) => p * (1 + m.value!), 1);
          expect(product - 1).toBeCloseTo(y.value!, 9);
        }
        const total = years.reduce((p, y) => p * (1 + y.value!), 1) - 1;
        expect(total).toBeCloseTo(equity[equity.length - 1] / equity[0] - 1, 9);
      }),
      { numRuns: 25 },
    );
  });
});

describe('monthlyTable', () => {
  it('has a row per year, gaps included, twelve cells and the year total', () => {
    const rows = monthlyTable(['2021-11-30', '2021-12-31', '2023-02-28'], [1, 1.1, 1.21]);
    expect(rows.map((r) => r.year)).toEqual([2021, 2022, 2023]);
    expect(rows[0].months.slice(10)).toEqual([0, expect.closeTo(0.1, 12)]);
    expect(rows[0].months.slice(0, 10).every((m) => m === null)).toBe(true);
    expect(rows[1].months.every((m) => m === null)).toBe(true);
    expect(rows[1].total).toBeNull();
    expect(rows[2].months[1]).toBeCloseTo(0.1, 12);
    expect(rows[2].total).toBeCloseTo(0.1, 12);
    expect(rows.every((r) => r.months.length === 12)).toBe(true);
  });
});

describe('histogram', () => {
  it('counts every finite value exactly once, the maximum in the last bin', () => {
    const values = [0, 0.5, 1, 1, 2, 3, 4, 5, Number.NaN, Number.POSITIVE_INFINITY];
    const h = histogram(values, 5, 5);
    expect(h.counts).toEqual([2, 2, 1, 1, 2]);
    expect(h.edges).toEqual([0, 1, 2, 3, 4, 5]);
    expect(h.centers).toEqual([0.5, 1.5, 2.5, 3.5, 4.5]);
  });

  it('handles no values and identical values', () => {
    expect(histogram([])).toEqual({ edges: [], centers: [], counts: [] });
    expect(histogram([2, 2, 2])).toEqual({ edges: [1.5, 2.5], centers: [2], counts: [3] });
    // A range whose bin width underflows to 0 (found by the property below).
    expect(histogram([0, Number.MIN_VALUE]).counts).toEqual([2]);
    expect(histogram([-Number.MAX_VALUE, Number.MAX_VALUE]).counts).toEqual([2]);
  });

  it('keeps the bin count within its bounds (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 2, maxLength: 500 }), (xs) => {
        const h = histogram(xs, 10, 60);
        expect(h.counts.reduce((a, b) => a + b, 0)).toBe(xs.length);
        // Ranges too narrow to split (subnormal widths) fall back to one bin, tested above.
        if (Math.max(...xs) - Math.min(...xs) > 1e-300) {
          expect(h.counts.length).toBeGreaterThanOrEqual(10);
          expect(h.counts.length).toBeLessThanOrEqual(60);
        }
      }),
    );
  });
});
