import { describe, expect, it } from 'vitest';
import {
  allocate,
  calmarRatio,
  evolveWeightsDetailed,
  OBJECTIVES,
  portfolioReturns,
  sharpeRatio,
} from '../../src/allocate/index.js';
import { Rng } from '../../src/domain/rng.js';
import { normalSeries, sleevesOf } from './helpers.js';

/** Two sleeves that earn, two that lose, one noisy break-even: equal weight is clearly beatable. */
function mixedPanel(seed: number, T = 1000): Float64Array[] {
  const rng = Rng.seeded(seed);
  return [
    normalSeries(rng, T, 0.0008, 0.01),
    normalSeries(rng, T, 0.0006, 0.012),
    normalSeries(rng, T, -0.0005, 0.01),
    normalSeries(rng, T, -0.0003, 0.02),
    normalSeries(rng, T, 0, 0.03),
  ];
}

describe('evolveWeights', () => {
  it('beats equal weight on its objective (Sharpe)', () => {
    const r = mixedPanel(1);
    const out = evolveWeightsDetailed(r, { objective: sharpeRatio, rng: Rng.seeded(42) });
    const eq = sharpeRatio(portfolioReturns(r, [0.2, 0.2, 0.2, 0.2, 0.2]));
    expect(out.diagnostics.equalWeightObjective).toBeCloseTo(eq, 12);
    expect(out.objective).toBeGreaterThan(eq + 1);
    // The weights it reports produce the objective it reports.
    expect(sharpeRatio(portfolioReturns(r, out.weights))).toBeCloseTo(out.objective, 12);
    // The losers end up with (almost) nothing.
    expect(out.weights[2] + out.weights[3]).toBeLessThan(0.05);
  });

  it('beats equal weight on Calmar as well', () => {
    const r = mixedPanel(2);
    const out = evolveWeightsDetailed(r, { objective: calmarRatio, rng: Rng.seeded(1) });
    expect(out.objective).toBeGreaterThan(calmarRatio(portfolioReturns(r, [0.2, 0.2, 0.2, 0.2, 0.2])));
  });

  it('is deterministic for a seed', () => {
    const r = mixedPanel(3);
    const a = evolveWeightsDetailed(r, { objective: sharpeRatio, rng: Rng.seeded(7) });
    const b = evolveWeightsDetailed(r, { objective: sharpeRatio, rng: Rng.seeded(7) });
    expect(b.weights).toEqual(a.weights);
    expect(b.diagnostics).toEqual(a.diagnostics);
  });

  it('honours constraints during the search (every candidate is projected)', () => {
    const sleeves = sleevesOf(mixedPanel(4), ['SPY', 'SPY', 'TLT', 'GLD', 'QQQ']);
    const constraints = { maxWeightPerSleeve: 0.3, maxWeightPerAsset: 0.4, maxTotal: 0.9, minWeight: 0.05 };
    const res = allocate('evolve', sleeves, { constraints, objective: OBJECTIVES.sharpe, rng: Rng.seeded(5) });
    const w = Object.values(res.weights);
    for (const x of w) expect(x === 0 || (x >= 0.05 - 1e-12 && x <= 0.3 + 1e-12)).toBe(true);
    expect(res.weights.s0 + res.weights.s1).toBeLessThanOrEqual(0.4 + 1e-12);
    expect(res.invested).toBeLessThanOrEqual(0.9 + 1e-12);
    expect(res.diagnostics.objective).toBeGreaterThanOrEqual(res.diagnostics.equalWeightObjective!);
  });
});
