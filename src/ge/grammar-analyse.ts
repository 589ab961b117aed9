import type {
  Choice,
  Grammar,
  GrammarSymbol,
  MappingTables,
  NonTerminalSymbol,
  Rule,
} from './grammar-types.js';

/**
 * Turns parsed rules into an analysed `Grammar`: resolves references, and precomputes recursion,
 * minimum depths, nullability, reachability and the mapper's flat tables.
 */

/** A symbol as parsed, before references are resolved. */
export type RawSymbol =
  | { readonly kind: 'T'; readonly text: string }
  | { readonly kind: 'NT'; readonly name: string; readonly line: number };

/** A rule as parsed. */
export interface RawRule {
  readonly name: string;
  readonly line: number;
  readonly choices: readonly { readonly symbols: readonly RawSymbol[]; readonly line: number }[];
}

/** Anything with resolved choices: enough for the fixpoints below. */
export interface RuleShape {
  readonly choices: readonly { readonly symbols: readonly GrammarSymbol[] }[];
}

/**
 * Minimum derivation depth of every rule (non-terminal depth convention: a rule expanded with a
 * terminal-only choice has depth 1), Infinity for rules that never finish. References to
 * undefined rules count as depth `undefinedDepth` (Infinity for the truth; 0 lets checkGrammar
 * blame only the undefined name, not every rule that uses it).
 */
export function computeMinDepths(rules: readonly RuleShape[], undefinedDepth: number): Float64Array {
  const depth = new Float64Array(rules.length).fill(Infinity);
  // Bellman-Ford style: each pass can only lower depths, and a finite depth is at most the
  // number of rules, so this ends after at most rules.length + 1 passes.
  for (let changed = true; changed; ) {
    changed = false;
    for (let r = 0; r < rules.length; r++) {
      for (const c of rules[r].choices) {
        const d = choiceDepth(c.symbols, depth, undefinedDepth);
        if (d < depth[r]) {
          depth[r] = d;
          changed = true;
        }
      }
    }
  }
  return depth;
}

/** 1 + the deepest non-terminal's min depth (1 for a terminal-only choice). */
export function choiceDepth(
  symbols: readonly GrammarSymbol[],
  ruleDepth: ArrayLike<number>,
  undefinedDepth: number,
): number {
  let d = 0;
  for (const s of symbols) {
    if (s.kind !== 'NT') continue;
    const sd = s.rule < 0 ? undefinedDepth : ruleDepth[s.rule];
    if (sd > d) d = sd;
  }
  return d + 1;
}

/** Build the analysed grammar. References resolve to the first definition of a name. */
export function buildGrammar(raw: readonly RawRule[], fileName: string): Grammar {
  const ruleIndex = new Map<string, number>();
  raw.forEach((r, i) => {
    if (!ruleIndex.has(r.name)) ruleIndex.set(r.name, i);
  });
  const resolved = raw.map((r) => ({
    choices: r.choices.map((c) => ({
      line: c.line,
      symbols: c.symbols.map(
        (s): GrammarSymbol =>
          s.kind === 'T'
            ? { kind: 'T', text: s.text }
            : { kind: 'NT', name: s.name, rule: ruleIndex.get(s.name) ?? -1, line: s.line },
      ),
    })),
  }));

  const reach = reachability(resolved);
  const minDepth = computeMinDepths(resolved, Infinity);
  const nullable = computeNullable(resolved);
  const reachable = raw.map((_, r) => r === 0 || reach[0][r]);

  const rules: Rule[] = raw.map((r, ri) => {
    const choices: Choice[] = resolved[ri].choices.map((c) => ({
      symbols: c.symbols,
      line: c.line,
      recursive: c.symbols.some(
        (s) => s.kind === 'NT' && s.rule >= 0 && (s.rule === ri || reach[s.rule][ri]),
      ),
      minDepth: choiceDepth(c.symbols, minDepth, Infinity),
    }));
    return {
      name: r.name,
      index: ri,
      line: r.line,
      choices,
      numChoices: choices.length,
      minDepth: minDepth[ri],
      recursive: choices.some((c) => c.recursive),
      nullable: nullable[ri],
      reachable: reachable[ri],
      duplicate: ruleIndex.get(r.name) !== ri,
    };
  });

  const allNts = rules.flatMap((r) => r.choices.flatMap((c) => c.symbols)).filter(isNT);
  return {
    fileName,
    rules,
    start: raw[0].name,
    startRule: 0,
    ruleIndex,
    flags: {
      recursive: rules.some((r) => r.reachable && r.recursive),
      hasUndefined: allNts.some((s) => s.rule < 0),
      hasDuplicates: rules.some((r) => r.duplicate),
      finite: rules.every((r) => !r.reachable || r.minDepth < Infinity),
    },
    tables: buildTables(rules),
  };
}

