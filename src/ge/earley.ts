import type { Grammar } from './grammar-types.js';

/**
 * An Earley parser over the grammar's mapping tables, used by reverse mapping to find which
 * choices derive a given text. Earley copes with everything BNF grammars for GE contain: left
 * recursion (`<e> ::= <e> + <e>`), ambiguity, unit cycles and empty productions (with Aycock &
 * Horspool's fix: predicting a nullable non-terminal also steps over it). Terminals are matched
 * as whole strings, so a set i item over a terminal of length m moves to set i + m.
 */

/** An Earley set: items (choice, dot, origin) plus indexes for completion and extraction. */
interface EarleySet {
  /** Flat triples: choice id, dot, origin. */
  readonly items: number[];
  readonly keys: Set<number>;
  /** Rule index -> flat offsets (into items) of items whose next symbol is that rule. */
  readonly waiting: Map<number, number[]>;
  /** rule * (n + 1) + origin, for every completed item. */
  readonly completed: Set<number>;
}

/** The filled chart of one parse, with the lookups derivation extraction needs. */
export interface EarleyChart {
  readonly n: number;
  /** Does `rule` derive text[origin, end)? */
  derives(rule: number, origin: number, end: number): boolean;
  /** Is choice `choice` (global id) of some rule completed over text[origin, end)? */
  choiceDerives(choice: number, origin: number, end: number): boolean;
}

/**
 * Parse `text` from `rule`, with `terminals` standing in for the grammar's terminal texts (same
 * numbering; reverse mapping passes normalised ones in lenient mode). Returns the chart, or null
 * when `rule` does not derive the whole text.
 */
export function earleyParse(
  grammar: Grammar,
  rule: number,
  text: string,
  terminals: readonly string[],
): EarleyChart | null {
  const { numChoices, choiceStart, symStart, symbols, maxChoiceLength } = grammar.tables;
  const n = text.length;
  const nullable = grammar.rules.map((r) => r.nullable);
  const ruleOf = choiceRules(grammar);
  const sets: (EarleySet | undefined)[] = new Array(n + 1);
  const itemKey = (c: number, dot: number, origin: number): number =>
    (c * (maxChoiceLength + 1) + dot) * (n + 1) + origin;

  const add = (at: number, c: number, dot: number, origin: number): void => {
    let set = sets[at];
    if (set === undefined) {
      set = { items: [], keys: new Set(), waiting: new Map(), completed: new Set() };
      sets[at] = set;
    }
    const key = itemKey(c, dot, origin);
    if (set.keys.has(key)) return;
    set.keys.add(key);
    const off = set.items.length;
    set.items.push(c, dot, origin);
    if (symStart[c] + dot < symStart[c + 1]) {
      const sym = symbols[symStart[c] + dot];
      if (sym >= 0) {
        const w = set.waiting.get(sym);
        if (w === undefined) set.waiting.set(sym, [off]);
        else w.push(off);
      }
    } else {
      set.completed.add(ruleOf[c] * (n + 1) + origin);
    }
  };

  for (let c = choiceStart[rule], e = c + numChoices[rule]; c < e; c++) add(0, c, 0, 0);

  for (let i = 0; i <= n; i++) {
    const set = sets[i];
    if (set === undefined) continue;
    for (let q = 0; q < set.items.length; q += 3) {
      const c = set.items[q];
      const dot = set.items[q + 1];
      const origin = set.items[q + 2];
      const at = symStart[c] + dot;
      if (at < symStart[c + 1]) {
        const sym = symbols[at];
        if (sym < 0) {
          const t = terminals[~sym];
          if (t.length === 0) add(i, c, dot + 1, origin);
          else if (text.startsWith(t, i)) add(i + t.length, c, dot + 1, origin);
        } else {
          for (let p = choiceStart[sym], e = p + numChoices[sym]; p < e; p++) add(i, p, 0, i);
          if (nullable[sym]) add(i, c, dot + 1, origin);
        }
      } else {
        // Complete: advance every item of the origin set that waits for this rule. When
        // origin === i the list may still grow; later waiters are covered by the nullable step.
        const from = sets[origin]!;
        const waiters = from.waiting.get(ruleOf[c]);
        if (waiters === undefined) continue;
        for (let w = 0; w < waiters.length; w++) {
          const off = waiters[w];
          add(i, from.items[off], from.items[off + 1] + 1, from.items[off + 2]);
        }
      }
    }
  }

  const last = sets[n];
  if (last === undefined || !last.completed.has(rule * (n + 1))) return null;
  return {
    n,
    derives: (r, origin, end) => sets[end]?.completed.has(r * (n + 1) + origin) ?? false,
    choiceDerives: (c, origin, end) =>
      sets[end]?.keys.has(itemKey(c, symStart[c + 1] - symStart[c], origin)) ?? false,
  };
}

/** Rule index of every global choice id. */
function choiceRules(grammar: Grammar): Int32Array {
  const { numChoices, choiceStart } = grammar.tables;
  const out = new Int32Array(grammar.tables.symStart.length - 1);
  for (let r = 0; r < grammar.rules.length; r++) {
    for (let c = choiceStart[r]; c < choiceStart[r] + numChoices[r]; c++) out[c] = r;
  }
  return out;
}
