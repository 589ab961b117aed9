import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { packageRoot } from '../domain/paths.js';
import { InputError } from '../domain/errors.js';
import { checkGrammar, formatIssue, type GrammarIssue } from './grammar-check.js';
import { parseGrammar } from './grammar-parse.js';
import type { Grammar } from './grammar-types.js';

export { parseGrammar } from './grammar-parse.js';
export { checkGrammar, formatIssue, type GrammarCheck, type GrammarIssue } from './grammar-check.js';
export type * from './grammar-types.js';

/** A bare grammar name such as `default`: letters, digits, `_` and `-`, no path or extension. */
const BARE_NAME = /^[\w-]+$/;

/**
 * Where a grammar argument points: a bare name like `default` means `grammars/default.bnf` in the
 * package root; anything else is a path relative to the working directory. `display` is the name
 * used in messages.
 */
export function resolveGrammarPath(nameOrPath: string): { path: string; display: string } {
  if (BARE_NAME.test(nameOrPath)) {
    const display = `grammars/${nameOrPath}.bnf`;
    return { path: join(packageRoot(), 'grammars', `${nameOrPath}.bnf`), display };
  }
  return { path: isAbsolute(nameOrPath) ? nameOrPath : resolve(nameOrPath), display: nameOrPath };
}

/** Options of loadGrammar. */
export interface LoadGrammarOptions {
  /** Called once per checkGrammar warning, formatted `file:line: message`. */
  onWarning?: (message: string, issue: GrammarIssue) => void;
}

/**
 * Read, parse and check a grammar file (see resolveGrammarPath for how `nameOrPath` is found).
 * Throws InputError when the file is missing or unreadable, on syntax errors, and on any error
 * from checkGrammar (all of them on one line, separated by `; `).
 */
export function loadGrammar(nameOrPath: string, options: LoadGrammarOptions = {}): Grammar {
  const { path, display } = resolveGrammarPath(nameOrPath);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`grammar file not found: ${display}`, { cause: err });
    throw new InputError(`cannot read grammar file ${display}: ${(err as Error).message}`, { cause: err });
  }
  const grammar = parseGrammar(text, display);
  const { errors, warnings } = checkGrammar(grammar);
  if (errors.length > 0) {
    const shown = errors.slice(0, 5).map(formatIssue);
    if (errors.length > 5) shown.push(`and ${errors.length - 5} more errors`);
    throw new InputError(shown.join('; '));
  }
  for (const w of warnings) options.onWarning?.(formatIssue(w), w);
  return grammar;
}