function isNT(s: GrammarSymbol): s is NonTerminalSymbol {
  return s.kind === 'NT';
}

/** reach[a][b]: rule b can appear in a derivation from rule a in one or more steps. */
function reachability(rules: readonly RuleShape[]): boolean[][] {
  const n = rules.length;
  const direct = rules.map((r) => {
    const out = new Set<number>();
    for (const c of r.choices) for (const s of c.symbols) if (s.kind === 'NT' && s.rule >= 0) out.add(s.rule);
    return [...out];
  });
  return rules.map((_, a) => {
    const seen = new Array<boolean>(n).fill(false);
    const stack = [...direct[a]];
    while (stack.length > 0) {
      const b = stack.pop()!;
      if (seen[b]) continue;
      seen[b] = true;
      stack.push(...direct[b]);
    }
    return seen;
  });
}

/** Rules that can derive the empty string (some choice of empty terminals and nullable rules). */
function computeNullable(rules: readonly RuleShape[]): boolean[] {
  const nullable = new Array<boolean>(rules.length).fill(false);
  for (let changed = true; changed; ) {
    changed = false;
    rules.forEach((r, ri) => {
      if (nullable[ri]) return;
      const ok = r.choices.some((c) =>
        c.symbols.every((s) => (s.kind === 'T' ? s.text === '' : s.rule >= 0 && nullable[s.rule])),
      );
      if (ok) nullable[ri] = changed = true;
    });
  }
  return nullable;
}

/** Flatten the rules into the integer tables the mapper walks (see MappingTables). */
function buildTables(rules: readonly Rule[]): MappingTables {
  const sentinel = rules.length;
  const numChoices = new Int32Array(rules.length + 1);
  const choiceStart = new Int32Array(rules.length + 1);
  const symStart: number[] = [];
  const symbols: number[] = [];
  const terminals: string[] = [];
  const termId = new Map<string, number>();
  let maxChoiceLength = 0;
  let choiceId = 0;
  rules.forEach((r, ri) => {
    numChoices[ri] = r.numChoices;
    choiceStart[ri] = choiceId;
    for (const c of r.choices) {
      symStart.push(symbols.length);
      choiceId++;
      maxChoiceLength = Math.max(maxChoiceLength, c.symbols.length);
      for (const s of c.symbols) {
        if (s.kind === 'NT') {
          symbols.push(s.rule < 0 ? sentinel : s.rule);
        } else {
          let t = termId.get(s.text);
          if (t === undefined) {
            t = terminals.length;
            terminals.push(s.text);
            termId.set(s.text, t);
          }
          symbols.push(~t);
        }
      }
    }
  });
  numChoices[sentinel] = 0;
  choiceStart[sentinel] = choiceId;
  symStart.push(symbols.length);
  return {
    numChoices,
    choiceStart,
    symStart: Int32Array.from(symStart),
    symbols: Int32Array.from(symbols),
    terminals,
    maxChoiceLength,
  };
}
