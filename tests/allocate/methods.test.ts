import { describe, expect, it } from 'vitest';
import {
  equal,
  inverseVol,
  maxSharpe,
  minVariance,
  riskParity,
  sampleCovariance,
} from '../../src/allocate/index.js';
import { maxSharpeDetailed } from '../../src/allocate/methods/maxSharpe.js';
import { minVarianceDetailed } from '../../src/allocate/methods/minVariance.js';
import { riskParityDetailed } from '../../src/allocate/methods/riskParity.js';
import { Rng } from '../../src/domain/rng.js';
import { add, affine, factorPanel, normalSeries, riskContributions, walsh } from './helpers.js';

const T = 1024;

describe('known answers', () => {
  it('equal weights are 1/N', () => {
    expect(equal([walsh(8, 0), walsh(8, 1), walsh(8, 2), walsh(8, 0)])).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('two uncorrelated equal-vol sleeves: risk parity, min-variance and inverse-vol give 1/2, 1/2', () => {
    const r = [affine(walsh(T, 0), 0.01), affine(walsh(T, 1), 0.01)];
    for (const w of [riskParity(r), minVariance(r), inverseVol(r)]) {
      expect(w[0]).toBeCloseTo(0.5, 10);
      expect(w[1]).toBeCloseTo(0.5, 10);
    }
  });

  it('two uncorrelated sleeves with vol ratio 1:2: risk parity and inverse-vol give 2/3, 1/3', () => {
    // Uncorrelated: RC_i ∝ w_i² σ_i². Equal RC ⇒ w_1 σ_1 = w_2 σ_2 ⇒ w_1/w_2 = σ_2/σ_1 = 2
    // ⇒ w = (2/3, 1/3), which is also 1/σ normalised.
    const r = [affine(walsh(T, 0), 0.01), affine(walsh(T, 1), 0.02)];
    // Risk parity stops at relative risk-contribution error < 1e-10, so ~1e-11 on weights.
    for (const w of [riskParity(r), inverseVol(r)]) {
      expect(w[0]).toBeCloseTo(2 / 3, 10);
      expect(w[1]).toBeCloseTo(1 / 3, 10);
    }
    // Min-variance on the sample covariance: w ∝ 1/σ² ⇒ (4/5, 1/5).
    const mv = minVariance(r, { covariance: 'sample' });
    expect(mv[0]).toBeCloseTo(0.8, 12);
  });

  it('min-variance gives 0 to a perfectly correlated sleeve with higher variance (with LW shrinkage)', () => {
    const a = normalSeries(Rng.seeded(1), T, 0.0003, 0.01);
    const out = minVarianceDetailed([a, affine(a, 2)]);
    expect(out.diagnostics.covarianceShrinkage).toBeGreaterThan(0);
    expect(out.weights[1]).toBeLessThan(1e-12);
    expect(out.weights[0]).toBeCloseTo(1, 12);
  });

  it('min-variance gives 0 to a sleeve that is another plus independent noise', () => {
    // B = A + orthogonal noise: Σ = [[a, a], [a, a+n]], Σ⁻¹1 ∝ (n, 0), so B's weight is exactly 0
    // on the sample covariance; Ledoit–Wolf shrinkage leaves B only a small positive weight.
    const a = affine(walsh(T, 0), 0.01);
    const b = add(a, affine(walsh(T, 1), 0.005));
    const sample = minVariance([a, b], { covariance: 'sample' });
    expect(sample[1]).toBeLessThan(1e-12);
    const lw = minVarianceDetailed([a, b]);
    expect(lw.weights[1]).toBeLessThan(0.05);
    expect(lw.weights[0]).toBeGreaterThan(0.95);
  });

  it('risk parity equalises risk contributions on a random correlated 5-sleeve case', () => {
    const r = factorPanel(Rng.seeded(5), 5, 750);
    const out = riskParityDetailed(r);
    expect(out.diagnostics.converged).toBe(true);
    expect(out.diagnostics.iterations).toBeLessThan(30);
    const rc = riskContributions(sampleCovariance(r), out.weights);
    for (const c of rc) expect(c).toBeCloseTo(0.2, 9);
  });

  it('risk budgets are met: contributions proportional to the budgets', () => {
    const r = factorPanel(Rng.seeded(6), 4, 500);
    const budgets = [0.4, 0.3, 0.2, 0.1];
    const w = riskParity(r, { budgets });
    const rc = riskContributions(sampleCovariance(r), w);
    rc.forEach((c, i) => expect(c).toBeCloseTo(budgets[i], 9));
  });

  it('max-Sharpe puts more weight on the higher-mean of two uncorrelated equal-vol sleeves', () => {
    const r = [affine(walsh(T, 0), 0.01, 0.001), affine(walsh(T, 1), 0.01, 0.0002)];
    const out = maxSharpeDetailed(r);
    const [w0, w1] = out.weights;
    expect(w0).toBeGreaterThan(w1);
    // Σ = 1e-4·I, so LW does nothing and w ∝ shrunk means μ_s = (1-φ)μ + φ μ̄ with Jorion's
    // φ = (N+2)/((N+2) + T d'Σ⁻¹d), d = μ - μ̄ = ±0.0004: T d'Σ⁻¹d = 1024·2·0.0004²/1e-4 = 3.2768.
    const phi = 4 / (4 + 3.2768);
    expect(out.diagnostics.covarianceShrinkage).toBe(0);
    expect(out.diagnostics.meanShrinkage).toBeCloseTo(phi, 9);
    const m0 = (1 - phi) * 0.001 + phi * 0.0006;
    const m1 = (1 - phi) * 0.0002 + phi * 0.0006;
    expect(w0).toBeCloseTo(m0 / (m0 + m1), 9);
    // Without mean shrinkage the tangency weights are proportional to the raw means.
    const raw = maxSharpe(r, { meanShrinkage: 0 });
    expect(raw[0]).toBeCloseTo(0.001 / 0.0012, 9);
  });

  it('max-Sharpe falls back to min-variance when no sleeve has a positive expected return', () => {
    const r = [affine(walsh(T, 0), 0.01, -0.001), affine(walsh(T, 1), 0.02, -0.002)];
    const out = maxSharpeDetailed(r);
    expect(out.diagnostics.notes.join(' ')).toMatch(/fell back to min-variance/);
    expect(out.weights).toEqual(minVariance(r));
  });

  it('max-Sharpe matches a brute-force search on a correlated 3-sleeve case', () => {
    const r = factorPanel(Rng.seeded(9), 3, 600).map((x, i) => affine(x, 1, 0.0004 * (i + 1)));
    const w = maxSharpe(r, { covariance: 'sample', meanShrinkage: 0 });
    const cov = sampleCovariance(r);
    const mu = r.map((x) => x.reduce((s, v) => s + v, 0) / x.length);
    const sharpe = (v: number[]) => {
      const m = v.reduce((s, vi, i) => s + vi * mu[i], 0);
      let q = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) q += v[i] * cov[i * 3 + j] * v[j];
      return m / Math.sqrt(q);
    };
    let best = -Infinity;
    const step = 0.005;
    for (let a = 0; a <= 1 + 1e-9; a += step) {
      for (let b = 0; a + b <= 1 + 1e-9; b += step) best = Math.max(best, sharpe([a, b, Math.max(0, 1 - a - b)]));
    }
    expect(sharpe(w)).toBeGreaterThanOrEqual(best - 1e-9);
  });

  it('min-variance matches a brute-force search on a correlated 3-sleeve case', () => {
    const r = factorPanel(Rng.seeded(10), 3, 600);
    const w = minVariance(r, { covariance: 'sample' });
    const cov = sampleCovariance(r);
    const variance = (v: number[]) => {
      let q = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) q += v[i] * cov[i * 3 + j] * v[j];
      return q;
    };
    let best = Infinity;
    const step = 0.005;
    for (let a = 0; a <= 1 + 1e-9; a += step) {
      for (let b = 0; a + b <= 1 + 1e-9; b += step) best = Math.min(best, variance([a, b, Math.max(0, 1 - a - b)]));
    }
    expect(variance(w)).toBeLessThanOrEqual(best + 1e-15);
  });

  it('zero-variance sleeves get 0 weight from the risk-based methods', () => {
    const r = [affine(walsh(T, 0), 0.01), new Float64Array(T).fill(0.0004), affine(walsh(T, 1), 0.02)];
    for (const w of [inverseVol(r), minVariance(r), riskParity(r), maxSharpe(r)]) {
      expect(w[1]).toBe(0);
      expect(w[0] + w[2]).toBeCloseTo(1, 12);
    }
    // All flat: nothing to go on, equal weights.
    const flat = [new Float64Array(T).fill(0.001), new Float64Array(T)];
    expect(minVariance(flat)).toEqual([0.5, 0.5]);
  });
});
