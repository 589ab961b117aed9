import { InputError } from '../domain/errors.js';
import { buildGrammar, type RawRule, type RawSymbol } from './grammar-analyse.js';
import type { Grammar } from './grammar-types.js';

/**
 * BNF parser for the dialect of the GE literature and PonyGE2.
 *
 * Syntax:
 * - `<name> ::= choice | choice ...`; the first rule is the start symbol. A definition must start
 *   its line (leading whitespace allowed).
 * - A rule continues on following lines that start with `|` or whitespace; blank and comment-only
 *   lines are skipped.
 * - `#` starts a comment to the end of the line, except inside quotes.
 * - Non-terminals are `<name>` (name: no whitespace, `<`, `>`, `|`, quotes or `#`). A `<` that does
 *   not open one is literal, except `<` directly followed by a letter or `_` without a closing `>`,
 *   which is reported as an unclosed non-terminal (quote it, `'<'`, if it is meant literally).
 * - Terminals are bare text or quoted with '...' or "..." (no escapes; a quote cannot span lines;
 *   quoted text may contain `|`, `<`, `#` and spaces). `''` is the empty string.
 *
 * Whitespace (PonyGE2 behaviour): inside a production, bare text keeps its spaces exactly as
 * written, so in `<e> + <e>` the terminal is " + " and `x + x` is derived. Adjacent bare and quoted
 * pieces merge into one terminal, spaces between them included (`'(' x ')'` is the terminal
 * "( x )"). Only the leading and trailing whitespace of a whole production is trimmed (quoted
 * text is never trimmed). Where a production itself is broken over lines, the line break with
 * the whitespace around it counts as one space. An empty production (`a | | b`) is an error.
 */

type Tok =
  | { readonly k: 'text'; v: string; readonly line: number }
  | { readonly k: 'quoted'; readonly v: string; readonly line: number }
  | { readonly k: 'nt'; readonly v: string; readonly line: number }
  | { readonly k: 'bar'; readonly line: number }
  | { readonly k: 'nl'; readonly line: number };

