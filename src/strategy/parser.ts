import { call, field, num, type Node } from './ast.js';
import { FUNCTIONS, isPriceField } from './functions.js';
import { describePosition, tokenize, type Token } from './tokenizer.js';

/**
 * Recursive-descent parser: `expr := number | field | name '(' [expr (',' expr)*] ')'`.
 * Names are resolved here (unknown names, a field called like a function, a function used
 * without parentheses are syntax errors); arity and types are the type checker's job.
 */

/** Deepest nesting accepted; protects the recursive passes (and the stack) from hostile input. */
export const MAX_NESTING = 100;

/** Where each node starts in the source (character offset), for the type checker's messages. */
export type Spans = ReadonlyMap<Node, number>;

export type ParseResult =
  | { readonly ok: true; readonly ast: Node; readonly spans: Spans }
  | { readonly ok: false; readonly error: string };

/** Internal: unwinds the parser at the first fault. */
class ParseError extends Error {}

/** Parse rule text into an AST. Never throws for bad input: errors carry a line/column. */
export function parseRule(text: string): ParseResult {
  const lexed = tokenize(text);
  if (!lexed.ok) return lexed;
  const tokens = lexed.tokens;
  const spans = new Map<Node, number>();
  let pos = 0;

  const fail = (tok: Token, msg: string): never => {
    throw new ParseError(`${describePosition(text, tok.offset)}: ${msg}`);
  };
  const show = (tok: Token): string => (tok.kind === 'eof' ? 'the end of the rule' : `'${tok.text}'`);

  const parseExpr = (depth: number): Node => {
    const tok = tokens[pos];
    if (depth > MAX_NESTING) fail(tok, `rule is nested deeper than ${MAX_NESTING} levels`);
    if (tok.kind === 'number') {
      pos++;
      const node = num(Number(tok.text));
      spans.set(node, tok.offset);
      return node;
    }
    if (tok.kind !== 'ident') fail(tok, `expected a number, a price field or a function, found ${show(tok)}`);
    pos++;
    const name = tok.text;
    const next = tokens[pos];
    if (isPriceField(name)) {
      if (next.kind === '(') fail(next, `'${name}' is a price field and takes no arguments`);
      const node = field(name);
      spans.set(node, tok.offset);
      return node;
    }
    const spec = FUNCTIONS.get(name);
    if (spec === undefined) fail(tok, unknownName(name));
    if (next.kind !== '(') fail(next, `expected '(' after '${name}', found ${show(next)}`);
    pos++;
    const args: Node[] = [];
    if (tokens[pos].kind !== ')') {
      for (;;) {
        args.push(parseExpr(depth + 1));
        const sep = tokens[pos];
        if (sep.kind === ',') {
          pos++;
          continue;
        }
        if (sep.kind === ')') break;
        fail(sep, `expected ',' or ')' in the arguments of '${name}', found ${show(sep)}`);
      }
    }
    pos++; // ')'
    const node = call(spec!.name, ...args);
    spans.set(node, tok.offset);
    return node;
  };

  try {
    if (tokens[0].kind === 'eof') return { ok: false, error: 'empty rule' };
    const ast = parseExpr(1);
    const rest = tokens[pos];
    if (rest.kind !== 'eof') fail(rest, `unexpected ${show(rest)} after the end of the rule`);
    return { ok: true, ast, spans };
  } catch (err) {
    if (err instanceof ParseError) return { ok: false, error: err.message };
    throw err;
  }
}

/** Message for an unknown identifier, with a hint when only the letter case is wrong. */
function unknownName(name: string): string {
  const lower = name.toLowerCase();
  if (lower !== name && (FUNCTIONS.has(lower) || isPriceField(lower))) {
    return `unknown name '${name}' (names are lower case: '${lower}')`;
  }
  return `unknown name '${name}'`;
}
