import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cumulativeStdNormalProbability, probit } from 'simple-statistics';
import { normalCdf, normalPdf, normalQuantile } from '../../src/backtest/normal.js';

/** |actual − expected| ≤ rel·|expected| (plus a tiny absolute floor for values at 0). */
function expectRel(actual: number, expected: number, rel: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-300);
}

describe('normalCdf (Φ)', () => {
  // Reference values: Φ(x) = erfc(−x/√2)/2 evaluated with mpmath at 40 significant digits,
  // rounded here to 17 digits. Tolerance 1e-15 relative ("near double precision").
  const reference: Array<[number, number]> = [
    [0, 0.5],
    [0.5, 0.69146246127401310364],
    [-0.5, 0.30853753872598689636],
    [1, 0.84134474606854294859],
    [-1, 0.15865525393145705141],
    [1.96, 0.97500210485177956586], // the brief's Φ(1.96) = 0.9750021048517795
    [2, 0.9772498680518207928],
    [3, 0.99865010196836990547],
    [-3, 0.0013498980316300945267],
    [5, 0.99999971334842812081],
    [-5, 2.8665157187919391167e-7],
    [6, 0.99999999901341235496],
    [-8, 6.2209605742717841235e-16],
    [-10, 7.619853024160526066e-24],
    [-20, 2.7536241186062336951e-89],
    [-37, 5.7255712225245768227e-300],
  ];
  it.each(reference)('Φ(%d) matches the 40-digit reference to 1e-15 relative', (x, expected) => {
    expectRel(normalCdf(x), expected, 1e-15);
  });

  it('keeps relative precision deep in the lower tail where 1 − Φ(|x|) would cancel to 0', () => {
    // An erf-based 0.5·(1 + erf(x/√2)) returns exactly 0 here; Cody's tail form does not.
    expect(normalCdf(-10)).toBeGreaterThan(0);
    expectRel(normalCdf(-10), 7.619853024160526066e-24, 1e-15);
  });

  it('saturates cleanly beyond the representable range and handles non-finite input', () => {
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalCdf(NaN)).toBeNaN();
  });

  it('is symmetric: Φ(x) + Φ(−x) = 1', () => {
    fc.assert(
      fc.property(fc.double({ min: -8, max: 8, noNaN: true }), (x) => {
        expect(Math.abs(normalCdf(x) + normalCdf(-x) - 1)).toBeLessThanOrEqual(2.3e-16);
      }),
    );
  });

  it('is non-decreasing', () => {
    fc.assert(
      fc.property(fc.double({ min: -39, max: 9, noNaN: true }), fc.double({ min: -39, max: 9, noNaN: true }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(normalCdf(lo)).toBeLessThanOrEqual(normalCdf(hi));
      }),
    );
  });

  it('is far more precise than the simple-statistics table it replaces', () => {
    // simple-statistics looks Φ up in a 2-decimal table: its error at 1.96 is visible at 1e-5.
    const tableError = Math.abs(cumulativeStdNormalProbability(1.96) - 0.97500210485177956586);
    const ourError = Math.abs(normalCdf(1.96) - 0.97500210485177956586);
    expect(ourError).toBeLessThan(1e-15);
    expect(tableError).toBeGreaterThan(1e-6);
  });
});

describe('normalQuantile (Φ⁻¹)', () => {
  // Reference values: the exact z with Φ(z) = p for the double nearest p (p as stored, e.g.
  // 0.975 is 0.97499999999999997780…), by 300-step bisection on mpmath's Φ at 80 digits.
  const reference: Array<[number, number]> = [
    [0.975, 1.9599639845400538556], // the brief's 1.959963984540054 (for the decimal 0.975)
    [0.025, -1.9599639845400542118],
    [0.99, 2.3263478740408407676],
    [0.999, 3.0902323061678132778],
    [0.9, 1.2815515655446005935],
    [0.1, -1.2815515655446004353],
    [0.3, -0.52440051270804081597],
    [1e-5, -4.2648907939228246102],
    [1e-10, -6.3613409024040561991],
    [1e-20, -9.2623400897984075796],
    [1e-100, -21.273453560965324294],
    [1e-300, -37.047096299361199237],
    [0.999999, 4.7534243088170877657],
  ];
  it.each(reference)('Φ⁻¹(%d) matches the reference to 1e-15 relative', (p, expected) => {
    expectRel(normalQuantile(p), expected, 1e-15);
  });

  it('returns 0 at 1/2, ±Infinity at 0 and 1, and rejects probabilities outside [0, 1]', () => {
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(() => normalQuantile(-0.1)).toThrow(RangeError);
    expect(() => normalQuantile(1.1)).toThrow(RangeError);
    expect(() => normalQuantile(NaN)).toThrow(RangeError);
  });

  it('inverts Φ: Φ⁻¹(Φ(x)) = x over the lower tail and the centre', () => {
    fc.assert(
      fc.property(fc.double({ min: -37, max: 3, noNaN: true }), (x) => {
        // Above the median Φ(x) is stored next to 1 with absolute error ~1e-16, which alone moves
        // the round trip by 1e-16/φ(x) (2.5e-14 at x = 3, 2e-11 at x = 4.7) — a limit of doubles,
        // not of the algorithms, so the upper side is only exercised up to 3.
        expect(Math.abs(normalQuantile(normalCdf(x)) - x)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(x)));
      }),
    );
  });

  it('agrees with simple-statistics probit only to its coarse precision', () => {
    // An independent implementation as a sanity cross-check: its probit is off by ~5e-3 at
    // p = 0.01 (−2.32137 vs the true −2.32635), which is why this module exists.
    for (const p of [0.01, 0.2, 0.5, 0.8, 0.99]) expect(Math.abs(normalQuantile(p) - probit(p))).toBeLessThan(1e-2);
    expect(Math.abs(probit(0.01) - -2.3263478740408407676)).toBeGreaterThan(1e-3);
  });
});

describe('normalPdf (φ)', () => {
  it('matches exp(−x²/2)/√(2π) at known points', () => {
    expectRel(normalPdf(0), 0.3989422804014327, 1e-15);
    expectRel(normalPdf(1), 0.24197072451914337, 1e-15);
    expectRel(normalPdf(-3), 0.0044318484119380075, 1e-15);
  });
});
