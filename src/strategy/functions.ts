import type { PriceField } from '../domain/types.js';

/**
 * The vocabulary of the rule language: every name a phenotype may use, with its argument
 * signature, result type and literal-parameter ranges. The parser, the type checker, the
 * evaluators and LANGUAGE.md all follow this table, so it is the one place to extend the language.
 */

/** The four value types. `num` is a literal; `position` only exists at the top of a rule. */
export type ValueType = 'num' | 'series' | 'bool' | 'position';

/** Price fields readable by rules, in panel order. */
export const PRICE_FIELDS: readonly PriceField[] = ['open', 'high', 'low', 'close', 'volume'];

/** Names of series-producing indicator functions (cached per configuration). */
export type IndicatorFn =
  | 'sma'
  | 'ema'
  | 'rsi'
  | 'roc'
  | 'stdev'
  | 'highest'
  | 'lowest'
  | 'lag'
  | 'macd'
  | 'macd_signal'
  | 'macd_hist'
  | 'bb_upper'
  | 'bb_lower'
  | 'atr'
  | 'adx'
  | 'stoch_k'
  | 'stoch_d';
export type ArithFn = 'add' | 'sub' | 'mul' | 'div';
export type CompareFn = 'gt' | 'lt';
export type CrossFn = 'cross_above' | 'cross_below';
export type LogicFn = 'and' | 'or' | 'not' | 'latch';
/** Functions whose result is a series. */
export type SeriesFn = IndicatorFn | ArithFn;
export type FnName = SeriesFn | CompareFn | CrossFn | LogicFn | 'long_short';

/** What a function's argument must be. */
export type ArgSpec =
  /** A series expression (price field, indicator or arithmetic). */
  | { readonly kind: 'series'; readonly name: string }
  /** A series expression or a numeric literal. */
  | { readonly kind: 'operand'; readonly name: string }
  /** A bool condition. */
  | { readonly kind: 'bool'; readonly name: string }
  /** A numeric literal in [min, max] (min excluded when `minExclusive`), an integer if `integer`. */
  | {
      readonly kind: 'param';
      readonly name: string;
      readonly min: number;
      readonly max: number;
      readonly integer: boolean;
      readonly minExclusive?: boolean;
    };

/** How a function is evaluated. */
export type Family = 'indicator' | 'arith' | 'compare' | 'cross' | 'logic' | 'latch' | 'long_short';

export interface FnSpec {
  readonly name: FnName;
  readonly family: Family;
  readonly args: readonly ArgSpec[];
  readonly result: ValueType;
  /** One line for docs and error hints. */
  readonly summary: string;
}

/** Longest lookback any period may ask for, in bars. */
export const MAX_PERIOD = 1000;

const series = (name = 's'): ArgSpec => ({ kind: 'series', name });
const operand = (name: string): ArgSpec => ({ kind: 'operand', name });
const bool = (name: string): ArgSpec => ({ kind: 'bool', name });
const period = (name = 'n', min = 1, max = MAX_PERIOD): ArgSpec => ({
  kind: 'param',
  name,
  min,
  max,
  integer: true,
});

