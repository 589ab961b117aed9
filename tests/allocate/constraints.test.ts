import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyConstraints, constraintViolations, resolveConstraints } from '../../src/allocate/index.js';
import type { Constraints } from '../../src/allocate/index.js';
import { InputError } from '../../src/domain/errors.js';

const assetsOf = (...assets: string[]) => assets.map((asset, i) => ({ id: `s${i}`, asset }));
const distinct = (n: number) => assetsOf(...Array.from({ length: n }, (_, i) => `A${i}`));
const close = (got: number[], want: number[]) => want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 12));

describe('applyConstraints', () => {
  it('leaves feasible proportions alone and scales any intent to the budget', () => {
    close(applyConstraints([0.5, 0.3, 0.2], distinct(3)), [0.5, 0.3, 0.2]);
    close(applyConstraints([5, 3, 2], distinct(3)), [0.5, 0.3, 0.2]);
    close(applyConstraints([5, 3, 2], distinct(3), { maxTotal: 0.6 }), [0.3, 0.18, 0.12]);
  });

  it('caps sleeves and passes the excess on in proportion (water-filling)', () => {
    // 0.6 → 0.4 (cap); then 0.3 : 0.1 share the remaining 0.6 as 0.45 : 0.15, but 0.45 > 0.4 so it
    // is capped too and the last sleeve takes 0.2.
    close(applyConstraints([0.6, 0.3, 0.1], distinct(3), { maxWeightPerSleeve: 0.4 }), [0.4, 0.4, 0.2]);
  });

  it('caps assets (sum over their sleeves) and keeps proportions inside the asset', () => {
    const w = applyConstraints([0.4, 0.4, 0.2], assetsOf('SPY', 'SPY', 'TLT'), { maxWeightPerAsset: 0.5 });
    close(w, [0.25, 0.25, 0.5]);
    // Within a capped asset the sleeve cap still binds and the asset's other sleeves take the rest.
    const w2 = applyConstraints([0.6, 0.2, 0.2], assetsOf('SPY', 'SPY', 'TLT'), {
      maxWeightPerAsset: 0.5,
      maxWeightPerSleeve: 0.3,
    });
    close(w2, [0.3, 0.2, 0.3]);
  });

  it('holds cash when the caps cannot absorb the budget', () => {
    const w = applyConstraints([1, 2, 3], distinct(3), { maxWeightPerSleeve: 0.2 });
    close(w, [0.2, 0.2, 0.2]);
  });

  it('drops weights below minWeight and redistributes', () => {
    close(applyConstraints([0.5, 0.3, 0.15, 0.05], distinct(4), { minWeight: 0.1 }), [0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95, 0]);
  });

  it('drops equal small weights one at a time until the rest reach minWeight', () => {
    const w = applyConstraints(new Array(10).fill(1), distinct(10), { minWeight: 0.2 });
    expect(w.filter((x) => x > 0)).toHaveLength(5);
    for (const x of w) if (x > 0) expect(x).toBeCloseTo(0.2, 12);
  });

  it('treats negative and non-finite intents as 0, and all-zero intent as all cash', () => {
    close(applyConstraints([-1, Number.NaN, 2, Infinity], distinct(4)), [0, 0, 1, 0]);
    expect(applyConstraints([0, 0], distinct(2))).toEqual([0, 0]);
  });

  it('rejects unsatisfiable or malformed constraints with one clear line', () => {
    expect(() => resolveConstraints({ minWeight: 0.3, maxWeightPerSleeve: 0.2 })).toThrow(InputError);
    expect(() => resolveConstraints({ minWeight: 0.3, maxWeightPerSleeve: 0.2 })).toThrow(/cannot be satisfied/);
    expect(() => resolveConstraints({ maxTotal: 1.5 })).toThrow(/maxTotal/);
    expect(() => resolveConstraints({ maxWeightPerAsset: 0 })).toThrow(/maxWeightPerAsset/);
    expect(() => resolveConstraints({ longOnly: false as unknown as true })).toThrow(/long-only/);
    expect(() => resolveConstraints({ minWeight: -0.1 })).toThrow(/minWeight/);
  });
});

