import { InputError } from '../domain/errors.js';
import { ruleSize, type Node } from './ast.js';
import { formatRule } from './format.js';
import { parseRule } from './parser.js';
import { buildPlan, type RulePlan } from './plan.js';
import { checkRule } from './typecheck.js';

/** A parsed, type-checked rule ready to evaluate. Plain data; compile it again in each thread. */
export interface CompiledRule {
  /** Canonical text (formatRule): the dedupe key of the rule. */
  readonly text: string;
  readonly ast: Node;
  /** `bool`: long/flat rule; `position`: long_short rule. */
  readonly type: 'bool' | 'position';
  /** Node count (ruleSize). */
  readonly size: number;
  /** Evaluation plan used by evaluatePositions. */
  readonly plan: RulePlan;
}

export type CompileResult = { readonly ok: true; readonly rule: CompiledRule } | { readonly ok: false; readonly error: string };

/**
 * Parse and type-check a phenotype. Never throws for bad text: an invalid or ill-typed phenotype
 * comes back as `{ ok: false, error }` with a one-line message that gives the column.
 */
export function compileRule(text: string): CompileResult {
  const parsed = parseRule(text);
  if (!parsed.ok) return parsed;
  const checked = checkRule(parsed.ast, { text, spans: parsed.spans });
  if (!checked.ok) return checked;
  return { ok: true, rule: finish(parsed.ast, checked.type) };
}

/** Type-check and compile a tree built in code (messages name no column). */
export function compileAst(ast: Node): CompileResult {
  const checked = checkRule(ast);
  if (!checked.ok) return checked;
  return { ok: true, rule: finish(ast, checked.type) };
}

/**
 * Compile a hand-written rule (CLI flag, config file). Throws InputError `"<where>: <message>"`,
 * e.g. `--rule: column 12: unknown name 'smaa'`.
 */
export function parseRuleOrThrow(text: string, where: string): CompiledRule {
  const r = compileRule(text);
  if (!r.ok) throw new InputError(`${where}: ${r.error}`);
  return r.rule;
}

function finish(ast: Node, type: 'bool' | 'position'): CompiledRule {
  return { text: formatRule(ast), ast, type, size: ruleSize(ast), plan: buildPlan(ast, type) };
}