const SPECS: readonly FnSpec[] = [
  { name: 'sma', family: 'indicator', args: [series(), period()], result: 'series', summary: 'simple moving average of s over n bars' },
  { name: 'ema', family: 'indicator', args: [series(), period()], result: 'series', summary: 'exponential moving average (alpha 2/(n+1), seeded with the first SMA)' },
  { name: 'rsi', family: 'indicator', args: [series(), period()], result: 'series', summary: "Wilder's relative strength index, 0..100, rounded to 2 decimals" },
  { name: 'roc', family: 'indicator', args: [series(), period()], result: 'series', summary: 'rate of change in percent: 100*(s - s[n bars ago])/s[n bars ago]' },
  { name: 'stdev', family: 'indicator', args: [series(), period()], result: 'series', summary: 'population standard deviation of s over n bars' },
  { name: 'highest', family: 'indicator', args: [series(), period()], result: 'series', summary: 'maximum of s over the last n bars, today included' },
  { name: 'lowest', family: 'indicator', args: [series(), period()], result: 'series', summary: 'minimum of s over the last n bars, today included' },
  { name: 'lag', family: 'indicator', args: [series(), period()], result: 'series', summary: 'value of s n bars ago' },
  { name: 'macd', family: 'indicator', args: [series(), period('fast'), period('slow', 2), period('signal')], result: 'series', summary: 'MACD line: EMA(fast) - EMA(slow)' },
  { name: 'macd_signal', family: 'indicator', args: [series(), period('fast'), period('slow', 2), period('signal')], result: 'series', summary: 'EMA(signal) of the MACD line' },
  { name: 'macd_hist', family: 'indicator', args: [series(), period('fast'), period('slow', 2), period('signal')], result: 'series', summary: 'MACD line minus its signal line' },
  {
    name: 'bb_upper',
    family: 'indicator',
    args: [series(), period(), { kind: 'param', name: 'k', min: 0, max: 10, integer: false, minExclusive: true }],
    result: 'series',
    summary: 'upper Bollinger band: SMA(n) + k * stdev(n)',
  },
  {
    name: 'bb_lower',
    family: 'indicator',
    args: [series(), period(), { kind: 'param', name: 'k', min: 0, max: 10, integer: false, minExclusive: true }],
    result: 'series',
    summary: 'lower Bollinger band: SMA(n) - k * stdev(n)',
  },
  { name: 'atr', family: 'indicator', args: [period()], result: 'series', summary: "Wilder's average true range of the asset over n bars" },
  { name: 'adx', family: 'indicator', args: [period()], result: 'series', summary: "Wilder's average directional index of the asset, 0..100" },
  { name: 'stoch_k', family: 'indicator', args: [period(), period('smooth', 1, 100)], result: 'series', summary: 'slow stochastic %K: SMA(smooth) of the raw %K over n bars, 0..100' },
  { name: 'stoch_d', family: 'indicator', args: [period(), period('smooth', 1, 100)], result: 'series', summary: 'stochastic %D: SMA(smooth) of stoch_k(n, smooth)' },
  { name: 'add', family: 'arith', args: [operand('a'), operand('b')], result: 'series', summary: 'a + b' },
  { name: 'sub', family: 'arith', args: [operand('a'), operand('b')], result: 'series', summary: 'a - b' },
  { name: 'mul', family: 'arith', args: [operand('a'), operand('b')], result: 'series', summary: 'a * b' },
  { name: 'div', family: 'arith', args: [operand('a'), operand('b')], result: 'series', summary: 'a / b (unknown where b is 0)' },
  { name: 'gt', family: 'compare', args: [operand('a'), operand('b')], result: 'bool', summary: 'a > b' },
  { name: 'lt', family: 'compare', args: [operand('a'), operand('b')], result: 'bool', summary: 'a < b' },
  { name: 'cross_above', family: 'cross', args: [operand('a'), operand('b')], result: 'bool', summary: 'a > b today and a <= b yesterday' },
  { name: 'cross_below', family: 'cross', args: [operand('a'), operand('b')], result: 'bool', summary: 'a < b today and a >= b yesterday' },
  { name: 'and', family: 'logic', args: [bool('a'), bool('b')], result: 'bool', summary: 'both true' },
  { name: 'or', family: 'logic', args: [bool('a'), bool('b')], result: 'bool', summary: 'either true' },
  { name: 'not', family: 'logic', args: [bool('a')], result: 'bool', summary: 'negation' },
  { name: 'latch', family: 'latch', args: [bool('on'), bool('off')], result: 'bool', summary: 'true from a day `on` holds until a day `off` holds without `on`' },
  { name: 'long_short', family: 'long_short', args: [bool('long'), bool('short')], result: 'position', summary: '+1 when long, -1 when short and not long, else 0' },
];

/** The function table, by name. */
export const FUNCTIONS: ReadonlyMap<string, FnSpec> = new Map(SPECS.map((s) => [s.name, s]));

const FIELD_SET: ReadonlySet<string> = new Set(PRICE_FIELDS);

/** True for the five price field names. */
export function isPriceField(name: string): name is PriceField {
  return FIELD_SET.has(name);
}

/** The spec of a known function name, or undefined. */
export function fnSpec(name: string): FnSpec | undefined {
  return FUNCTIONS.get(name);
}

/** True when `fn` yields a series (an indicator or arithmetic). */
export function isSeriesFn(fn: FnName): fn is SeriesFn {
  const f = FUNCTIONS.get(fn)!.family;
  return f === 'indicator' || f === 'arith';
}

/** Human signature such as `sma(s, n)`, for error messages and docs. */
export function signatureText(spec: FnSpec): string {
  return `${spec.name}(${spec.args.map((a) => a.name).join(', ')})`;
}
