import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/domain/rng.js';
import {
  initialisePopulation,
  intFlipMutation,
  mapGenome,
  onePointCrossover,
  reverseMap,
  spliceSubtree,
  subtreeCrossover,
  tournamentSelect,
} from '../../src/ge/index.js';
import { tradingGrammar } from './fixtures.js';

const CODON = 1000;
const genome = fc.array(fc.integer({ min: 0, max: CODON - 1 }), { maxLength: 40 }).map((a) => Int32Array.from(a));
const withUsed = genome.chain((g) => fc.tuple(fc.constant(g), fc.integer({ min: 0, max: g.length + 5 })));
const seed = fc.integer();

describe('tournamentSelect', () => {
  it('returns the best of the k drawn indices, ties to the lower index (replayed draws)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constant(Number.NaN)), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 8 }),
        seed,
        (fit, k, s) => {
          const won = tournamentSelect(fit, k, Rng.seeded(s));
          const replay = Rng.seeded(s);
          const drawn = Array.from({ length: k }, () => replay.int(0, fit.length - 1));
          const score = (i: number) => (Number.isNaN(fit[i]) ? -Infinity : fit[i]);
          const best = Math.max(...drawn.map(score));
          expect(drawn).toContain(won);
          expect(score(won)).toBe(best);
          expect(won).toBe(Math.min(...drawn.filter((i) => score(i) === best)));
        },
      ),
    );
  });

  it('picks the global best with a large tournament, and rejects bad input', () => {
    const fit = [0.1, 0.9, 0.5, 0.9];
    expect(tournamentSelect(fit, 200, Rng.seeded(1))).toBe(1);
    expect(() => tournamentSelect([], 2, Rng.seeded(1))).toThrow(RangeError);
    expect(() => tournamentSelect([1], 0, Rng.seeded(1))).toThrow(RangeError);
  });
});

describe('onePointCrossover', () => {
  it('children are head + tail of the parents, cut within the used codons', () => {
    fc.assert(
      fc.property(withUsed, withUsed, seed, ([a, aUsed], [b, bUsed], s) => {
        const [c1, c2] = onePointCrossover(a, aUsed, b, bUsed, Rng.seeded(s));
        expect(c1.length + c2.length).toBe(a.length + b.length);
        // Recover the cut points: pa in [1, min(used, len)] (0 if empty), same for pb.
        const range = (len: number, used: number) => (len === 0 ? [0, 0] : [1, Math.min(Math.max(used, 1), len)]);
        const [aLo, aHi] = range(a.length, aUsed);
        const [bLo, bHi] = range(b.length, bUsed);
        let found = false;
        for (let pa = aLo; pa <= aHi && !found; pa++) {
          const pb = pa + b.length - c1.length;
          if (pb < bLo || pb > bHi) continue;
          const e1 = [...a.slice(0, pa), ...b.slice(pb)];
          const e2 = [...b.slice(0, pb), ...a.slice(pa)];
          found = e1.join() === Array.from(c1).join() && e2.join() === Array.from(c2).join();
        }
        expect(found).toBe(true);
        for (const c of [...c1, ...c2]) expect(c >= 0 && c < CODON).toBe(true);
      }),
    );
  });

  it('is deterministic for a seed and leaves the parents alone', () => {
    fc.assert(
      fc.property(withUsed, withUsed, seed, ([a, aUsed], [b, bUsed], s) => {
        const a0 = Array.from(a);
        const x = onePointCrossover(a, aUsed, b, bUsed, Rng.seeded(s));
        const y = onePointCrossover(a, aUsed, b, bUsed, Rng.seeded(s));
        expect(x).toEqual(y);
        expect(Array.from(a)).toEqual(a0);
      }),
    );
  });
});

