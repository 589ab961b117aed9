import fc from 'fast-check';
import { call, field, num, type Node } from '../../../src/strategy/ast.js';
import { PRICE_FIELDS, type IndicatorFn } from '../../../src/strategy/functions.js';

/** fast-check arbitraries of well-typed rule trees (any finite literal, any legal parameter). */

const period = fc.integer({ min: 1, max: 1000 });
const literal = fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => num(v));
const priceField = fc.constantFrom(...PRICE_FIELDS).map((f) => field(f));

const ONE_PERIOD: IndicatorFn[] = ['sma', 'ema', 'rsi', 'roc', 'stdev', 'highest', 'lowest', 'lag'];

const trees = fc.letrec<{ series: Node; operand: Node; bool: Node; rule: Node }>((tie) => {
  const series = tie('series');
  const operand = tie('operand');
  const bool = tie('bool');
  const pair = fc.tuple(series, operand, fc.boolean()).map(([s, o, flip]) => (flip ? [o, s] : [s, o]) as [Node, Node]);
  return {
    series: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      priceField,
      fc.tuple(fc.constantFrom(...ONE_PERIOD), series, period).map(([fn, s, n]) => call(fn, s, num(n))),
      fc
        .tuple(fc.constantFrom<IndicatorFn>('macd', 'macd_signal', 'macd_hist'), series, fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 500 }), period)
        .map(([fn, s, fast, d, sig]) => call(fn, s, num(fast), num(fast + d), num(sig))),
      fc
        .tuple(fc.constantFrom<IndicatorFn>('bb_upper', 'bb_lower'), series, period, fc.double({ min: 0.01, max: 10, noNaN: true }))
        .map(([fn, s, n, k]) => call(fn, s, num(n), num(k))),
      fc.tuple(fc.constantFrom<IndicatorFn>('atr', 'adx'), period).map(([fn, n]) => call(fn, num(n))),
      fc.tuple(fc.constantFrom<IndicatorFn>('stoch_k', 'stoch_d'), period, fc.integer({ min: 1, max: 100 })).map(([fn, n, s]) => call(fn, num(n), num(s))),
      fc.tuple(fc.constantFrom('add', 'sub', 'mul', 'div' as const), pair).map(([fn, [a, b]]) => call(fn, a, b)),
    ),
    operand: fc.oneof(series, literal),
    bool: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.tuple(fc.constantFrom('gt', 'lt', 'cross_above', 'cross_below' as const), pair).map(([fn, [a, b]]) => call(fn, a, b)),
      fc.tuple(fc.constantFrom('and', 'or', 'latch' as const), bool, bool).map(([fn, a, b]) => call(fn, a, b)),
      bool.map((a) => call('not', a)),
    ),
    rule: fc.oneof(bool, fc.tuple(bool, bool).map(([l, s]) => call('long_short', l, s))),
  };
});

/** A well-typed rule: a bool condition or a long_short(...) position. */
export const ruleArb: fc.Arbitrary<Node> = trees.rule;
