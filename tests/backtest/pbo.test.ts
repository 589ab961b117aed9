import { describe, expect, it } from 'vitest';
import { probabilityOfBacktestOverfitting } from '../../src/backtest/stats.js';
import { sharpeRatio } from '../../src/backtest/metrics.js';
import { Rng } from '../../src/domain/rng.js';

/** T × N matrix of iid N(mean_j, sd²) returns; matrix[t][j]. */
function simulate(seed: number, T: number, N: number, means: (j: number) => number = () => 0, sd = 0.01): Float64Array[] {
  const rng = Rng.seeded(seed);
  const rows: Float64Array[] = [];
  for (let t = 0; t < T; t++) {
    const row = new Float64Array(N);
    for (let j = 0; j < N; j++) row[j] = means(j) + sd * rng.normal();
    rows.push(row);
  }
  return rows;
}

const rowsOf = (columns: number[][]): Float64Array[] =>
  columns[0].map((_, t) => Float64Array.from(columns.map((c) => c[t])));

const mean = (r: Float64Array): number => r.reduce((a, b) => a + b, 0) / r.length;

describe('probabilityOfBacktestOverfitting — hand-worked cases (S = 2, two combinations)', () => {
  // Rows 0–1 form block 0, rows 2–3 block 1. Combination 1 trains on block 0 (mask 0b01) and
  // tests on block 1; combination 2 the reverse (mask 0b10).
  const A = [0.03, 0.01, -0.02, -0.02]; // block means +0.02, −0.02
  const B = [-0.01, -0.01, 0.02, 0.04]; // −0.01, +0.03
  const C = [0.0, 0.0, 0.0, 0.01]; //       0, +0.005
  const matrix = rowsOf([A, B, C]);

  it('a strategy that wins in-sample and loses out-of-sample every time: PBO = 1', () => {
    // Metric = mean. Combo 1: in-sample best A (0.02); out-of-sample A is last of 3 (−0.02 <
    // 0.005 < 0.03), rank 1 → ω = 1/4 → λ = ln(1/3). Combo 2: best B (0.03); out-of-sample B
    // (−0.01) is last again → λ = ln(1/3). Both λ ≤ 0 → PBO = 1; both OOS means < 0 → P(loss) = 1.
    const res = probabilityOfBacktestOverfitting(matrix, { partitions: 2, metric: mean });
    expect(res.combinations).toBe(2);
    expect(res.pbo).toBe(1);
    expect(res.logits[0]).toBeCloseTo(Math.log(1 / 3), 15);
    expect(res.logits[1]).toBeCloseTo(Math.log(1 / 3), 15);
    expect(res.inSample[0]).toBeCloseTo(0.02, 15);
    expect(res.inSample[1]).toBeCloseTo(0.03, 15);
    expect(res.outOfSample[0]).toBeCloseTo(-0.02, 15);
    expect(res.outOfSample[1]).toBeCloseTo(-0.01, 15);
    expect(res.probabilityOfLoss).toBe(1);
  });

  it('out-of-sample ties share the average rank (Sharpe metric)', () => {
    // Per-observation Sharpe. Block 0: A [0.03, 0.01] → 0.02/0.0141421 = 1.41421; B and C are
    // constant → Sharpe 0 by convention. Block 1: A constant → 0; B [0.02, 0.04] → 2.12132;
    // C [0, 0.01] → 0.70711.
    // Combo 1: best A (1.414); OOS A = 0 is below C and B → rank 1, ω = 1/4, λ = ln(1/3).
    // Combo 2: best B (2.121); OOS B = 0 ties with C = 0, below A → rank 1.5, ω = 1.5/4,
    //   λ = ln(0.375/0.625) = ln(0.6).
    const res = probabilityOfBacktestOverfitting(matrix, { partitions: 2 });
    expect(res.logits[0]).toBeCloseTo(Math.log(1 / 3), 14);
    expect(res.logits[1]).toBeCloseTo(Math.log(0.6), 14);
    expect(res.inSample[0]).toBeCloseTo(0.02 / Math.sqrt(0.0002), 13);
    expect(res.inSample[1]).toBeCloseTo(0.03 / Math.sqrt(0.0002), 13);
    expect(res.pbo).toBe(1);
  });

  it('a strategy that is best in every block: PBO = 0 with λ = ln(N)', () => {
    // Reorder so the best column is consistently best: ω = 3/4 in both combos → λ = ln 3.
    const good = rowsOf([[0.05, 0.03, 0.05, 0.07], A, C]);
    const res = probabilityOfBacktestOverfitting(good, { partitions: 2, metric: mean });
    expect(res.pbo).toBe(0);
    expect(res.logits).toEqual([Math.log(3), Math.log(3)]);
    expect(res.probabilityOfLoss).toBe(0);
  });
});

