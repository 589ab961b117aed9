import { computeMinDepths } from './grammar-analyse.js';
import type { Grammar } from './grammar-types.js';

/** One finding of checkGrammar, located in the grammar file. */
export interface GrammarIssue {
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  readonly message: string;
}

/** What checkGrammar found. Errors make a grammar unusable; warnings do not. */
export interface GrammarCheck {
  readonly errors: readonly GrammarIssue[];
  readonly warnings: readonly GrammarIssue[];
}

/** `file:line: message`, the one-line form used in InputError messages. */
export function formatIssue(issue: GrammarIssue): string {
  return `${issue.file}:${issue.line}: ${issue.message}`;
}

/**
 * Semantic checks of a parsed grammar. Errors: undefined non-terminals (at each referencing
 * line), duplicate rule definitions, and rules with no finite derivation. Warnings: rules not
 * reachable from the start symbol. Both lists are sorted by line.
 */
export function checkGrammar(grammar: Grammar): GrammarCheck {
  const file = grammar.fileName;
  const errors: GrammarIssue[] = [];
  const warnings: GrammarIssue[] = [];
  const issue = (line: number, message: string): GrammarIssue => ({ file, line, message });

  for (const r of grammar.rules) {
    if (r.duplicate) {
      const first = grammar.rules[grammar.ruleIndex.get(r.name)!];
      errors.push(issue(r.line, `duplicate definition of <${r.name}> (first defined on line ${first.line})`));
      continue;
    }
    const seen = new Set<string>();
    for (const c of r.choices) {
      for (const s of c.symbols) {
        if (s.kind !== 'NT' || s.rule >= 0) continue;
        const key = `${s.line}\u0000${s.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        errors.push(issue(s.line, `undefined non-terminal <${s.name}>`));
      }
    }
    if (!r.reachable) {
      warnings.push(issue(r.line, `rule <${r.name}> is unreachable from the start symbol <${grammar.start}>`));
    }
  }

  // Undefined names count as finishing here, so a rule is blamed only when it loops by itself;
  // the undefined name already has its own error.
  const depth = computeMinDepths(grammar.rules, 0);
  for (const r of grammar.rules) {
    if (!r.duplicate && depth[r.index] === Infinity) {
      errors.push(
        issue(r.line, `rule <${r.name}> can never finish deriving (every choice leads back to non-terminals without end)`),
      );
    }
  }

  const byLine = (a: GrammarIssue, b: GrammarIssue): number => a.line - b.line;
  return { errors: errors.sort(byLine), warnings: warnings.sort(byLine) };
}
