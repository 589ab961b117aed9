import type { Node } from './ast.js';
import { formatNumber } from './format.js';

/** Options of prettyRule. */
export interface PrettyOptions {
  /** Target line width; a call that fits on one line stays on one line. Default 72. */
  width?: number;
  /** Spaces per indentation level. Default 2. */
  indent?: number;
}

/**
 * Multi-line, indented rendering for reports. A call that fits in the remaining width is written
 * on one line with `, ` between arguments; otherwise each argument goes on its own line:
 *
 * ```
 * and(
 *   gt(close, sma(close, 200)),
 *   lt(rsi(close, 14), 30)
 * )
 * ```
 *
 * The result parses back to the same tree (whitespace is insignificant).
 */
export function prettyRule(node: Node, options: PrettyOptions = {}): string {
  const width = options.width ?? 72;
  const step = options.indent ?? 2;
  const render = (n: Node, col: number): string => {
    const flat = oneLine(n);
    if (n.kind !== 'call' || col + flat.length <= width || n.args.length === 0) return flat;
    const pad = ' '.repeat(col + step);
    const args = n.args.map((a) => pad + render(a, col + step));
    return `${n.fn}(\n${args.join(',\n')}\n${' '.repeat(col)})`;
  };
  return render(node, 0);
}

/** The rule on one line with `, ` between arguments (readable, not canonical). */
export function oneLine(node: Node): string {
  if (node.kind === 'num') return formatNumber(node.value);
  if (node.kind === 'field') return node.field;
  return `${node.fn}(${node.args.map(oneLine).join(', ')})`;
}
