import { describe, expect, it } from 'vitest';
import { parseGrammar } from '../../src/ge/index.js';
import { applySpeciesPenalty, correlation, runSearch, type Individual, type SearchOptions, type Score } from '../../src/ge/search.js';
import { Rng } from '../../src/domain/rng.js';

const GRAMMAR = parseGrammar(
  `<e> ::= <t> | f(<e>,<t>)
   <t> ::= a | b | c | d`,
  'test.bnf',
);

const OPTS: SearchOptions = {
  population: 20,
  generations: 30,
  tournamentSize: 3,
  elitism: 2,
  crossoverRate: 0.9,
  mutationRate: 0.05,
  blockInsertionRate: 0,
  minInitDepth: 2,
  maxInitDepth: 5,
  maxDepth: 8,
  maxWraps: 0,
  codonSize: 1000,
  species: 1,
  speciesPenalty: 0,
  patience: 4,
  hallOfFame: 5,
};

/** Fitness = number of a's; validation is constant, so it never improves after generation 0. */
const countA = async (ps: readonly (string | null)[]): Promise<Score[]> =>
  ps.map((p) => (p === null ? { valid: false, fitness: -1e6, validation: -1e6 } : { valid: true, fitness: (p.match(/a/g) ?? []).length, validation: 1 }));

describe('the search loop', () => {
  it('stops early after `patience` generations without a better validation fitness', async () => {
    const r = await runSearch(GRAMMAR, OPTS, countA, Rng.seeded(1));
    expect(r.stoppedEarly).toBe(true);
    expect(r.generations).toBe(OPTS.patience + 1);
  });

  it('improves train fitness and keeps the elite', async () => {
    const improving = async (ps: readonly (string | null)[]): Promise<Score[]> =>
      (await countA(ps)).map((s) => ({ ...s, validation: s.fitness }));
    const best: number[] = [];
    await runSearch(GRAMMAR, { ...OPTS, generations: 12, patience: 100 }, improving, Rng.seeded(2), {
      onGeneration: (stats) => void best.push(stats[0].bestTrain),
    });
    for (let i = 1; i < best.length; i++) expect(best[i]).toBeGreaterThanOrEqual(best[i - 1]); // elitism
    expect(best.at(-1)!).toBeGreaterThan(best[0]);
  });

  it('is deterministic with a seed', async () => {
    const run = async () => {
      const r = await runSearch(GRAMMAR, { ...OPTS, patience: 100, generations: 6 }, async (ps) => (await countA(ps)).map((s) => ({ ...s, validation: s.fitness })), Rng.seeded(9));
      return r.state.populations[0].map((i) => i.phenotype);
    };
    expect(await run()).toEqual(await run());
  });

  it('maps with the wraps it is allowed: a genome that needs one wrap is valid only with maxWraps >= 1', async () => {
    // e -1-> f(<e>,<t>); e -0-> <t>; t -0-> a; out of codons: wrap; t -1-> b.
    const first = async (maxWraps: number) => {
      let gen0: readonly (string | null)[] = [];
      await runSearch(GRAMMAR, { ...OPTS, maxWraps, generations: 1, patience: 100 }, async (ps) => {
        if (gen0.length === 0) gen0 = ps;
        return countA(ps);
      }, Rng.seeded(5), { seeds: [Int32Array.of(1, 0, 0)] });
      return gen0[0];
    };
    expect(await first(1)).toBe('f(a,b)');
    expect(await first(0)).toBeNull();
  });

  it('the hall of fame keeps the best rules by TRAIN fitness; validation only chooses among them later', async () => {
    // Validation prefers the rules train fitness dislikes: a hall ranked by validation would hold them.
    const opposed = async (ps: readonly (string | null)[]): Promise<Score[]> => (await countA(ps)).map((s) => ({ ...s, validation: -s.fitness }));
    const r = await runSearch(GRAMMAR, { ...OPTS, generations: 8, patience: 100, hallOfFame: 4 }, opposed, Rng.seeded(6));
    const hall = [...r.state.hallOfFame.values()].map((i) => i.score.fitness);
    // The distinct rules of the last generation: the hall (over all generations) beats their 4th best.
    const distinct = new Map(r.state.populations.flat().filter((i) => i.score.valid).map((i) => [i.phenotype, i.score.fitness]));
    expect(hall).toHaveLength(4);
    expect(Math.min(...hall)).toBeGreaterThanOrEqual([...distinct.values()].sort((a, b) => b - a)[3]);
  });

  it('asks for validation only for the train-elite: the hall of fame and each species\' best', async () => {
    const trainOnly = async (ps: readonly (string | null)[]): Promise<Score[]> => (await countA(ps)).map((s) => (s.valid ? { ...s, validation: Number.NaN } : s));
    const asked: string[][] = [];
    const validate = async (ps: readonly string[]) => {
      asked.push([...ps]);
      return ps.map((p) => (p.match(/b/g) ?? []).length);
    };
    const opts = { ...OPTS, species: 2, generations: 6, patience: 100, hallOfFame: 4 };
    const stats: number[][] = [];
    const r = await runSearch(GRAMMAR, opts, trainOnly, Rng.seeded(11), { validate, onGeneration: (s) => void stats.push(s.map((x) => x.bestValidation)) });
    const all = asked.flat();
    for (const batch of asked) expect(new Set(batch).size).toBe(batch.length); // one request per phenotype
    // Per generation at most the hall's entrants and one best per species.
    for (const batch of asked) expect(batch.length).toBeLessThanOrEqual(opts.hallOfFame + opts.species);
    expect(all.length).toBeLessThan(opts.population * opts.species * 2);
    for (const ind of r.state.hallOfFame.values()) expect(ind.score.validation).toBe((ind.phenotype!.match(/b/g) ?? []).length);
    for (const pop of r.state.populations) {
      const best = pop.filter((i) => i.score.valid).sort((a, b) => b.score.fitness - a.score.fitness)[0];
      expect(Number.isNaN(best.score.validation)).toBe(false);
      // The generation's figure is the best validation among the validated, never NaN.
    }
    for (const row of stats) for (const v of row) expect(Number.isNaN(v)).toBe(false);
    await expect(runSearch(GRAMMAR, { ...OPTS, generations: 2 }, trainOnly, Rng.seeded(1))).rejects.toThrow(/no validator/);
  });

  it('with several species, selection sees the penalty for copying another species\' best', async () => {
    // Every phenotype gets the same signature: all are perfectly correlated across species.
    const same = async (ps: readonly (string | null)[]): Promise<Score[]> =>
      (await countA(ps)).map((s) => (s.valid ? { ...s, signature: Float32Array.of(1, 0, 1, 1, 0) } : s));
    const r = await runSearch(GRAMMAR, { ...OPTS, species: 2, speciesPenalty: 0.75, generations: 2, patience: 100 }, same, Rng.seeded(7));
    const valid = r.state.populations.flat().filter((i) => i.score.valid);
    expect(valid.length).toBeGreaterThan(0);
    for (const i of valid) expect(i.selection).toBeCloseTo(i.score.fitness - 0.75, 12);
  });

  it('inserts building blocks where the grammar derives them', async () => {
    const seen = new Set<string>();
    await runSearch(GRAMMAR, { ...OPTS, blockInsertionRate: 1, generations: 3, patience: 100 }, async (ps) => {
      ps.forEach((p) => p && seen.add(p));
      return countA(ps);
    }, Rng.seeded(4), { blocks: ['f(d,d)'] });
    expect([...seen].some((p) => p.includes('f(d,d)'))).toBe(true);
  });
});

