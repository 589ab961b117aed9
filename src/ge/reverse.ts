import type { Rng } from '../domain/rng.js';
import { DEFAULT_CODON_SIZE, checkCodonSize, encodeChoice } from './codons.js';
import { earleyParse, type EarleyChart } from './earley.js';
import type { Grammar } from './grammar-types.js';
import { mapperFor } from './mapper.js';

/**
 * Reverse mapping: text -> codons. Turns human-written building blocks such as
 * `gt(close, sma(close, 200))`, or earlier runs' best rules, into codons that map back to them,
 * either as a whole genome (from the start symbol) or as subtree codons for a non-terminal, to be
 * spliced over a node of that non-terminal (spliceSubtree).
 *
 * Whitespace: the text is first matched exactly as the grammar would produce it (terminals keep
 * their spaces, see grammar-parse). If that fails and `lenient` is on (default), it is matched
 * again with the text trimmed and, in both the text and the terminals, any whitespace right after
 * a comma removed; so `f(a, b)` and `f(a,b)` both match a grammar that writes either. The codons
 * then derive the grammar's own spelling, returned as `phenotype` with `exact: false`.
 * Limitation: a space that the grammar puts after a comma at the start of a *different* terminal
 * (`<x> ::= <a>,<b>` with `<b> ::= ' y'`) is not normalised.
 */

/** Options of reverseMap. */
export interface ReverseOptions {
  /** Non-terminal to derive from (name without brackets). Default: the start symbol. */
  rule?: string;
  /** When given, each codon is its choice plus a random multiple of the rule's choice count. */
  rng?: Rng;
  /** Codon range for the random multiples. Default DEFAULT_CODON_SIZE. */
  codonSize?: number;
  /** Retry with comma spacing normalised when the exact text does not parse. Default true. */
  lenient?: boolean;
}

/** A found derivation. */
export interface ReverseResult {
  /** Pre-order codons (one per expansion); mapping them from `rule` yields `phenotype`. */
  readonly codons: Int32Array;
  /** The text the codons derive: equal to the input when `exact`. */
  readonly phenotype: string;
  /** False when only the comma-lenient match succeeded. */
  readonly exact: boolean;
}

/**
 * Find codons that derive `text` from `options.rule` (default: the start symbol), or null when
 * the text is not derivable. Throws InputError for an unknown rule name.
 */
export function reverseMap(grammar: Grammar, text: string, options: ReverseOptions = {}): ReverseResult | null {
  const mapper = mapperFor(grammar);
  const rule = options.rule === undefined ? grammar.startRule : mapper.ruleId(options.rule);
  const codonSize = options.codonSize ?? DEFAULT_CODON_SIZE;
  checkCodonSize(codonSize);

  let exact = true;
  let choices = derive(grammar, rule, text, grammar.tables.terminals);
  if (choices === null && options.lenient !== false) {
    exact = false;
    choices = derive(grammar, rule, normaliseCommas(text.trim()), grammar.tables.terminals.map(normaliseCommas));
  }
  if (choices === null) return null;

  const codons = new Int32Array(choices.length);
  const m = mapper.map(Int32Array.from(choices), { rule: grammar.rules[rule].name, trace: true });
  // The derivation came from the grammar, so a failed re-map is a bug here, not bad input.
  if (!m.valid || m.usedCodons !== choices.length) throw new Error('reverse mapping built an invalid derivation');
  for (let k = 0; k < choices.length; k++) {
    codons[k] = encodeChoice(choices[k], grammar.rules[m.trace!.rule[k]].numChoices, codonSize, options.rng);
  }
  return { codons, phenotype: m.phenotype!, exact };
}

/** Remove whitespace that follows a comma. */
export function normaliseCommas(s: string): string {
  return s.replace(/,\s+/g, ',');
}

/** Pre-order choice indices of one derivation of `text` from `rule`, or null. */
function derive(grammar: Grammar, rule: number, text: string, terminals: readonly string[]): number[] | null {
  const chart = earleyParse(grammar, rule, text, terminals);
  return chart === null ? null : extract(grammar, chart, rule, text, terminals);
}

/**
 * Read one derivation out of a recognised chart by top-down search guided by the chart's
 * completed items. A (rule, span) already being built higher up the current path is skipped:
 * some derivation without such a repeat always exists (cut the cycle out), and skipping keeps
 * unit cycles like `<a> ::= <b>`, `<b> ::= <a> | x` from looping. Successes are memoised;
 * failures only when no skip influenced them, since a skip depends on the path.
 */
function extract(
  grammar: Grammar,
  chart: EarleyChart,
  rootRule: number,
  text: string,
  terminals: readonly string[],
): number[] | null {
  const { numChoices, choiceStart, symStart, symbols, maxChoiceLength } = grammar.tables;
  const n1 = chart.n + 1;
  const built = new Map<number, number[] | null>();
  const seqMemo = new Map<number, number[] | null>();
  const onPath = new Set<number>();
  let skips = 0;

  const build = (rule: number, from: number, to: number): number[] | null => {
    const key = (rule * n1 + from) * n1 + to;
    const memo = built.get(key);
    if (memo !== undefined) return memo;
    if (onPath.has(key)) {
      skips++;
      return null;
    }
    if (!chart.derives(rule, from, to)) return null;
    onPath.add(key);
    const skips0 = skips;
    let result: number[] | null = null;
    for (let ci = 0; ci < numChoices[rule] && result === null; ci++) {
      const c = choiceStart[rule] + ci;
      if (!chart.choiceDerives(c, from, to)) continue;
      const rest = seq(c, 0, from, to);
      if (rest !== null) result = [ci, ...rest];
    }
    onPath.delete(key);
    if (result !== null || skips === skips0) built.set(key, result);
    return result;
  };

  // Codons for symbols k.. of choice c, spanning text[pos, to).
  const seq = (c: number, k: number, pos: number, to: number): number[] | null => {
    const at = symStart[c] + k;
    if (at === symStart[c + 1]) return pos === to ? [] : null;
    const key = ((c * (maxChoiceLength + 1) + k) * n1 + pos) * n1 + to;
    const memo = seqMemo.get(key);
    if (memo !== undefined) return memo;
    const skips0 = skips;
    let result: number[] | null = null;
    const sym = symbols[at];
    if (sym < 0) {
      const t = terminals[~sym];
      if (pos + t.length <= to && text.startsWith(t, pos)) result = seq(c, k + 1, pos + t.length, to);
    } else {
      for (let mid = pos; mid <= to && result === null; mid++) {
        if (!chart.derives(sym, pos, mid)) continue;
        const rest = seq(c, k + 1, mid, to);
        if (rest === null) continue;
        const sub = build(sym, pos, mid);
        if (sub !== null) result = sub.concat(rest);
      }
    }
    if (result !== null || skips === skips0) seqMemo.set(key, result);
    return result;
  };

  return build(rootRule, 0, chart.n);
}
