import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ledoitWolf } from '../../src/allocate/index.js';
import { centre } from '../../src/allocate/stats.js';
import { Rng } from '../../src/domain/rng.js';
import { normalSeries } from './helpers.js';

describe('Ledoit–Wolf shrinkage towards the scaled identity', () => {
  it('matches a case computed by hand', () => {
    // Centred data, T = 4, N = 2: x_t = (2,0), (-2,0), (0,1), (0,-1).
    //   S = diag(8/4, 2/4) = diag(2, 0.5),  m = tr(S)/N = 1.25
    //   d² = ((2-1.25)² + (0.5-1.25)²)/2 = 0.5625 = 9/16
    //   |x_t|⁴ = 16, 16, 1, 1 → Σ = 34;  ‖S‖²_F = 4 + 0.25 = 4.25
    //   b̄² = (34/4 - 4.25)/(N·T) = 4.25/8 = 17/32;  b² = min(17/32, 9/16) = 17/32
    //   δ = (17/32)/(9/16) = 17/18
    //   Σ* = δ m I + (1-δ) S = diag((17·1.25 + 2)/18, (17·1.25 + 0.5)/18)
    const r = [Float64Array.from([2, -2, 0, 0]), Float64Array.from([0, 0, 1, -1])];
    const lw = ledoitWolf(centre(r));
    expect(lw.shrinkage).toBeCloseTo(17 / 18, 14);
    expect(lw.target).toBeCloseTo(1.25, 14);
    expect(lw.cov[0]).toBeCloseTo(23.25 / 18, 14);
    expect(lw.cov[3]).toBeCloseTo(21.75 / 18, 14);
    expect(lw.cov[1]).toBe(0);
    expect(lw.cov[2]).toBe(0);
  });

  it('is unchanged by adding a constant to a series (it works on centred data)', () => {
    const r = [Float64Array.from([2, -2, 0, 0]), Float64Array.from([0, 0, 1, -1])];
    const shifted = [r[0].map((v) => v + 0.3), r[1].map((v) => v - 7)];
    expect(ledoitWolf(centre(shifted)).shrinkage).toBeCloseTo(17 / 18, 12);
  });

  it('gives 0 when the sample covariance already is a multiple of the identity', () => {
    // Orthogonal ±1 series of equal scale: S = I exactly, nothing to shrink.
    const r = [Float64Array.from([1, -1, 1, -1]), Float64Array.from([1, 1, -1, -1])];
    expect(ledoitWolf(centre(r)).shrinkage).toBe(0);
  });

  it('tends to 1 when N is large relative to T and the target is right', () => {
    // Population σ²I (the target is the truth): the analytic intensity is about 1 - 2/T for
    // N ≫ T (one observation goes into the means, and b̄² has its own finite-T bias).
    const rng = Rng.seeded(11);
    const r = Array.from({ length: 200 }, () => normalSeries(rng, 40, 0, 0.01));
    expect(ledoitWolf(centre(r)).shrinkage).toBeGreaterThan(1 - 3 / 40);
  });

  it('shrinks harder as T falls relative to N, and tends to 0 with many observations', () => {
    // Population diag(1..5)·1e-4 is not a multiple of I, so the optimal intensity vanishes as T
    // grows (were it σ²I, shrinking would stay optimal at any T).
    const intensity = (T: number) => {
      const rng = Rng.seeded(12);
      const r = Array.from({ length: 5 }, (_, i) => normalSeries(rng, T, 0, 0.01 * Math.sqrt(i + 1)));
      return ledoitWolf(centre(r)).shrinkage;
    };
    const [few, some, many] = [intensity(10), intensity(200), intensity(20_000)];
    expect(few).toBeGreaterThan(some);
    expect(some).toBeGreaterThan(many);
    expect(many).toBeGreaterThanOrEqual(0);
    expect(many).toBeLessThan(0.01);
  });

  it('intensity is always in [0, 1] and the result symmetric with positive diagonal', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 25 }),
        fc.integer(),
        (N, T, seed) => {
          const rng = Rng.seeded(seed);
          const r = Array.from({ length: N }, () => normalSeries(rng, T, 0.001, 0.02 * rng.float()));
          const lw = ledoitWolf(centre(r));
          expect(lw.shrinkage).toBeGreaterThanOrEqual(0);
          expect(lw.shrinkage).toBeLessThanOrEqual(1);
          for (let i = 0; i < N; i++) {
            expect(lw.cov[i * N + i]).toBeGreaterThanOrEqual(0);
            for (let j = 0; j < N; j++) expect(lw.cov[i * N + j]).toBe(lw.cov[j * N + i]);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
