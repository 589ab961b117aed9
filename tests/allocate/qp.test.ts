import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minQuadraticOnHyperplane } from '../../src/allocate/qp.js';
import { Rng } from '../../src/domain/rng.js';

/** Random PSD matrix B'B (+ optional rank deficiency) of size n. */
function randomPsd(rng: Rng, n: number, rank: number): Float64Array {
  const B = Array.from({ length: rank }, () => Array.from({ length: n }, () => rng.normal()));
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Q[i * n + j] = B.reduce((s, row) => s + row[i] * row[j], 0);
  return Q;
}

describe('active-set QP: min x\'Qx s.t. a\'x = 1, x ≥ 0', () => {
  it('meets the KKT conditions on random strictly convex problems', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 25 }), fc.integer(), fc.boolean(), (n, seed, mixedSigns) => {
        const rng = Rng.seeded(seed);
        const Q = randomPsd(rng, n, n + 2);
        const a = Float64Array.from({ length: n }, () => (mixedSigns ? rng.normal() : 1));
        let k = 0;
        for (let i = 1; i < n; i++) if (a[i] > a[k]) k = i;
        fc.pre(a[k] > 0.05);
        const x0 = new Float64Array(n);
        x0[k] = 1 / a[k];
        const { x, converged } = minQuadraticOnHyperplane(Q, a, x0);
        expect(converged).toBe(true);
        const ax = x.reduce((s, xi, i) => s + xi * a[i], 0);
        expect(ax).toBeCloseTo(1, 10);
        // Stationarity: g = Qx equals ν a on the support, and g - ν a ≥ 0 off it (ν = x'Qx).
        const g = Array.from({ length: n }, (_, i) => x.reduce((s, xj, j) => s + Q[i * n + j] * xj, 0));
        const nu = x.reduce((s, xi, i) => s + xi * g[i], 0);
        const scale = Math.max(...g.map(Math.abs), Math.abs(nu));
        for (let i = 0; i < n; i++) {
          expect(x[i]).toBeGreaterThanOrEqual(0);
          const lambda = g[i] - nu * a[i];
          if (x[i] > 1e-12) expect(Math.abs(lambda)).toBeLessThan(1e-8 * scale);
          else expect(lambda).toBeGreaterThan(-1e-8 * scale);
        }
      }),
      { numRuns: 300 },
    );
  });
});