const RULE_START = /^\s*<([^<>\s|'"#]+)>\s*::=/;
const NT_AT = /<([^<>\s|'"#]+)>/y;
const BLANK = /^\s*(#.*)?$/;

/**
 * Parse BNF text into an analysed Grammar. Throws InputError (`file:line: message`) on syntax
 * errors; semantic problems (undefined or duplicate rules, rules that never finish) are left to
 * `checkGrammar`.
 */
export function parseGrammar(text: string, fileName: string): Grammar {
  const fail = (line: number, msg: string): never => {
    throw new InputError(`${fileName}:${line}: ${msg}`);
  };
  const lines = text.split(/\r\n|\r|\n/);
  const rules: { name: string; line: number; toks: Tok[] }[] = [];
  let current: { name: string; line: number; toks: Tok[] } | null = null;

  for (let i = 0; i < lines.length; i++) {
    const src = lines[i];
    const lineNo = i + 1;
    if (BLANK.test(src)) continue;
    const def = RULE_START.exec(src);
    if (def) {
      current = { name: def[1], line: lineNo, toks: [] };
      rules.push(current);
      scanBody(src, def[0].length, lineNo, current.toks, fail);
      continue;
    }
    const first = src[0];
    if (current === null) {
      fail(lineNo, `expected a rule definition '<name> ::= ...'`);
    } else if (first === '|' || /\s/.test(first)) {
      current.toks.push({ k: 'nl', line: lineNo });
      scanBody(src, 0, lineNo, current.toks, fail);
    } else {
      fail(
        lineNo,
        `expected a rule definition '<name> ::= ...' (a continuation line must start with '|' or whitespace)`,
      );
    }
  }
  if (rules.length === 0) fail(1, 'grammar has no rules');

  const raw: RawRule[] = rules.map((r) => ({
    name: r.name,
    line: r.line,
    choices: splitProductions(r.name, r.line, r.toks, fail),
  }));
  return buildGrammar(raw, fileName);
}

/** Tokenise one line from `from` to its end (or to a `#` comment) into `out`. */
function scanBody(
  src: string,
  from: number,
  line: number,
  out: Tok[],
  fail: (line: number, msg: string) => never,
): void {
  let text = '';
  const flush = (): void => {
    if (text !== '') out.push({ k: 'text', v: text, line });
    text = '';
  };
  let i = from;
  while (i < src.length) {
    const ch = src[i];
    if (ch === '#') break;
    if (ch === '|') {
      flush();
      out.push({ k: 'bar', line });
      i++;
    } else if (ch === "'" || ch === '"') {
      const close = src.indexOf(ch, i + 1);
      if (close < 0) fail(line, `unterminated quote ${ch} (quotes cannot span lines)`);
      flush();
      out.push({ k: 'quoted', v: src.slice(i + 1, close), line });
      i = close + 1;
    } else if (ch === '<') {
      NT_AT.lastIndex = i;
      const m = NT_AT.exec(src);
      if (m) {
        flush();
        out.push({ k: 'nt', v: m[1], line });
        i += m[0].length;
      } else if (/[A-Za-z_]/.test(src[i + 1] ?? '')) {
        const word = /^<[^\s|'"#]*/.exec(src.slice(i))![0];
        fail(line, `unclosed non-terminal '${word}' (close it with '>', or quote '<' if it is literal text)`);
      } else {
        text += ch;
        i++;
      }
    } else if (ch === ':' && src.startsWith('::=', i)) {
      fail(line, `unexpected '::=': a rule definition must start its own line (quote '::=' if it is a terminal)`);
    } else {
      text += ch;
      i++;
    }
  }
  flush();
}

/** Split a rule's tokens at `|` and turn each production into symbols (see the module doc). */
function splitProductions(
  name: string,
  ruleLine: number,
  toks: Tok[],
  fail: (line: number, msg: string) => never,
): RawRule['choices'] {
  const groups: Tok[][] = [[]];
  const barLines: number[] = [ruleLine];
  for (const t of toks) {
    if (t.k === 'bar') {
      groups.push([]);
      barLines.push(t.line);
    } else groups[groups.length - 1].push({ ...t });
  }
  groups.forEach(trimGroup);
  if (groups.every((g) => g.length === 0)) fail(ruleLine, `rule <${name}> has no productions`);

  return groups.map((g, gi) => {
    // Blame the `|` that closes the empty production (the one that opens it for a trailing `|`).
    if (g.length === 0) fail(barLines[gi + 1] ?? barLines[gi], `empty production in <${name}> (write '' for an empty string)`);
    // A line break inside a production: drop the whitespace around it, then count it as one space.
    for (let i = 0; i < g.length; i++) {
      if (g[i].k !== 'nl') continue;
      const prev = g[i - 1];
      const next = g[i + 1];
      if (prev?.k === 'text') prev.v = prev.v.trimEnd();
      if (next?.k === 'text') next.v = next.v.trimStart();
    }
    const symbols: RawSymbol[] = [];
    let term: string | null = null;
    const flushTerm = (): void => {
      // An empty piece ('') next to other symbols adds nothing; it only matters when alone.
      if (term !== null && term !== '') symbols.push({ kind: 'T', text: term });
      term = null;
    };
    for (const t of g) {
      if (t.k === 'nt') {
        flushTerm();
        symbols.push({ kind: 'NT', name: t.v, line: t.line });
      } else {
        term = (term ?? '') + (t.k === 'nl' ? ' ' : (t as { v: string }).v);
      }
    }
    flushTerm();
    if (symbols.length === 0) symbols.push({ kind: 'T', text: '' });
    return { symbols, line: g[0].line };
  });
}

/** Remove leading/trailing line breaks and the leading/trailing whitespace of bare text. */
function trimGroup(g: Tok[]): void {
  for (;;) {
    const t = g[0];
    if (t === undefined) return;
    if (t.k === 'nl') g.shift();
    else if (t.k === 'text' && (t.v = t.v.trimStart()) === '') g.shift();
    else break;
  }
  for (;;) {
    const t = g[g.length - 1];
    if (t === undefined) return;
    if (t.k === 'nl') g.pop();
    else if (t.k === 'text' && (t.v = t.v.trimEnd()) === '') g.pop();
    else break;
  }
}
