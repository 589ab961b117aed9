import type { Call, FieldRef, Node, SeriesNode } from './ast.js';
import { formatNumber } from './format.js';

/**
 * Evaluation plan of a type-checked rule: the bool part of the tree with every node's memo key
 * precomputed (so the hot path builds no strings) and a few normalisations that let equal work
 * share one memo entry:
 * - `lt(a, b)` is evaluated as `gt(b, a)` (key `gt(b,a)`);
 * - `cross_above(a, b)` is computed from the comparison `gt(a, b)` and `cross_below(a, b)` from
 *   `lt(a, b)`, so a cross reuses the memoised comparison and vice versa.
 * Memo keys of and/or/not/latch/cross are built from these normalised keys, so they are not
 * always valid rule text; they are only ever compared with each other.
 */

/** A comparison or arithmetic operand: a literal or a series column (price field or cached node). */
export type Operand =
  | { readonly k: 'const'; readonly value: number }
  | { readonly k: 'field'; readonly node: FieldRef }
  | { readonly k: 'series'; readonly node: SeriesNode; readonly key: string };

export interface CrossPlan {
  readonly op: 'cross';
  readonly key: string;
  readonly cmp: GtPlan;
}

export interface GtPlan {
  readonly op: 'gt';
  readonly key: string;
  readonly a: Operand;
  readonly b: Operand;
}

export type BoolPlan =
  | GtPlan
  | CrossPlan
  | { readonly op: 'and' | 'or'; readonly key: string; readonly a: BoolPlan; readonly b: BoolPlan }
  | { readonly op: 'not'; readonly key: string; readonly a: BoolPlan }
  | { readonly op: 'latch'; readonly key: string; readonly on: BoolPlan; readonly off: BoolPlan };

export type RulePlan =
  | { readonly kind: 'bool'; readonly root: BoolPlan }
  | { readonly kind: 'position'; readonly long: BoolPlan; readonly short: BoolPlan };

/** Build the plan of a rule that type-checked as `type`. */
export function buildPlan(ast: Node, type: 'bool' | 'position'): RulePlan {
  if (type === 'position') {
    const [l, s] = (ast as Call).args;
    return { kind: 'position', long: boolPlan(l), short: boolPlan(s) };
  }
  return { kind: 'bool', root: boolPlan(ast) };
}

/** Canonical text of a node, built bottom-up (same output as formatRule). */
function keyOf(node: Node): string {
  if (node.kind === 'num') return formatNumber(node.value);
  if (node.kind === 'field') return node.field;
  return `${node.fn}(${node.args.map(keyOf).join(',')})`;
}

function operand(node: Node): { op: Operand; key: string } {
  if (node.kind === 'num') return { op: { k: 'const', value: node.value }, key: formatNumber(node.value) };
  if (node.kind === 'field') return { op: { k: 'field', node }, key: node.field };
  const key = keyOf(node);
  return { op: { k: 'series', node: node as SeriesNode, key }, key };
}

function gtPlan(left: Node, right: Node): GtPlan {
  const a = operand(left);
  const b = operand(right);
  return { op: 'gt', key: `gt(${a.key},${b.key})`, a: a.op, b: b.op };
}

/** cross_above(a,b) and cross_below(b,a) are the same function, so both get the key `cross(gt(a,b))`. */
function crossPlan(cmp: GtPlan): BoolPlan {
  return { op: 'cross', key: `cross(${cmp.key})`, cmp };
}

function boolPlan(node: Node): BoolPlan {
  const c = node as Call;
  const [x, y] = c.args;
  switch (c.fn) {
    case 'gt':
      return gtPlan(x, y);
    case 'lt':
      return gtPlan(y, x);
    case 'cross_above':
      return crossPlan(gtPlan(x, y));
    case 'cross_below':
      return crossPlan(gtPlan(y, x));
    case 'and':
    case 'or': {
      const a = boolPlan(x);
      const b = boolPlan(y);
      return { op: c.fn, key: `${c.fn}(${a.key},${b.key})`, a, b };
    }
    case 'not': {
      const a = boolPlan(x);
      return { op: 'not', key: `not(${a.key})`, a };
    }
    case 'latch': {
      const on = boolPlan(x);
      const off = boolPlan(y);
      return { op: 'latch', key: `latch(${on.key},${off.key})`, on, off };
    }
    default:
      throw new Error(`not a bool node: ${c.fn}`);
  }
}
