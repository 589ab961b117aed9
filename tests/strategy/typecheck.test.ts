import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/domain/errors.js';
import { call, field, num } from '../../src/strategy/ast.js';
import { compileAst, compileRule, parseRuleOrThrow } from '../../src/strategy/compile.js';

const errorOf = (text: string): string => {
  const r = compileRule(text);
  if (r.ok) throw new Error(`expected a type error for ${text}`);
  return r.error;
};

describe('type checker', () => {
  it.each([
    ['gt(1, 2)', 'column 1: gt(a, b) needs at least one series operand; both are numbers'],
    ['cross_above(1, 2)', 'column 1: cross_above(a, b) needs at least one series operand; both are numbers'],
    ['gt(add(1, 2), close)', 'column 4: add(a, b) needs at least one series operand; both are numbers'],
    ['gt(sma(close), 1)', 'column 4: sma(s, n) takes 2 arguments, got 1'],
    ['gt(sma(close, 5, 6), 1)', 'column 4: sma(s, n) takes 2 arguments, got 3'],
    ['not(gt(close, 1), lt(close, 2))', 'column 1: not(a) takes 1 argument, got 2'],
    ['gt(atr(), 1)', 'column 4: atr(n) takes 1 argument, got 0'],
    ['gt(sma(5, 10), close)', 'column 8: sma argument 1 (s) must be a series, got a number'],
    ['gt(sma(close, 0), 1)', 'column 15: sma argument 2 (n) must be an integer between 1 and 1000, got 0'],
    ['gt(sma(close, 2.5), 1)', 'column 15: sma argument 2 (n) must be an integer between 1 and 1000, got 2.5'],
    ['gt(sma(close, 1001), 1)', 'column 15: sma argument 2 (n) must be an integer between 1 and 1000, got 1001'],
    ['gt(sma(close, -3), 1)', 'column 15: sma argument 2 (n) must be an integer between 1 and 1000, got -3'],
    ['gt(sma(close, sma(close, 5)), 1)', 'column 15: sma argument 2 (n) must be a number literal'],
    ['gt(lag(close, 0), 1)', 'column 15: lag argument 2 (n) must be an integer between 1 and 1000, got 0'],
    ['gt(close, bb_upper(close, 20, 0))', 'column 31: bb_upper argument 3 (k) must be a number above 0 and at most 10, got 0'],
    ['gt(close, bb_lower(close, 20, 10.5))', 'column 31: bb_lower argument 3 (k) must be a number above 0 and at most 10, got 10.5'],
    ['gt(macd(close, 26, 12, 9), 0)', 'column 4: macd(s, fast, slow, signal) needs fast < slow, got fast 26 and slow 12'],
    ['gt(macd_hist(close, 12, 12, 9), 0)', 'column 4: macd_hist(s, fast, slow, signal) needs fast < slow, got fast 12 and slow 12'],
    ['gt(stoch_k(14, 101), 50)', 'column 16: stoch_k argument 2 (smooth) must be an integer between 1 and 100, got 101'],
    ['and(close, gt(close, 1))', 'column 5: and argument 1 (a) must be a bool condition, got a series'],
    ['and(gt(close, 1), sma(close, 5))', 'column 19: and argument 2 (b) must be a bool condition, got a series'],
    ['gt(close, gt(close, 1))', 'column 11: gt argument 2 (b) must be a series or a number, got a bool condition'],
    ['sma(gt(close, 1), 5)', 'column 5: sma argument 1 (s) must be a series, got a bool condition'],
    ['latch(gt(close, 1), 3)', 'column 21: latch argument 2 (off) must be a bool condition, got a number'],
    ['close', 'column 1: a rule must be a bool condition or long_short(long, short), got a series'],
    ['5', 'column 1: a rule must be a bool condition or long_short(long, short), got a number'],
    ['sma(close, 20)', 'column 1: a rule must be a bool condition or long_short(long, short), got a series'],
    ['not(long_short(gt(close, 1), lt(close, 1)))', 'column 5: not argument 1 (a) must be a bool condition, got a long_short position (only allowed as the whole rule)'],
    ['long_short(gt(close, 1), close)', 'column 26: long_short argument 2 (short) must be a bool condition, got a series'],
  ])('%s', (text, message) => {
    expect(errorOf(text)).toBe(message);
  });

  it('accepts well-typed rules and reports their type', () => {
    const bool = compileRule('and(gt(close, sma(close, 200)), lt(rsi(close, 14), 30))');
    expect(bool.ok && bool.rule.type).toBe('bool');
    const pos = compileRule('long_short(gt(close, sma(close, 50)), lt(close, sma(close, 50)))');
    expect(pos.ok && pos.rule.type).toBe('position');
    for (const ok of ['gt(2, close)', 'cross_above(50, rsi(close, 14))', 'gt(div(1, close), 0.01)', 'lt(sub(0, roc(close, 5)), 3)']) {
      expect(compileRule(ok).ok, ok).toBe(true);
    }
  });

  it('checks trees built in code, naming no column', () => {
    const r = compileAst(call('gt', num(1), num(2)));
    expect(r).toEqual({ ok: false, error: 'gt(a, b) needs at least one series operand; both are numbers' });
    const ok = compileAst(call('gt', field('close'), num(2)));
    expect(ok.ok && ok.rule.text).toBe('gt(close,2)');
  });

  it('parseRuleOrThrow throws a one-line InputError naming where the rule came from', () => {
    expect(() => parseRuleOrThrow('gt(close, smaa(close, 2))', '--rule')).toThrow(InputError);
    expect(() => parseRuleOrThrow('gt(close, smaa(close, 2))', '--rule')).toThrow("--rule: column 11: unknown name 'smaa'");
    const rule = parseRuleOrThrow(' gt( close , 1 ) ', 'config.yaml:rules[0]');
    expect(rule.text).toBe('gt(close,1)');
    expect(rule.size).toBe(3);
  });
});
