import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/domain/errors.js';
import { packageRoot } from '../../src/domain/paths.js';
import {
  checkGrammar,
  formatIssue,
  loadGrammar,
  parseGrammar,
  resolveGrammarPath,
  type Grammar,
  type GrammarSymbol,
} from '../../src/ge/index.js';
import { exprGrammar, tradingGrammar } from './fixtures.js';

/** Choices of a rule rendered compactly: NTs as <name>, terminals as JSON strings. */
function show(g: Grammar, rule: string): string[] {
  const r = g.rules[g.ruleIndex.get(rule)!];
  return r.choices.map((c) => c.symbols.map(sym).join(' '));
}
const sym = (s: GrammarSymbol): string => (s.kind === 'NT' ? `<${s.name}>` : JSON.stringify(s.text));

function parseError(text: string): string {
  try {
    parseGrammar(text, 'g.bnf');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected a parse error');
}

describe('parseGrammar', () => {
  it('keeps the spaces of bare terminals between symbols (PonyGE2)', () => {
    const g = exprGrammar();
    expect(g.start).toBe('e');
    expect(show(g, 'e')).toEqual(['<e> " + " <e>', '"x"']);
    expect(g.rules[0].line).toBe(1);
  });

  it('trims only the ends of a production', () => {
    const g = parseGrammar('<a> ::=    f( <b> ,  <b> )   |   y  \n<b> ::= z', 'g.bnf');
    expect(show(g, 'a')).toEqual(['"f( " <b> " ,  " <b> " )"', '"y"']);
  });

  it('parses quoted terminals with |, <, # and spaces, and merges adjacent pieces', () => {
    const g = parseGrammar(
      `<a> ::= '|' | "<x>" | 'a # b' | ' sp ' | '(' x ')' | "it's" | '' | ''<b>\n<b> ::= b`,
      'g.bnf',
    );
    expect(show(g, 'a')).toEqual(['"|"', '"<x>"', '"a # b"', '" sp "', '"( x )"', '"it\'s"', '""', '<b>']);
  });

  it('treats # as a comment outside quotes, and skips comment lines', () => {
    const g = parseGrammar('# header\n<a> ::= x # | y\n  # indented comment\n<b> ::= "#" | c#d', 'g.bnf');
    expect(show(g, 'a')).toEqual(['"x"']);
    expect(show(g, 'b')).toEqual(['"#"', '"c"']);
    expect(g.rules[1].line).toBe(4);
  });

  it('continues a rule on lines starting with | or whitespace', () => {
    const g = parseGrammar(
      ['<a> ::= x', '      | y', '', '| z', '<b> ::= p |', '        q', '<c> ::= f(<b>,', '          <b>)'].join('\n'),
      'g.bnf',
    );
    expect(show(g, 'a')).toEqual(['"x"', '"y"', '"z"']);
    expect(g.rules[0].choices.map((c) => c.line)).toEqual([1, 2, 4]);
    expect(show(g, 'b')).toEqual(['"p"', '"q"']);
    // A line break inside a production, with the indentation around it, is one space.
    expect(show(g, 'c')).toEqual(['"f(" <b> ", " <b> ")"']);
  });

  it('handles CRLF, no spaces around ::=, and a lone < or > as literal text', () => {
    const g = parseGrammar('<a>::=x < y|x<=y|a > b\r\n<b> ::= <a>', 'g.bnf');
    expect(show(g, 'a')).toEqual(['"x < y"', '"x<=y"', '"a > b"']);
    expect(show(g, 'b')).toEqual(['<a>']);
  });

  it('precomputes min depths, recursion, nullability, reachability and flags', () => {
    const g = exprGrammar();
    const e = g.rules[0];
    expect(e.minDepth).toBe(1);
    expect(e.choices.map((c) => c.minDepth)).toEqual([2, 1]);
    expect(e.choices.map((c) => c.recursive)).toEqual([true, false]);
    expect(e.recursive).toBe(true);
    expect(g.flags).toEqual({ recursive: true, hasUndefined: false, hasDuplicates: false, finite: true });

    const t = tradingGrammar();
    const r = (name: string) => t.rules[t.ruleIndex.get(name)!];
    expect(t.rules).toHaveLength(14);
    expect(r('digit').minDepth).toBe(1);
    expect(r('period').minDepth).toBe(1); // via `200`
    expect(r('const').minDepth).toBe(2);
    expect(r('ind').minDepth).toBe(2);
    expect(r('series').minDepth).toBe(2); // <field>
    expect(r('cond').minDepth).toBe(5); // cond > cmp > gt(num) > num > series > field
    expect(r('cond').choices.map((c) => c.recursive)).toEqual([true, true, true, false]);
    // <series> reaches itself through lag(<series>, ...), so <ind>'s lag choice is recursive.
    expect(r('ind').choices.map((c) => c.recursive)).toEqual([false, false, false, false, true]);
    expect(r('sign').nullable).toBe(true);
    expect(r('digit').nullable).toBe(false);
    expect(t.rules.every((x) => x.reachable)).toBe(true);
  });

  it('builds flat mapping tables', () => {
    const { tables } = exprGrammar();
    expect(Array.from(tables.numChoices)).toEqual([2, 0]); // rule e, then the undefined sentinel
    expect(Array.from(tables.symStart)).toEqual([0, 3, 4]);
    expect(tables.terminals).toEqual([' + ', 'x']);
    expect(Array.from(tables.symbols)).toEqual([0, ~0, 0, ~1]);
  });

  it.each([
    ['<a> ::= x\n<b> ::= "open', 'g.bnf:2: unterminated quote " (quotes cannot span lines)'],
    ['<a> ::= x | | y', "g.bnf:1: empty production in <a> (write '' for an empty string)"],
    ['<a> ::= x |\n  | y', "g.bnf:2: empty production in <a> (write '' for an empty string)"],
    ['<a> ::= x |\n<b> ::= y', "g.bnf:1: empty production in <a> (write '' for an empty string)"],
    ['<a> ::=\n<b> ::= x', 'g.bnf:1: rule <a> has no productions'],
    ['<a> ::= x <b> ::= y', "g.bnf:1: unexpected '::=': a rule definition must start its own line (quote '::=' if it is a terminal)"],
    ['  | x\n<a> ::= y', "g.bnf:1: expected a rule definition '<name> ::= ...'"],
    [
      '<a> ::= x\ny',
      "g.bnf:2: expected a rule definition '<name> ::= ...' (a continuation line must start with '|' or whitespace)",
    ],
    ['<a> = x', "g.bnf:1: expected a rule definition '<name> ::= ...'"],
    ['<a> ::= f(<b)\n<b> ::= x', "g.bnf:1: unclosed non-terminal '<b)' (close it with '>', or quote '<' if it is literal text)"],
    ['# only a comment\n\n', 'g.bnf:1: grammar has no rules'],
  ])('reports syntax errors with file and line: %j', (text, message) => {
    expect(parseError(text)).toBe(message);
  });
});

describe('checkGrammar', () => {
  it('passes a clean grammar', () => {
    expect(checkGrammar(tradingGrammar())).toEqual({ errors: [], warnings: [] });
  });

  it('reports undefined, duplicate and never-finishing rules, and unreachable ones, by line', () => {
    const g = parseGrammar(
      [
        '<s> ::= <a> | <loop>', // 1
        '<a> ::= x', // 2
        '      | <nope>', // 3
        '<loop> ::= <loop> y | z<loop>', // 4
        '<a> ::= again', // 5
        '<orphan> ::= o <nope> <nope2>', // 6
      ].join('\n'),
      'g.bnf',
    );
    const { errors, warnings } = checkGrammar(g);
    expect(errors.map(formatIssue)).toEqual([
      'g.bnf:3: undefined non-terminal <nope>',
      'g.bnf:4: rule <loop> can never finish deriving (every choice leads back to non-terminals without end)',
      'g.bnf:5: duplicate definition of <a> (first defined on line 2)',
      'g.bnf:6: undefined non-terminal <nope>',
      'g.bnf:6: undefined non-terminal <nope2>',
    ]);
    expect(warnings.map(formatIssue)).toEqual(['g.bnf:6: rule <orphan> is unreachable from the start symbol <s>']);
    expect(g.flags.hasUndefined && g.flags.hasDuplicates).toBe(true);
    expect(g.flags.finite).toBe(false);
  });

  it('blames an undefined name, not the rules that merely use it', () => {
    const { errors } = checkGrammar(parseGrammar('<s> ::= <t>\n<t> ::= <u>', 'g.bnf'));
    expect(errors.map(formatIssue)).toEqual(['g.bnf:2: undefined non-terminal <u>']);
  });
});

describe('loadGrammar', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aegis-ge-'));

  it('reads, parses and checks a file, passing warnings on', () => {
    const file = join(dir, 'ok.bnf');
    writeFileSync(file, '<s> ::= x | y\n<unused> ::= z\n');
    const warnings: string[] = [];
    const g = loadGrammar(file, { onWarning: (m) => warnings.push(m) });
    expect(g.rules).toHaveLength(2);
    expect(g.fileName).toBe(file);
    expect(warnings).toEqual([`${file}:2: rule <unused> is unreachable from the start symbol <s>`]);
  });

  it('throws one InputError line for check errors', () => {
    const file = join(dir, 'bad.bnf');
    writeFileSync(file, '<s> ::= <a>\n<a> ::= <foo>\n');
    expect(() => loadGrammar(file)).toThrow(new InputError(`${file}:2: undefined non-terminal <foo>`));
  });

  it('throws InputError for syntax errors and missing files', () => {
    const file = join(dir, 'syntax.bnf');
    writeFileSync(file, '<s> ::= "x\n');
    expect(() => loadGrammar(file)).toThrow(InputError);
    expect(() => loadGrammar(join(dir, 'missing.bnf'))).toThrow(/^grammar file not found: .*missing\.bnf$/);
    expect(() => loadGrammar('no-such-grammar-xyz')).toThrow(
      new InputError('grammar file not found: grammars/no-such-grammar-xyz.bnf'),
    );
  });

  it('resolves a bare name to grammars/NAME.bnf in the package root', () => {
    expect(packageRoot()).toBe(fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, ''));
    expect(resolveGrammarPath('default')).toEqual({
      path: join(packageRoot(), 'grammars', 'default.bnf'),
      display: 'grammars/default.bnf',
    });
    expect(resolveGrammarPath('./x.bnf').display).toBe('./x.bnf');
  });
});
