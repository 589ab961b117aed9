import { describe, expect, it } from 'vitest';
import { ALLOCATION_METHODS, allocate, OBJECTIVES, parseAllocationMethod } from '../../src/allocate/index.js';
import { InputError } from '../../src/domain/errors.js';
import { Rng } from '../../src/domain/rng.js';
import { affine, factorPanel, sleevesOf, walsh } from './helpers.js';

describe('allocate', () => {
  const sleeves = sleevesOf(factorPanel(Rng.seeded(1), 6, 800), ['SPY', 'SPY', 'TLT', 'TLT', 'GLD', 'QQQ']);

  it('dispatches every method and reports weights by sleeve id', () => {
    for (const method of ALLOCATION_METHODS) {
      const res = allocate(method, sleeves, { objective: OBJECTIVES.sharpe, rng: Rng.seeded(2) });
      expect(res.method).toBe(method);
      expect(Object.keys(res.weights)).toEqual(sleeves.map((s) => s.id));
      expect(res.invested).toBeCloseTo(1, 12);
      expect(res.cash).toBeCloseTo(0, 12);
      expect(Object.keys(res.diagnostics.preConstraintWeights)).toHaveLength(6);
    }
  });

  it('applies the constraints to every method output', () => {
    const constraints = { maxWeightPerSleeve: 0.25, maxWeightPerAsset: 0.3, maxTotal: 0.8 };
    for (const method of ALLOCATION_METHODS) {
      const res = allocate(method, sleeves, { constraints, objective: OBJECTIVES.sharpe, rng: Rng.seeded(2) });
      for (const w of Object.values(res.weights)) expect(w).toBeLessThanOrEqual(0.25 + 1e-12);
      expect(res.weights.s0 + res.weights.s1).toBeLessThanOrEqual(0.3 + 1e-12);
      expect(res.invested).toBeLessThanOrEqual(0.8 + 1e-12);
    }
  });

  it('Kelly scaling reduces exposure, reports itself and keeps minWeight', () => {
    const T = 1000;
    // Three uncorrelated ±4% sleeves with mean 0.0004, 0.0004, 0.00004: equal weights give a
    // portfolio mean of 0.00028 and variance ≈ (2·0.0016 + 0.0016)/9, so f* ≈ 0.53 and half
    // Kelly ≈ 0.26: each third becomes ≈ 0.088 < minWeight 0.1, so one sleeve is dropped and the
    // other two share the Kelly exposure.
    const s = sleevesOf([
      affine(walsh(T, 0), 0.04, 0.0004),
      affine(walsh(T, 1), 0.04, 0.0004),
      affine(walsh(T, 2), 0.04, 0.00004),
    ]);
    const res = allocate('equal', s, { kelly: { fraction: 0.5 }, constraints: { minWeight: 0.1 } });
    const k = res.diagnostics.kelly!;
    expect(k.fullKelly).toBeCloseTo(0.00028 / ((0.0016 * 3) / 9) * (999 / 1000), 3);
    expect(k.scale).toBeCloseTo(0.5 * k.fullKelly, 12);
    expect(res.invested).toBeCloseTo(k.scale, 12);
    const positive = Object.values(res.weights).filter((w) => w > 0);
    expect(positive).toHaveLength(2);
    for (const w of positive) expect(w).toBeGreaterThanOrEqual(0.1);
  });

  it('names zero-variance sleeves in the diagnostics', () => {
    const s = sleevesOf([affine(walsh(64, 0), 0.01), new Float64Array(64)]);
    const res = allocate('risk-parity', s);
    expect(res.diagnostics.zeroVariance).toEqual(['s1']);
    expect(res.weights.s1).toBe(0);
  });

  it('rejects bad input with one clear line', () => {
    expect(() => parseAllocationMethod('kelly')).toThrow(/unknown allocation method 'kelly' \(expected one of: equal, inverse-vol/);
    expect(() => allocate('nope', sleeves)).toThrow(InputError);
    expect(() => allocate('equal', [])).toThrow(/no sleeves/);
    expect(() => allocate('evolve', sleeves, { rng: Rng.seeded(1) })).toThrow(/needs an objective/);
    expect(() => allocate('equal', sleeves, { constraints: { minWeight: 0.5, maxWeightPerSleeve: 0.2 } })).toThrow(
      /cannot be satisfied/,
    );
    const bad = sleevesOf([Float64Array.from([0.01, Number.NaN]), Float64Array.from([0.01, 0.02])]);
    expect(() => allocate('equal', bad)).toThrow(/sleeve 's0' has a non-finite return \(NaN\) on day 1/);
    const ragged = sleevesOf([Float64Array.from([0.01, 0.02]), Float64Array.from([0.01])]);
    expect(() => allocate('equal', ragged)).toThrow(/has 1 returns, expected 2/);
    const dup = [...sleevesOf([Float64Array.from([0.01])]), ...sleevesOf([Float64Array.from([0.02])])];
    expect(() => allocate('equal', dup)).toThrow(/duplicate sleeve id 's0'/);
  });
});
