import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/domain/errors.js';
import { Rng } from '../../src/domain/rng.js';
import { growCodons, intFlipMutation, mapGenome, parseGrammar, reverseMap } from '../../src/ge/index.js';
import { exprGrammar, tradingGrammar } from './fixtures.js';

describe('reverseMap', () => {
  const expr = exprGrammar();
  const trading = tradingGrammar();

  it('finds choice codons for hand-written text', () => {
    expect(reverseMap(expr, 'x')).toEqual({ codons: Int32Array.of(1), phenotype: 'x', exact: true });
    const r = reverseMap(expr, 'x + x + x')!;
    expect(r.exact).toBe(true);
    expect(mapGenome(expr, r.codons).phenotype).toBe('x + x + x');
    expect(r.codons).toHaveLength(5);
  });

  it('returns null for text the grammar cannot derive', () => {
    expect(reverseMap(expr, 'x+x')).toBeNull();
    expect(reverseMap(expr, 'x + ')).toBeNull();
    expect(reverseMap(expr, '')).toBeNull();
    expect(reverseMap(trading, 'gt(close, banana)')).toBeNull();
  });

  it('turns a building block into subtree codons of a non-terminal', () => {
    const r = reverseMap(trading, 'gt(close, sma(close, 200))', { rule: 'cmp' })!;
    expect(mapGenome(trading, r.codons, { rule: 'cmp' })).toMatchObject({
      valid: true,
      phenotype: 'gt(close, sma(close, 200))',
      usedCodons: r.codons.length,
    });
    expect(reverseMap(trading, 'gt(close, sma(close, 200))')).not.toBeNull();
    expect(() => reverseMap(trading, 'x', { rule: 'nope' })).toThrow(InputError);
  });

  it('adds random multiples of the choice count when given an rng, within codonSize', () => {
    const plain = reverseMap(trading, 'and(not(lt(open, -1.25)), gt(rsi(close, 14), 7.00))')!;
    const r = reverseMap(trading, 'and(not(lt(open, -1.25)), gt(rsi(close, 14), 7.00))', {
      rng: Rng.seeded(1),
      codonSize: 500,
    })!;
    expect(r.phenotype).toBe(plain.phenotype);
    const t = mapGenome(trading, plain.codons, { trace: true }).trace!;
    for (let k = 0; k < r.codons.length; k++) {
      const n = trading.rules[t.rule[k]].numChoices;
      expect(r.codons[k] % n).toBe(plain.codons[k]);
      expect(r.codons[k]).toBeLessThan(500);
    }
    expect(Array.from(r.codons)).not.toEqual(Array.from(plain.codons));
  });

  it('is lenient about spaces after commas, returning the grammar spelling', () => {
    const r = reverseMap(trading, '  gt(close,sma(close,   200)) ')!;
    expect(r).not.toBeNull();
    expect(r.exact).toBe(false);
    expect(r.phenotype).toBe('gt(close, sma(close, 200))');
    const tight = parseGrammar('<c> ::= f(<c>,<c>) | a', 'tight.bnf');
    expect(reverseMap(tight, 'f(a, f(a,a))')!.phenotype).toBe('f(a,f(a,a))');
    expect(reverseMap(tight, 'f(a, a)', { lenient: false })).toBeNull();
  });

  it('handles empty productions, unit cycles and hidden left recursion', () => {
    // <a> <-> <b> is a unit cycle; <o> is nullable, so <o><s>? is left-recursive in disguise.
    const g = parseGrammar(
      ["<s> ::= <a> | <s><o>! | <o><s>?", "<a> ::= <b> | x", "<b> ::= <a> | y<o>", "<o> ::= '' | -"].join('\n'),
      'cyc.bnf',
    );
    for (const text of ['x', 'y', 'y-', 'x!', 'x-!!', 'y--!', 'x?', '-x?', 'x!?', '-y-?-!']) {
      const r = reverseMap(g, text);
      expect(r, text).not.toBeNull();
      expect(mapGenome(g, r!.codons).phenotype).toBe(text);
    }
    for (const text of ['x-', '', '!', 'xy', '--x?']) expect(reverseMap(g, text), text).toBeNull();
  });

  it('round-trips random valid genomes: map -> reverse -> map', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 6, max: 10 }), fc.boolean(), (seed, depth, full) => {
        const rng = Rng.seeded(seed);
        const grown = growCodons(trading, 0, depth, full ? 'full' : 'grow', rng, 1000);
        // Mutation makes genomes the initialiser would not build; keep the ones that stay valid.
        const genome = intFlipMutation(grown, grown.length, 0.05, 1000, rng);
        const m = mapGenome(trading, genome);
        fc.pre(m.valid);
        const r = reverseMap(trading, m.phenotype!, { rng });
        expect(r).not.toBeNull();
        expect(r!.exact).toBe(true);
        expect(mapGenome(trading, r!.codons).phenotype).toBe(m.phenotype);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips the ambiguous expression grammar', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 60 }), (codons) => {
        const m = mapGenome(expr, codons);
        fc.pre(m.valid);
        const r = reverseMap(expr, m.phenotype!)!;
        expect(mapGenome(expr, r.codons).phenotype).toBe(m.phenotype);
      }),
    );
  });
});
