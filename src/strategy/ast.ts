import type { PriceField } from '../domain/types.js';
import type { FnName, SeriesFn } from './functions.js';

/**
 * The abstract syntax tree of a rule. Nodes are plain immutable objects without source positions
 * (the parser keeps those in a side table), so two parses of equivalent text are deep-equal and a
 * tree can be built by hand or by a generator.
 */

/** A numeric literal such as `30` or `-1.5`. */
export interface NumLit {
  readonly kind: 'num';
  readonly value: number;
}

/** A price field of the asset: open, high, low, close or volume. */
export interface FieldRef {
  readonly kind: 'field';
  readonly field: PriceField;
}

/** A function application such as `sma(close, 200)`. */
export interface Call {
  readonly kind: 'call';
  readonly fn: FnName;
  readonly args: readonly Node[];
}

export type Node = NumLit | FieldRef | Call;

/** A call producing a series: an indicator or arithmetic node (never a bare price field). */
export interface SeriesNode extends Call {
  readonly fn: SeriesFn;
}

/** Literal node. -0 is normalised to 0 so that printing and re-parsing gives the same tree. */
export function num(value: number): NumLit {
  return { kind: 'num', value: value === 0 ? 0 : value };
}

export function field(name: PriceField): FieldRef {
  return { kind: 'field', field: name };
}

export function call(fn: FnName, ...args: Node[]): Call {
  return { kind: 'call', fn, args };
}

/** Number of nodes in the tree (literals and fields included). */
export function ruleSize(ast: Node): number {
  if (ast.kind !== 'call') return 1;
  let n = 1;
  for (const a of ast.args) n += ruleSize(a);
  return n;
}

/** True when the rule is a `long_short(long, short)` rule (type position). */
export function isLongShort(ast: Node): boolean {
  return ast.kind === 'call' && ast.fn === 'long_short';
}

/** Depth of the tree (a leaf has depth 1). */
export function ruleDepth(ast: Node): number {
  if (ast.kind !== 'call') return 1;
  let d = 0;
  for (const a of ast.args) d = Math.max(d, ruleDepth(a));
  return d + 1;
}
