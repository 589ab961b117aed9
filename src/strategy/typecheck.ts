import type { Node } from './ast.js';
import { FUNCTIONS, signatureText, type ArgSpec, type ValueType } from './functions.js';
import { formatNumber } from './format.js';
import type { Spans } from './parser.js';
import { describePosition } from './tokenizer.js';

/**
 * Type checker: arity, argument types, literal parameter ranges and the top-level type.
 * Rules of note:
 * - an indicator input must be a series (a literal is never a series);
 * - parameters (periods, k) must be numeric literals within their documented range;
 * - arithmetic and comparisons need at least one series operand (`gt(1, 2)` is an error: it is a
 *   constant, and letting evolution build junk constants wastes evaluations);
 * - `long_short` is only allowed as the whole rule; a rule is a bool or a position.
 */

export type CheckResult =
  | { readonly ok: true; readonly type: 'bool' | 'position' }
  | { readonly ok: false; readonly error: string };

/** Internal: unwinds the checker at the first fault. */
class CheckFailure extends Error {}

const describeType: Record<ValueType, string> = {
  num: 'a number',
  series: 'a series',
  bool: 'a bool condition',
  position: 'a long_short position (only allowed as the whole rule)',
};

/**
 * Check a parsed rule. `source` and `spans` (from parseRule) let messages say where the fault is;
 * without them messages name the offending expression instead.
 */
export function checkRule(ast: Node, source?: { text: string; spans: Spans }): CheckResult {
  const where = (node: Node): string => {
    const off = source?.spans.get(node);
    return off === undefined || source === undefined ? '' : `${describePosition(source.text, off)}: `;
  };
  const fail = (node: Node, msg: string): never => {
    throw new CheckFailure(`${where(node)}${msg}`);
  };

  const typeOf = (node: Node): ValueType => {
    if (node.kind === 'num') return 'num';
    if (node.kind === 'field') return 'series';
    const spec = FUNCTIONS.get(node.fn);
    if (spec === undefined) return fail(node, `unknown function '${node.fn}'`);
    const sig = signatureText(spec);
    if (node.args.length !== spec.args.length) {
      const n = spec.args.length;
      fail(node, `${sig} takes ${n} argument${n === 1 ? '' : 's'}, got ${node.args.length}`);
    }
    const argTypes: ValueType[] = [];
    spec.args.forEach((argSpec, i) => {
      argTypes.push(checkArg(node.args[i], argSpec, `${spec.name} argument ${i + 1} (${argSpec.name})`));
    });
    if ((spec.family === 'arith' || spec.family === 'compare' || spec.family === 'cross') && argTypes.every((t) => t === 'num')) {
      fail(node, `${sig} needs at least one series operand; both are numbers`);
    }
    if (spec.name.startsWith('macd')) {
      const fast = (node.args[1] as { value: number }).value;
      const slow = (node.args[2] as { value: number }).value;
      if (!(fast < slow)) fail(node, `${sig} needs fast < slow, got fast ${fast} and slow ${slow}`);
    }
    return spec.result;
  };

  const checkArg = (arg: Node, spec: ArgSpec, what: string): ValueType => {
    if (spec.kind === 'param') {
      if (arg.kind !== 'num') fail(arg, `${what} must be a number literal`);
      const v = (arg as { value: number }).value;
      const lowOk = spec.minExclusive ? v > spec.min : v >= spec.min;
      if (!lowOk || v > spec.max || (spec.integer && !Number.isInteger(v))) {
        const kind = spec.integer ? 'an integer' : 'a number';
        const range = spec.minExclusive ? `above ${spec.min} and at most ${spec.max}` : `between ${spec.min} and ${spec.max}`;
        fail(arg, `${what} must be ${kind} ${range}, got ${formatNumber(v)}`);
      }
      return 'num';
    }
    const t = typeOf(arg);
    const ok = spec.kind === 'operand' ? t === 'series' || t === 'num' : t === spec.kind;
    if (!ok) {
      const want = spec.kind === 'operand' ? 'a series or a number' : describeType[spec.kind];
      fail(arg, `${what} must be ${want}, got ${describeType[t]}`);
    }
    return t;
  };

  try {
    const t = typeOf(ast);
    if (t !== 'bool' && t !== 'position') {
      fail(ast, `a rule must be a bool condition or long_short(long, short), got ${describeType[t]}`);
    }
    return { ok: true, type: t as 'bool' | 'position' };
  } catch (err) {
    if (err instanceof CheckFailure) return { ok: false, error: err.message };
    throw err;
  }
}