describe('intFlipMutation', () => {
  it('never touches codons beyond usedCodons and keeps codons in range', () => {
    fc.assert(
      fc.property(withUsed, fc.double({ min: 0, max: 1, noNaN: true }), seed, ([g, used], pm, s) => {
        const m = intFlipMutation(g, used, pm, CODON, Rng.seeded(s));
        expect(m.length).toBe(g.length);
        expect(Array.from(m.slice(used))).toEqual(Array.from(g.slice(used)));
        for (const c of m) expect(c >= 0 && c < CODON).toBe(true);
        expect(intFlipMutation(g, used, pm, CODON, Rng.seeded(s))).toEqual(m);
      }),
    );
  });

  it('copies at pm 0 and changes about pm of the used codons', () => {
    const g = new Int32Array(10_000).fill(0);
    expect(intFlipMutation(g, 10_000, 0, CODON, Rng.seeded(1))).toEqual(g);
    const m = intFlipMutation(g, 5000, 0.1, 1 << 30, Rng.seeded(2));
    const changed = m.filter((c) => c !== 0).length;
    expect(changed).toBeGreaterThan(400);
    expect(changed).toBeLessThan(600);
    expect(m.subarray(5000).every((c) => c === 0)).toBe(true);
    expect(g.every((c) => c === 0)).toBe(true);
  });
});

describe('spliceSubtree', () => {
  it('replaces exactly the range', () => {
    fc.assert(
      fc.property(
        genome.chain((g) =>
          fc.tuple(
            fc.constant(g),
            fc.integer({ min: 0, max: g.length }).chain((st) => fc.tuple(fc.constant(st), fc.integer({ min: st, max: g.length }))),
          ),
        ),
        genome,
        ([g, [start, end]], codons) => {
          const out = spliceSubtree(g, { start, end }, codons);
          expect(Array.from(out)).toEqual([...g.slice(0, start), ...codons, ...g.slice(end)]);
        },
      ),
    );
    expect(() => spliceSubtree([1, 2], { start: 2, end: 1 }, [])).toThrow(RangeError);
    expect(() => spliceSubtree([1, 2], { start: 0, end: 3 }, [])).toThrow(RangeError);
  });

  it('inserts a reverse-mapped building block over a node of the same non-terminal', () => {
    const g = tradingGrammar();
    const pop = initialisePopulation(g, { populationSize: 30, minDepth: 6, maxDepth: 8 }, Rng.seeded(4));
    const block = reverseMap(g, 'sma(close, 200)', { rule: 'series', rng: Rng.seeded(5) })!;
    let spliced = 0;
    for (const ind of pop) {
      const t = mapGenome(g, ind.genome, { trace: true }).trace!;
      const k = Array.from(t.rule).findIndex((r) => t.ruleNames[r] === 'series');
      if (k < 0) continue;
      const child = spliceSubtree(ind.genome, { start: t.start[k], end: t.end[k] }, block.codons);
      const m = mapGenome(g, child);
      expect(m.valid).toBe(true);
      expect(m.phenotype).toContain('sma(close, 200)');
      spliced++;
    }
    expect(spliced).toBeGreaterThan(10);
  });
});

describe('subtreeCrossover', () => {
  const g = tradingGrammar();
  const pop = initialisePopulation(g, { populationSize: 40, minDepth: 6, maxDepth: 9 }, Rng.seeded(8));

  it('swaps same-non-terminal subtrees: children of valid parents are valid', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 39 }), fc.integer({ min: 0, max: 39 }), seed, (i, j, s) => {
        const a = pop[i].genome;
        const b = pop[j].genome;
        const kids = subtreeCrossover(g, a, b, Rng.seeded(s));
        expect(kids).not.toBeNull();
        const [c1, c2] = kids!;
        expect(c1.length + c2.length).toBe(a.length + b.length);
        const m1 = mapGenome(g, c1);
        const m2 = mapGenome(g, c2);
        expect(m1.valid && m2.valid).toBe(true);
        // Codons are conserved overall: the two ranges were exchanged.
        expect(m1.usedCodons + m2.usedCodons).toBe(pop[i].usedCodons + pop[j].usedCodons);
        expect(subtreeCrossover(g, a, b, Rng.seeded(s))).toEqual(kids);
      }),
      { numRuns: 200 },
    );
  });

  it('returns null for an invalid parent', () => {
    expect(subtreeCrossover(g, [0], pop[0].genome, Rng.seeded(1))).toBeNull();
  });
});
