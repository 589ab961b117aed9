import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { call, field, isLongShort, num, ruleSize } from '../../src/strategy/ast.js';
import { compileAst, compileRule } from '../../src/strategy/compile.js';
import { formatNumber, formatRule } from '../../src/strategy/format.js';
import { parseRule } from '../../src/strategy/parser.js';
import { oneLine, prettyRule } from '../../src/strategy/pretty.js';
import { ruleArb } from './helpers/arbitraries.js';

describe('canonical printer', () => {
  it('prints without whitespace, arguments in their written order', () => {
    const r = compileRule(' and( gt(close , sma(close, 200)) ,\n lt(rsi(close,14), 30.50) ) ');
    expect(r.ok && r.rule.text).toBe('and(gt(close,sma(close,200)),lt(rsi(close,14),30.5))');
  });

  it.each([
    [0, '0'],
    [-0, '0'],
    [30, '30'],
    [-1.5, '-1.5'],
    [0.1, '0.1'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [-2.5e-8, '-0.000000025'],
    [123456789.125, '123456789.125'],
    [5e-324, '0.' + '0'.repeat(323) + '5'],
  ])('formatNumber(%s) = %s', (v, s) => {
    expect(formatNumber(v)).toBe(s);
    expect(Number(s)).toBe(v === 0 ? 0 : v);
  });

  it('refuses non-finite numbers', () => {
    expect(() => formatNumber(NaN)).toThrow(RangeError);
    expect(() => formatNumber(Infinity)).toThrow(RangeError);
  });

  it('round-trips: parse(format(ast)) equals ast, for random well-typed trees', () => {
    fc.assert(
      fc.property(ruleArb, (ast) => {
        const text = formatRule(ast);
        const back = parseRule(text);
        if (!back.ok) throw new Error(`${back.error} in ${text}`);
        expect(back.ast).toEqual(ast);
        // Printing is stable (a fixed point) and the generated trees type-check.
        expect(formatRule(back.ast)).toBe(text);
        const compiled = compileAst(ast);
        expect(compiled.ok && compiled.rule.text).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips the pretty and one-line renderings too', () => {
    fc.assert(
      fc.property(ruleArb, fc.integer({ min: 10, max: 120 }), (ast, width) => {
        for (const text of [prettyRule(ast, { width }), oneLine(ast)]) {
          const back = parseRule(text);
          if (!back.ok) throw new Error(`${back.error} in ${text}`);
          expect(back.ast).toEqual(ast);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('pretty printer', () => {
  it('keeps short calls on one line and breaks long ones, one argument per line', () => {
    const r = parseRule('and(gt(close, sma(close, 200)), lt(rsi(close, 14), 30))');
    if (!r.ok) throw new Error(r.error);
    expect(prettyRule(r.ast)).toBe('and(gt(close, sma(close, 200)), lt(rsi(close, 14), 30))');
    expect(prettyRule(r.ast, { width: 30 })).toBe(['and(', '  gt(close, sma(close, 200)),', '  lt(rsi(close, 14), 30)', ')'].join('\n'));
    expect(prettyRule(r.ast, { width: 24, indent: 4 })).toBe(
      ['and(', '    gt(', '        close,', '        sma(close, 200)', '    ),', '    lt(', '        rsi(close, 14),', '        30', '    )', ')'].join('\n'),
    );
  });
});

describe('tree helpers', () => {
  it('ruleSize counts every node; isLongShort recognises position rules', () => {
    const ast = call('and', call('gt', field('close'), call('sma', field('close'), num(200))), call('lt', call('rsi', field('close'), num(14)), num(30)));
    expect(ruleSize(ast)).toBe(11);
    expect(isLongShort(ast)).toBe(false);
    expect(isLongShort(call('long_short', ast, ast))).toBe(true);
  });
});