describe('probabilityOfBacktestOverfitting — statistical behaviour', () => {
  it('pure noise: PBO averages ≈ 0.5 over seeds', () => {
    // Without skill the in-sample winner's out-of-sample rank is uniform, so P(λ ≤ 0) = 1/2 for
    // even N. One matrix gives a noisy estimate (the C(16,8) splits share data: observed per-seed
    // values range ~0.2–0.8, sd ≈ 0.19), so average 20 independent matrices: sd of the mean ≈ 0.043,
    // and ±0.15 is a ~3.5-sigma band.
    let sum = 0;
    for (let seed = 1; seed <= 20; seed++) sum += probabilityOfBacktestOverfitting(simulate(seed, 1000, 50)).pbo;
    const avg = sum / 20;
    expect(avg).toBeGreaterThan(0.35);
    expect(avg).toBeLessThan(0.65);
  });

  it('one strategy with a strong real drift in every block: PBO = 0', () => {
    // Column 7 earns 0.4 sd per day; 19 noise columns. Each half has 800 rows, so a noise column's
    // Sharpe has standard error ≈ 1/√800 = 0.035 and the best of 19 is ≈ 0.07 — far below 0.4.
    // The drift column is selected in-sample and ranks first out-of-sample in all 12,870 splits.
    const res = probabilityOfBacktestOverfitting(simulate(42, 1600, 20, (j) => (j === 7 ? 0.004 : 0)));
    expect(res.combinations).toBe(12870);
    expect(res.pbo).toBe(0);
    for (const lambda of res.logits) expect(lambda).toBeCloseTo(Math.log(20), 12);
    expect(res.probabilityOfLoss).toBe(0);
  });

  it('the block-statistics Sharpe path equals recomputing Sharpe on each half', () => {
    const m = simulate(5, 400, 10);
    const fast = probabilityOfBacktestOverfitting(m, { partitions: 8 });
    const slow = probabilityOfBacktestOverfitting(m, { partitions: 8, metric: (r) => sharpeRatio(r, 1) });
    expect(fast.combinations).toBe(70);
    expect(fast.logits).toEqual(slow.logits);
    for (let c = 0; c < 70; c++) {
      expect(fast.inSample[c]).toBeCloseTo(slow.inSample[c], 13);
      expect(fast.outOfSample[c]).toBeCloseTo(slow.outOfSample[c], 13);
    }
  });
});

describe('probabilityOfBacktestOverfitting — partitioning and validation', () => {
  it('splits uneven rows into blocks differing by at most one row, in time order, dropping none', () => {
    // T = 10, S = 4 → block sizes 3, 3, 2, 2. Each cell holds its row index, so the metric sees
    // exactly which rows each half contains.
    const matrix = Array.from({ length: 10 }, (_, t) => Float64Array.from([t, t]));
    const halves: string[] = [];
    probabilityOfBacktestOverfitting(matrix, {
      partitions: 4,
      metric: (r) => {
        halves.push(Array.from(r).join(','));
        return 0;
      },
    });
    // Masks in increasing order: 0011, 0101, 0110, 1001, 1010, 1100 (bit b = block b); each
    // evaluates the in-sample half then the out-of-sample half, for 2 strategies.
    const blocks = ['0,1,2', '3,4,5', '6,7', '8,9'];
    const half = (bits: number[]) => bits.map((b) => blocks[b]).join(',');
    const expected = [
      [[0, 1], [2, 3]],
      [[0, 2], [1, 3]],
      [[1, 2], [0, 3]],
      [[0, 3], [1, 2]],
      [[1, 3], [0, 2]],
      [[2, 3], [0, 1]],
    ].flatMap(([is, oos]) => [half(is), half(is), half(oos), half(oos)]);
    expect(halves).toEqual(expected);
  });

  it('rejects bad input', () => {
    const m = simulate(1, 20, 3);
    expect(() => probabilityOfBacktestOverfitting(m, { partitions: 3 })).toThrow(RangeError);
    expect(() => probabilityOfBacktestOverfitting(m, { partitions: 26 })).toThrow(RangeError);
    expect(() => probabilityOfBacktestOverfitting(m.slice(0, 10), { partitions: 16 })).toThrow(RangeError);
    expect(() => probabilityOfBacktestOverfitting(simulate(1, 20, 1), { partitions: 4 })).toThrow(RangeError);
    const ragged = [...m.slice(0, 19), new Float64Array(2)];
    expect(() => probabilityOfBacktestOverfitting(ragged, { partitions: 4 })).toThrow(/row 19/);
    const withNaN = m.map((row) => row.slice());
    withNaN[4][1] = NaN;
    expect(() => probabilityOfBacktestOverfitting(withNaN, { partitions: 4 })).toThrow(/matrix\[4\]\[1\]/);
    expect(() => probabilityOfBacktestOverfitting(m, { partitions: 4, metric: () => NaN })).toThrow(RangeError);
  });
});
