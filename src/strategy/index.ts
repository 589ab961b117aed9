/**
 * The strategy language: parse, type-check, print and evaluate trading rules.
 * See LANGUAGE.md in this folder for the language itself.
 */
export { call, field, num, isLongShort, ruleDepth, ruleSize } from './ast.js';
export type { Call, FieldRef, Node, NumLit, SeriesNode } from './ast.js';
export { FUNCTIONS, MAX_PERIOD, PRICE_FIELDS, fnSpec, isPriceField, isSeriesFn, signatureText } from './functions.js';
export type { ArgSpec, FnName, FnSpec, IndicatorFn, SeriesFn, ValueType } from './functions.js';
export { tokenize, describePosition } from './tokenizer.js';
export type { Token, TokenKind, TokenizeResult } from './tokenizer.js';
export { MAX_NESTING, parseRule } from './parser.js';
export type { ParseResult, Spans } from './parser.js';
export { checkRule } from './typecheck.js';
export type { CheckResult } from './typecheck.js';
export { formatNumber, formatRule } from './format.js';
export { oneLine, prettyRule } from './pretty.js';
export type { PrettyOptions } from './pretty.js';
export { compileAst, compileRule, parseRuleOrThrow } from './compile.js';
export type { CompileResult, CompiledRule } from './compile.js';
export { IndicatorCache } from './cache.js';
export type { IndicatorCacheOptions, PanelShape } from './cache.js';
export { computeSeries, requiredSeries, seriesKey } from './series.js';
export { BoolMemo } from './memo.js';
export type { BoolMemoOptions, BoolMemoStats } from './memo.js';
export { evaluatePositionPlanes, evaluatePositions, memoiseComparisons } from './evaluate.js';
export type { RulePlanes } from './evaluate.js';
export { boolBufOf, boolBytes, newSharedBoolBuf } from './kernels-bool.js';
export { bitWords } from './kernels-bits.js';
export type { BoolBuf } from './kernels-bool.js';
export { referencePositions } from './reference.js';
