import { describe, expect, it } from 'vitest';
import { kellyDetails, kellyLeverage, kellyScale } from '../../src/allocate/index.js';
import { InputError } from '../../src/domain/errors.js';
import { affine, walsh } from './helpers.js';

describe('kellyScale', () => {
  // Mean 0.0004, daily sd 0.02 exactly (±0.02 around the mean), variance with T-1: 4e-4·T/(T-1).
  const T = 1000;
  const r = affine(walsh(T, 0), 0.02, 0.0004);
  const fStar = 0.0004 / ((0.0004 * T) / (T - 1));

  it('f* = mean / variance of the portfolio returns', () => {
    expect(kellyLeverage(r)).toBeCloseTo(fStar, 12);
  });

  it('scales total exposure by fraction · f* when that is within the cap', () => {
    const w = kellyScale([0.6, 0.4], r, { fraction: 0.5, cap: 1 });
    expect(w[0]).toBeCloseTo(0.6 * 0.5 * fStar, 12);
    expect(w[1]).toBeCloseTo(0.4 * 0.5 * fStar, 12);
  });

  it('never scales up and never exceeds the cap', () => {
    const strong = affine(walsh(T, 0), 0.001, 0.001); // f* ≈ 1000
    expect(kellyScale([0.6, 0.4], strong, { fraction: 0.5, cap: 1 })).toEqual([0.6, 0.4]);
    const capped = kellyScale([0.6, 0.4], strong, { fraction: 0.5, cap: 0.5 });
    expect(capped[0] + capped[1]).toBeCloseTo(0.5, 12);
    expect(capped[0] / capped[1]).toBeCloseTo(1.5, 12);
  });

  it('goes to cash when the portfolio loses money, and with too little history', () => {
    expect(kellyScale([0.5, 0.5], affine(r, 1, -0.001), { fraction: 0.5, cap: 1 })).toEqual([0, 0]);
    expect(kellyScale([1], Float64Array.from([0.01]), { fraction: 0.5, cap: 1 })).toEqual([0]);
  });

  it('reports the numbers behind the scale', () => {
    const d = kellyDetails([1], r, { fraction: 0.25, cap: 1 });
    expect(d.fullKelly).toBeCloseTo(fStar, 12);
    expect(d.scale).toBeCloseTo(0.25 * fStar, 12);
  });

  it('rejects over-betting and impossible caps', () => {
    expect(() => kellyScale([1], r, { fraction: 1.5, cap: 1 })).toThrow(InputError);
    expect(() => kellyScale([1], r, { fraction: 0.5, cap: 2 })).toThrow(/kelly.cap/);
  });
});
