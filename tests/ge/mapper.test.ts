import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/domain/errors.js';
import { mapGenome, Mapper, parseGrammar } from '../../src/ge/index.js';
import { exprGrammar, tradingGrammar } from './fixtures.js';

const expr = exprGrammar();

describe('mapGenome on <e> ::= <e> + <e> | x', () => {
  it('maps [0,1,1] to "x + x"', () => {
    expect(mapGenome(expr, [0, 1, 1])).toEqual({ valid: true, phenotype: 'x + x', usedCodons: 3, nodes: 3, depth: 2 });
  });

  it('maps [1] to "x" and ignores unused codons', () => {
    expect(mapGenome(expr, [1])).toEqual({ valid: true, phenotype: 'x', usedCodons: 1, nodes: 1, depth: 1 });
    expect(mapGenome(expr, Int32Array.of(7, 99, 42))).toMatchObject({ phenotype: 'x', usedCodons: 1 });
  });

  it('takes codon mod number of choices', () => {
    // 4 -> choice 0, 9 -> 1, 11 -> 1
    expect(mapGenome(expr, [4, 9, 11]).phenotype).toBe('x + x');
  });

  it('refuses codons that are not non-negative integers instead of mapping them to nonsense', () => {
    expect(() => mapGenome(expr, [-1, 0])).toThrow(/genome codon 0 is -1: codons are non-negative integers/);
    expect(() => mapGenome(expr, [0, 1.5, 1])).toThrow(/genome codon 1 is 1.5/);
  });

  it('is invalid when codons run out', () => {
    expect(mapGenome(expr, [0])).toEqual({ valid: false, phenotype: null, usedCodons: 1, nodes: 1, depth: 1 });
    expect(mapGenome(expr, [0, 1])).toMatchObject({ valid: false, usedCodons: 2 });
    expect(mapGenome(expr, [])).toEqual({ valid: false, phenotype: null, usedCodons: 0, nodes: 0, depth: 0 });
  });

  it('wraps: [0,1] with maxWraps 1 reads 0,1,0,1 and is still invalid', () => {
    // e -0-> <e> + <e>; first e -1-> x; wrap; second e -0-> <e> + <e>; its first e (depth 3) -1-> x;
    // its second e needs a 5th codon but the budget is 2 * 2 = 4.
    expect(mapGenome(expr, [0, 1], { maxWraps: 1 })).toEqual({
      valid: false,
      phenotype: null,
      usedCodons: 4,
      nodes: 4,
      depth: 3,
    });
  });

  it('wraps: [0,0,1] with maxWraps 2 never finishes; [0,0,1,1,1] derives x + x + x', () => {
    // e0 -0-> e1 + e2; e1 -0-> e3 + e4; e3 -1-> x; wrap; e4 -0-> e5 + e6; e5 -0-> e7 + e8;
    // e7 -1-> x; wrap; e8 -0-> ... runs on: invalid within 9 codons.
    expect(mapGenome(expr, [0, 0, 1], { maxWraps: 2 })).toMatchObject({ valid: false, usedCodons: 9 });
    expect(mapGenome(expr, [0, 0, 1, 1, 1])).toEqual({
      valid: true,
      phenotype: 'x + x + x',
      usedCodons: 5,
      nodes: 5,
      depth: 3,
    });
  });

  it('enforces maxDepth (start symbol = depth 1)', () => {
    expect(mapGenome(expr, [0, 1, 1], { maxDepth: 1 })).toMatchObject({ valid: false, phenotype: null });
    expect(mapGenome(expr, [0, 1, 1], { maxDepth: 2 })).toMatchObject({ valid: true, depth: 2 });
    expect(mapGenome(expr, [0, 0, 1, 1, 1], { maxDepth: 2 }).valid).toBe(false);
    expect(mapGenome(expr, [1], { maxDepth: 1 }).valid).toBe(true);
  });

  it('traces each node: rule, codon range of its subtree, depth', () => {
    const m = mapGenome(expr, [0, 0, 1, 1, 1, 5], { trace: true });
    const t = m.trace!;
    expect(t.count).toBe(5);
    expect(Array.from(t.start)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(t.end)).toEqual([5, 4, 3, 4, 5]);
    expect(Array.from(t.depth)).toEqual([1, 2, 3, 3, 2]);
    expect(Array.from(t.rule).map((r) => t.ruleNames[r])).toEqual(['e', 'e', 'e', 'e', 'e']);
    expect(mapGenome(expr, [0], { trace: true }).trace).toBeUndefined();
  });
});

