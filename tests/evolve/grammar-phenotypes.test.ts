import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadGrammar, mapGenome, initialisePopulation } from '../../src/ge/index.js';
import { compileRule } from '../../src/strategy/index.js';
import { Rng } from '../../src/domain/rng.js';

describe.each(['default', 'long_short'])('every phenotype of grammars/%s.bnf is a valid rule', (name) => {
  const grammar = loadGrammar(name);

  it('random genomes: every valid mapping parses and type-checks', () => {
    let valid = 0;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9999 }), { minLength: 10, maxLength: 200 }), (genome) => {
        const m = mapGenome(grammar, genome, { maxWraps: 2, maxDepth: 12 });
        if (!m.valid) return;
        valid++;
        const c = compileRule(m.phenotype!);
        expect(c.ok, `${m.phenotype}: ${c.ok ? '' : c.error}`).toBe(true);
        if (c.ok) expect(c.rule.type).toBe(name === 'long_short' ? 'position' : 'bool');
      }),
      { numRuns: 1500 },
    );
    expect(valid).toBeGreaterThan(100);
  });

  it('the sensible initialisation is valid and varied', () => {
    const pop = initialisePopulation(grammar, { populationSize: 300, minDepth: 4, maxDepth: 8 }, Rng.seeded(1));
    const texts = pop.map((p) => compileRule(p.phenotype).ok ? p.phenotype : null);
    expect(texts.every((t) => t !== null)).toBe(true);
    expect(new Set(texts).size).toBeGreaterThan(250);
  });
});
