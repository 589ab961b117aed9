import { describe, expect, it } from 'vitest';
import { governCorrelation } from '../../src/allocate/index.js';
import { Rng } from '../../src/domain/rng.js';
import { InputError } from '../../src/domain/errors.js';
import { add, affine, normalSeries, sleevesOf } from './helpers.js';

describe('correlation governance', () => {
  const rng = Rng.seeded(3);
  const T = 1500;
  const a = normalSeries(rng, T, 0.0005, 0.01);
  const nearCopy = add(a, normalSeries(rng, T, 0, 0.003)); // corr ≈ 0.96
  const independent = normalSeries(rng, T, 0.0003, 0.01);
  const hedge = affine(a, -1); // corr -1: a hedge, not a duplicate
  const sleeves = sleevesOf([nearCopy, a, independent, hedge]);
  const score: Record<string, number> = { s0: 1.0, s1: 2.0, s2: 0.5, s3: 0.1 };

  it('drops the correlated worse sleeve, keeps the uncorrelated one and the hedge, and says why', () => {
    const res = governCorrelation(sleeves, (s) => score[s.id]);
    expect(res.kept).toEqual(['s1', 's2', 's3']);
    expect(res.dropped).toHaveLength(1);
    expect(res.dropped[0].id).toBe('s0');
    expect(res.dropped[0].because).toBe('s1');
    expect(res.dropped[0].correlation).toBeGreaterThan(0.9);
  });

  it('the better of a correlated pair survives whichever it is', () => {
    const res = governCorrelation(sleeves, (s) => (s.id === 's0' ? 3 : score[s.id]));
    expect(res.kept[0]).toBe('s0');
    expect(res.dropped.map((d) => [d.id, d.because])).toEqual([['s1', 's0']]);
  });

  it('a higher threshold keeps the pair', () => {
    const res = governCorrelation(sleeves, (s) => score[s.id], { threshold: 0.99 });
    expect(res.dropped).toEqual([]);
  });

  it('treats zero-variance sleeves as uncorrelated and rejects bad input', () => {
    const flat = sleevesOf([new Float64Array(T).fill(0.001), new Float64Array(T).fill(0.002), a]);
    expect(governCorrelation(flat, () => 0).kept).toEqual(['s0', 's1', 's2']);
    expect(() => governCorrelation(sleeves, () => 0, { threshold: 2 })).toThrow(InputError);
    expect(() => governCorrelation(sleeves, () => Number.NaN)).toThrow(/score of sleeve/);
  });
});