describe('single-choice rules and wrapping', () => {
  const g = parseGrammar('<s> ::= <a> <a> <a>\n<a> ::= x | y\n', 's.bnf');

  it('consumes a codon for a rule with one choice', () => {
    expect(mapGenome(g, [0, 1, 0, 1])).toEqual({ valid: true, phenotype: 'y x y', usedCodons: 4, nodes: 4, depth: 2 });
    // The first codon (5) only selects <s>'s only choice; it is still consumed.
    expect(mapGenome(g, [5, 0, 0, 0]).phenotype).toBe('x x x');
    expect(mapGenome(g, [1, 1, 1]).valid).toBe(false);
  });

  it('wraps [0,1]: s -0, a -1-> y, wrap, a -0-> x, a -1-> y', () => {
    expect(mapGenome(g, [0, 1])).toMatchObject({ valid: false, usedCodons: 2 });
    expect(mapGenome(g, [0, 1], { maxWraps: 1 })).toEqual({
      valid: true,
      phenotype: 'y x y',
      usedCodons: 4,
      nodes: 4,
      depth: 2,
    });
    const t = mapGenome(g, [0, 1], { maxWraps: 1, trace: true }).trace!;
    // Ranges index the consumed sequence; genome index = index mod 2.
    expect(Array.from(t.end)).toEqual([4, 2, 3, 4]);
  });
});

describe('other mapping cases', () => {
  it('maps a chain of single-choice rules with depth', () => {
    const g = parseGrammar('<a> ::= (<b>)\n<b> ::= [<c>]\n<c> ::= c', 'c.bnf');
    expect(mapGenome(g, [0, 0, 0])).toEqual({ valid: true, phenotype: '([c])', usedCodons: 3, nodes: 3, depth: 3 });
  });

  it('is invalid when an undefined non-terminal is reached', () => {
    const g = parseGrammar('<a> ::= x | <nope>', 'u.bnf');
    expect(mapGenome(g, [0]).phenotype).toBe('x');
    expect(mapGenome(g, [1, 0, 0])).toMatchObject({ valid: false, usedCodons: 1 });
  });

  it('derives empty strings', () => {
    const g = parseGrammar("<a> ::= <o>x<o>\n<o> ::= '' | -", 'e.bnf');
    expect(mapGenome(g, [0, 0, 1]).phenotype).toBe('x-');
  });

  it('maps from another rule on request, and rejects unknown rules', () => {
    const t = tradingGrammar();
    expect(mapGenome(t, [1, 0, 1], { rule: 'ind' }).phenotype).toBe('ema(close, 200)');
    expect(() => mapGenome(t, [0], { rule: 'nope' })).toThrow(new InputError('trading.bnf: unknown non-terminal <nope>'));
  });

  it('grows its buffers for large derivations and reuses them', () => {
    const m = new Mapper(expr);
    const n = 5000;
    const genome = new Int32Array(2 * n + 1);
    genome.fill(0, 0, n);
    genome.fill(1, n);
    const r = m.map(genome, { trace: true });
    expect(r.valid).toBe(true);
    expect(r.phenotype).toBe(Array(n + 1).fill('x').join(' + '));
    expect(r.depth).toBe(n + 1);
    expect(m.map([0, 1, 1]).phenotype).toBe('x + x');
  });
});