describe('the species penalty', () => {
  const ind = (species: number, fitness: number, signature: number[]): Individual => ({
    genome: new Int32Array(1), phenotype: `x${species}${fitness}`, usedCodons: 1, nodes: 1, depth: 1, species,
    score: { valid: true, fitness, validation: 0, signature: Float32Array.from(signature) }, selection: fitness,
  });

  it('lowers a candidate by gamma x its largest |correlation| with the other species\' best', () => {
    const leader0 = ind(0, 2, [1, 0, 1, 0]);
    const copy1 = ind(1, 1.5, [1, 0, 1, 0]); // the same positions as species 0's best
    const other1 = ind(1, 1.4, [1, 1, 0, 0]); // uncorrelated with it
    const pops = [[leader0], [copy1, other1]];
    applySpeciesPenalty(pops, 0.5);
    expect(copy1.selection).toBeCloseTo(1.5 - 0.5, 12);
    expect(other1.selection).toBeCloseTo(1.4, 12);
    // Species 1's best by raw fitness is copy1, perfectly correlated with leader0.
    expect(leader0.selection).toBeCloseTo(2 - 0.5, 12);
    expect(correlation(Float32Array.from([1, 0, 1, 0]), Float32Array.from([0, 1, 0, 1]))).toBeCloseTo(-1, 12);
  });

  it('does nothing with one species', () => {
    const a = ind(0, 1, [1, 0]);
    applySpeciesPenalty([[a]], 0.5);
    expect(a.selection).toBe(1);
  });
});
