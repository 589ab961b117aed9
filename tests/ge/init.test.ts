import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/domain/errors.js';
import { Rng } from '../../src/domain/rng.js';
import { growCodons, initialisePopulation, mapGenome, parseGrammar } from '../../src/ge/index.js';
import { exprGrammar, tradingGrammar } from './fixtures.js';

describe('initialisePopulation', () => {
  const trading = tradingGrammar();
  const opts = { populationSize: 200, minDepth: 6, maxDepth: 10, codonSize: 1000, tailRatio: 0.5 };
  const pop = initialisePopulation(trading, opts, Rng.seeded(42));

  it('produces valid individuals whose genomes map to their phenotypes', () => {
    expect(pop).toHaveLength(200);
    for (const ind of pop) {
      const m = mapGenome(trading, ind.genome);
      expect(m.valid).toBe(true);
      expect(m.phenotype).toBe(ind.phenotype);
      expect(m.usedCodons).toBe(ind.usedCodons);
      expect(m.depth).toBe(ind.depth);
    }
  });

  it('stays within the depth ramp and alternates grow / full over all depths', () => {
    for (const ind of pop) {
      expect(ind.depth).toBeLessThanOrEqual(ind.targetDepth);
      expect(ind.depth).toBeGreaterThanOrEqual(6); // <rule>'s min depth
      expect(ind.targetDepth).toBeGreaterThanOrEqual(6);
      expect(ind.targetDepth).toBeLessThanOrEqual(10);
    }
    const full = pop.filter((p) => p.method === 'full').length;
    expect(full).toBeGreaterThan(60);
    expect(full).toBeLessThan(140);
    expect(new Set(pop.map((p) => p.targetDepth))).toEqual(new Set([6, 7, 8, 9, 10]));
  });

  it('is varied: phenotypes are deduplicated', () => {
    expect(new Set(pop.map((p) => p.phenotype)).size).toBe(200);
  });

  it('adds a random tail and keeps codons in range', () => {
    for (const ind of pop) {
      expect(ind.genome.length).toBe(ind.usedCodons + Math.round(0.5 * ind.usedCodons));
      for (const c of ind.genome) {
        expect(c).toBeGreaterThanOrEqual(0);
        expect(c).toBeLessThan(1000);
      }
    }
  });

  it('is deterministic for a seed', () => {
    const again = initialisePopulation(trading, opts, Rng.seeded(42));
    expect(again.map((p) => Array.from(p.genome))).toEqual(pop.map((p) => Array.from(p.genome)));
    const other = initialisePopulation(trading, opts, Rng.seeded(43));
    expect(other.map((p) => p.phenotype)).not.toEqual(pop.map((p) => p.phenotype));
  });

  it('grows full trees to the target depth when the grammar allows', () => {
    const expr = exprGrammar();
    const p = initialisePopulation(expr, { populationSize: 40, minDepth: 1, maxDepth: 4 }, Rng.seeded(1));
    for (const ind of p) {
      expect(ind.depth).toBeLessThanOrEqual(4);
      if (ind.method === 'full') expect(ind.depth).toBe(ind.targetDepth);
    }
    // Full trees of <e> at depth d are perfect binary trees: 2^d - 1 expansions.
    const full4 = p.find((x) => x.method === 'full' && x.targetDepth === 4)!;
    expect(full4.usedCodons).toBe(15);
    expect(full4.phenotype).toBe(Array(8).fill('x').join(' + '));
  });

  it('keeps duplicates only when the grammar has too few phenotypes', () => {
    const g = parseGrammar('<a> ::= x | y', 'tiny.bnf');
    const p = initialisePopulation(g, { populationSize: 5, minDepth: 1, maxDepth: 3, maxRetries: 10 }, Rng.seeded(3));
    expect(p).toHaveLength(5);
    expect(new Set(p.map((x) => x.phenotype))).toEqual(new Set(['x', 'y']));
  });

  it('raises the ramp to the grammar minimum and rejects impossible depths', () => {
    const p = initialisePopulation(trading, { populationSize: 4, minDepth: 1, maxDepth: 6 }, Rng.seeded(5));
    expect(p.every((x) => x.targetDepth === 6 && x.depth === 6)).toBe(true);
    expect(() => initialisePopulation(trading, { populationSize: 4, minDepth: 1, maxDepth: 5 }, Rng.seeded(5))).toThrow(
      new InputError('trading.bnf: init maxDepth 5 is below the minimum derivation depth 6 of <rule>'),
    );
    expect(() => initialisePopulation(trading, { populationSize: 4, minDepth: 8, maxDepth: 7 }, Rng.seeded(5))).toThrow(
      InputError,
    );
    expect(initialisePopulation(trading, { populationSize: 0, minDepth: 6, maxDepth: 7 }, Rng.seeded(5))).toEqual([]);
  });
});

describe('growCodons', () => {
  it('regrows a subtree of a given rule within the remaining depth', () => {
    const g = tradingGrammar();
    const ind = g.ruleIndex.get('ind')!;
    const rng = Rng.seeded(9);
    for (let i = 0; i < 50; i++) {
      const codons = growCodons(g, ind, 8, 'grow', rng, 100, 5);
      const m = mapGenome(g, codons, { rule: 'ind' });
      expect(m.valid).toBe(true);
      expect(m.usedCodons).toBe(codons.length);
      expect(m.depth).toBeLessThanOrEqual(4); // depths 5..8 from the subtree root
    }
    expect(() => growCodons(g, ind, 5, 'grow', rng, 100, 5)).toThrow(RangeError);
  });
});
