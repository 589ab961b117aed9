import type { Node } from './ast.js';

/**
 * Canonical printer. The output has no whitespace (`and(gt(close,sma(close,200)),lt(rsi(close,14),30))`)
 * and is a pure function of the tree, so it serves as the dedupe key of rules and the cache key
 * of subexpressions. `parseRule(formatRule(ast))` gives back a tree deep-equal to `ast`.
 * Arguments are never reordered: the text stays the rule a person wrote or evolution derived.
 */
export function formatRule(node: Node): string {
  if (node.kind === 'num') return formatNumber(node.value);
  if (node.kind === 'field') return node.field;
  let s = node.fn + '(';
  for (let i = 0; i < node.args.length; i++) {
    if (i > 0) s += ',';
    s += formatRule(node.args[i]);
  }
  return s + ')';
}

/**
 * A finite number as the language writes it: shortest round-trip digits, plain positional
 * notation (the language has no exponent syntax), `-0` as `0`.
 */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`not a finite number: ${v}`);
  if (v === 0) return '0';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s;
  // Expand JS exponent notation; the digits are the shortest round-trip ones, so parsing the
  // expansion gives back exactly v.
  const neg = s[0] === '-';
  const mantissa = s.slice(neg ? 1 : 0, e);
  const exp = Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const point = (dot < 0 ? mantissa.length : dot) + exp;
  let out: string;
  if (point <= 0) out = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = digits.slice(0, point) + '.' + digits.slice(point);
  return neg ? '-' + out : out;
}