/** Random feasible constraints and matching intents, with assets shared between sleeves. */
const caseArb = fc
  .record({
    n: fc.integer({ min: 1, max: 12 }),
    maxTotal: fc.double({ min: 0.05, max: 1, noNaN: true }),
    maxWeightPerSleeve: fc.double({ min: 0.01, max: 1, noNaN: true }),
    maxWeightPerAsset: fc.double({ min: 0.01, max: 1, noNaN: true }),
    minFrac: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
  })
  .chain((c) =>
    fc.record({
      c: fc.constant(c),
      intents: fc.array(
        fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e3, noNaN: true }), fc.double({ min: 1e-12, max: 1e-6 })),
        { minLength: c.n, maxLength: c.n },
      ),
      assets: fc.array(fc.constantFrom('A', 'B', 'C', 'D'), { minLength: c.n, maxLength: c.n }),
    }),
  )
  .map(({ c, intents, assets }) => {
    const constraints: Constraints = {
      longOnly: true,
      maxTotal: c.maxTotal,
      maxWeightPerSleeve: c.maxWeightPerSleeve,
      maxWeightPerAsset: c.maxWeightPerAsset,
      minWeight: c.minFrac * Math.min(c.maxTotal, c.maxWeightPerSleeve, c.maxWeightPerAsset),
    };
    return { constraints, intents, sleeves: assetsOf(...assets) };
  });

describe('applyConstraints properties', () => {
  it('the result honours every constraint', () => {
    fc.assert(
      fc.property(caseArb, ({ constraints, intents, sleeves }) => {
        const w = applyConstraints(intents, sleeves, constraints);
        expect(constraintViolations(w, sleeves, constraints, 1e-12)).toEqual([]);
        if (intents.some((x) => x > 0)) expect(w.some((x) => x > 0)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('invests maxTotal whenever the caps allow it and no minWeight applies', () => {
    fc.assert(
      fc.property(caseArb, ({ constraints, intents, sleeves }) => {
        const c = { ...constraints, minWeight: 0 };
        const w = applyConstraints(intents, sleeves, c);
        // Capacity of the sleeves with positive intent: per asset min(cap, n·sleeveCap).
        const perAsset = new Map<string, number>();
        intents.forEach((x, i) => {
          if (x > 0) perAsset.set(sleeves[i].asset, (perAsset.get(sleeves[i].asset) ?? 0) + c.maxWeightPerSleeve);
        });
        let capacity = 0;
        for (const v of perAsset.values()) capacity += Math.min(v, c.maxWeightPerAsset);
        const total = w.reduce((s, x) => s + x, 0);
        // Intents below 1e-15 of the largest are dust and may be zeroed; keep them out of this check.
        const max = Math.max(...intents);
        if (intents.every((x) => x === 0 || x > 1e-15 * max)) {
          expect(total).toBeCloseTo(Math.min(c.maxTotal, capacity), 10);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('is idempotent and ignores the scale of the intent', () => {
    fc.assert(
      fc.property(caseArb, fc.double({ min: 1e-6, max: 1e6, noNaN: true }), ({ constraints, intents, sleeves }, k) => {
        const w = applyConstraints(intents, sleeves, constraints);
        const again = applyConstraints(w, sleeves, constraints);
        again.forEach((x, i) => expect(x).toBeCloseTo(w[i], 12));
        // Scaling a subnormal intent can underflow to 0, which is a different intent.
        fc.pre(intents.every((x) => x === 0 || x * Math.min(k, 1) > 1e-300));
        // Intents near 1e-15 of the largest sit on the dust threshold, where rounding decides.
        const max = Math.max(...intents);
        fc.pre(intents.every((x) => x === 0 || x > 1e-14 * max));
        const scaled = applyConstraints(
          intents.map((x) => x * k),
          sleeves,
          constraints,
        );
        scaled.forEach((x, i) => expect(x).toBeCloseTo(w[i], 12));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the intended proportions between sleeves that no cap touches', () => {
    fc.assert(
      fc.property(caseArb, ({ constraints, intents, sleeves }) => {
        const c = { ...constraints, minWeight: 0, maxWeightPerAsset: 1 };
        const w = applyConstraints(intents, sleeves, c);
        const free = w.map((_, i) => i).filter((i) => w[i] > 0 && w[i] < c.maxWeightPerSleeve * (1 - 1e-9));
        for (let k = 1; k < free.length; k++) {
          const [i, j] = [free[0], free[k]];
          expect(w[i] * intents[j]).toBeCloseTo(w[j] * intents[i], 9);
        }
      }),
      { numRuns: 500 },
    );
  });
});
