import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALLOCATION_METHODS,
  allocate,
  constraintViolations,
  equal,
  inverseVol,
  maxSharpe,
  minVariance,
  OBJECTIVES,
  riskParity,
} from '../../src/allocate/index.js';
import type { Constraints, Sleeve } from '../../src/allocate/index.js';
import { maxSharpeDetailed } from '../../src/allocate/methods/maxSharpe.js';
import { minVarianceDetailed } from '../../src/allocate/methods/minVariance.js';
import { riskParityDetailed } from '../../src/allocate/methods/riskParity.js';
import { Rng } from '../../src/domain/rng.js';

type Kind = 'noise' | 'constant' | 'zero' | 'copy' | 'scaled' | 'negated' | 'tiny' | 'huge-spike';

/**
 * Return matrices built to hit the degenerate corners: constant and all-zero sleeves (zero
 * variance), exact and scaled copies (perfect ±1 correlation, singular covariance), tiny
 * magnitudes, isolated spikes, one sleeve, and T as small as 1.
 */
const panelArb = fc
  .record({
    N: fc.integer({ min: 1, max: 6 }),
    T: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 5, max: 60 })),
    seed: fc.integer(),
    kinds: fc.array(fc.constantFrom<Kind>('noise', 'noise', 'constant', 'zero', 'copy', 'scaled', 'negated', 'tiny', 'huge-spike'), {
      minLength: 6,
      maxLength: 6,
    }),
    assets: fc.array(fc.constantFrom('X', 'Y', 'Z'), { minLength: 6, maxLength: 6 }),
  })
  .map(({ N, T, seed, kinds, assets }) => {
    const rng = Rng.seeded(seed);
    const rows: Float64Array[] = [];
    for (let i = 0; i < N; i++) {
      const prev = rows.length > 0 ? rows[rng.int(0, rows.length - 1)] : undefined;
      const noise = () => Float64Array.from({ length: T }, () => 0.0005 + 0.02 * rng.normal());
      switch (i === 0 ? 'noise' : kinds[i]) {
        case 'constant':
          rows.push(new Float64Array(T).fill(0.01 * (rng.float() - 0.5)));
          break;
        case 'zero':
          rows.push(new Float64Array(T));
          break;
        case 'copy':
          rows.push(Float64Array.from(prev!));
          break;
        case 'scaled':
          rows.push(prev!.map((v) => 3 * v));
          break;
        case 'negated':
          rows.push(prev!.map((v) => -v));
          break;
        case 'tiny':
          rows.push(noise().map((v) => v * 1e-9));
          break;
        case 'huge-spike': {
          const r = new Float64Array(T);
          r[rng.int(0, T - 1)] = 0.5;
          rows.push(r);
          break;
        }
        default:
          rows.push(noise());
      }
    }
    const sleeves: Sleeve[] = rows.map((r, i) => ({ id: `s${i}`, strategyId: `g${i}`, asset: assets[i], returns: r }));
    return { sleeves, rows, seed };
  });

const constraintsArb = fc
  .record({
    maxTotal: fc.double({ min: 0.1, max: 1, noNaN: true }),
    maxWeightPerSleeve: fc.double({ min: 0.05, max: 1, noNaN: true }),
    maxWeightPerAsset: fc.double({ min: 0.05, max: 1, noNaN: true }),
    minFrac: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
  })
  .map(
    (c): Constraints => ({
      longOnly: true,
      maxTotal: c.maxTotal,
      maxWeightPerSleeve: c.maxWeightPerSleeve,
      maxWeightPerAsset: c.maxWeightPerAsset,
      minWeight: c.minFrac * Math.min(c.maxTotal, c.maxWeightPerSleeve, c.maxWeightPerAsset),
    }),
  );

describe('every method on degenerate and random panels', () => {
  it('pure methods return finite non-negative proportions summing to 1', () => {
    fc.assert(
      fc.property(panelArb, ({ rows }) => {
        for (const w of [equal(rows), inverseVol(rows), minVariance(rows), riskParity(rows), maxSharpe(rows)]) {
          expect(w).toHaveLength(rows.length);
          for (const x of w) {
            expect(Number.isFinite(x)).toBe(true);
            expect(x).toBeGreaterThanOrEqual(0);
          }
          expect(w.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 9);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the solvers converge even on degenerate panels', () => {
    fc.assert(
      fc.property(panelArb, ({ rows }) => {
        for (const out of [minVarianceDetailed(rows), riskParityDetailed(rows), maxSharpeDetailed(rows)]) {
          if (out.diagnostics.converged !== undefined) expect(out.diagnostics.converged).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('allocate honours every constraint for every method (with and without Kelly)', () => {
    fc.assert(
      fc.property(panelArb, constraintsArb, fc.boolean(), ({ sleeves, seed }, constraints, kelly) => {
        for (const method of ALLOCATION_METHODS) {
          const res = allocate(method, sleeves, {
            constraints,
            objective: OBJECTIVES.sharpe,
            rng: Rng.seeded(seed),
            evolve: { populationSize: 6, generations: 4 },
            ...(kelly ? { kelly: { fraction: 0.5 } } : {}),
          });
          const w = sleeves.map((s) => res.weights[s.id]);
          for (const x of w) expect(Number.isFinite(x)).toBe(true);
          expect(constraintViolations(w, sleeves, constraints)).toEqual([]);
          expect(res.invested).toBeLessThanOrEqual(constraints.maxTotal + 1e-12);
          expect(res.cash).toBeCloseTo(1 - res.invested, 12);
        }
      }),
      { numRuns: 150 },
    );
  });
});
