import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { call, field, num, type Node } from '../../src/strategy/ast.js';
import { compileRule } from '../../src/strategy/compile.js';
import { parseRule } from '../../src/strategy/parser.js';
import { tokenize } from '../../src/strategy/tokenizer.js';

/** Argument i of a call node (test trees are known to be calls). */
const arg = (node: Node, i: number): Node => {
  if (node.kind !== 'call') throw new Error('not a call');
  return node.args[i];
};

const errorOf = (text: string): string => {
  const r = parseRule(text);
  if (r.ok) throw new Error(`expected a parse error for ${text}`);
  return r.error;
};

describe('parser', () => {
  it('parses function calls, fields and literals into a plain tree', () => {
    const r = parseRule('and(gt(close, sma(close, 200)), lt(rsi(close, 14), 30))');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.ast).toEqual(
      call(
        'and',
        call('gt', field('close'), call('sma', field('close'), num(200))),
        call('lt', call('rsi', field('close'), num(14)), num(30)),
      ),
    );
  });

  it('ignores whitespace, including newlines and tabs', () => {
    const a = parseRule('gt(close,sma(close,20))');
    const b = parseRule('  gt (\n\tclose ,\n   sma( close , 20 ) )  ');
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) expect(b.ast).toEqual(a.ast);
  });

  it('reads negative and decimal literals, and -0 as 0', () => {
    const r = parseRule('and(gt(close, -1.25), lt(close, -0))');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.ast).toEqual(call('and', call('gt', field('close'), num(-1.25)), call('lt', field('close'), num(0))));
    const zero = arg(arg(r.ast, 1), 1);
    expect(zero.kind === 'num' && Object.is(zero.value, 0)).toBe(true);
  });

  it('records where every node starts', () => {
    const r = parseRule('gt(close, sma(close, 20))');
    if (!r.ok) throw new Error(r.error);
    expect(r.spans.get(r.ast)).toBe(0);
    expect(r.spans.get(arg(r.ast, 1))).toBe(10);
  });

  it.each([
    ['', 'empty rule'],
    ['   ', 'empty rule'],
    ['gt(close, sma(close 200))', "column 21: expected ',' or ')' in the arguments of 'sma', found '200'"],
    ['gt(close, smaa(close, 200))', "column 11: unknown name 'smaa'"],
    ['SMA(close, 2)', "column 1: unknown name 'SMA' (names are lower case: 'sma')"],
    ['gt(close(1), 2)', "column 9: 'close' is a price field and takes no arguments"],
    ['gt(sma, 2)', "column 7: expected '(' after 'sma', found ','"],
    ['gt(close, 1.)', "column 12: expected a digit after '.'"],
    ['gt(close, .5)', "column 11: a number needs a digit before '.' (write 0.5)"],
    ['gt(close, 5) x', "column 14: unexpected 'x' after the end of the rule"],
    ['gt(close, 5', "column 12: expected ',' or ')' in the arguments of 'gt', found the end of the rule"],
    ['gt(close, $)', "column 11: unexpected character '$'"],
    ['gt(close, 5abc)', "column 11: malformed number '5a'"],
    ['gt(close, 1.2.3)', "column 11: malformed number '1.2.'"],
    ['gt(close, - 5)', "column 11: expected a digit after '-'"],
    ['gt(close,, 5)', "column 10: expected a number, a price field or a function, found ','"],
    ['gt(close, 1e5)', "column 11: malformed number '1e'"],
    ['and(\n  gt(close, 1),\n  lt(close, %)\n)', "line 3, column 13: unexpected character '%'"],
  ])('reports %j with its position', (text, message) => {
    expect(errorOf(text)).toBe(message);
  });

  it('rejects absurd nesting instead of overflowing the stack', () => {
    const deep = 'not('.repeat(150) + 'gt(close, 1)' + ')'.repeat(150);
    expect(errorOf(deep)).toMatch(/nested deeper than 100 levels/);
    const deeper = 'not('.repeat(200_000);
    expect(errorOf(deeper)).toMatch(/nested deeper/);
  });

  it('rejects literals that do not fit a double', () => {
    expect(errorOf(`gt(close, 1${'0'.repeat(400)})`)).toBe("column 11: number '1" + '0'.repeat(400) + "' is out of range");
  });

  it('tokenizes a pretty-printed rule', () => {
    const r = tokenize('gt(\n  close,\n  -2.5\n)');
    expect(r.ok && r.tokens.map((t) => t.kind)).toEqual(['ident', '(', 'ident', ',', 'number', ')', 'eof']);
  });

  it('compileRule never throws, whatever the text', () => {
    const alphabet = fc.constantFrom(
      ...'gt(close,sma(rsi(lt(and(or(not(latch(long_short(1,-2.5),)))) ,, 0.x$-.'.split(''),
      'sma',
      'cross_above',
      'macd',
      '200',
      '\n',
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }), fc.string(), (parts, junk) => {
        const r1 = compileRule(parts.join(''));
        const r2 = compileRule(junk);
        expect(typeof r1.ok).toBe('boolean');
        expect(typeof r2.ok).toBe('boolean');
        if (!r1.ok) expect(r1.error).not.toContain('\n');
      }),
      { numRuns: 2000 },
    );
  });
});
