/**
 * The data model of a parsed BNF grammar. Built once by `parseGrammar`; everything the mapper,
 * the initialiser and the reverse mapper need per rule is precomputed here so none of them has to
 * walk the grammar again on the hot path.
 */

/** Literal text. Adjacent bare and quoted text inside one production is merged into one terminal. */
export interface TerminalSymbol {
  readonly kind: 'T';
  readonly text: string;
}

/** A reference to a rule. `rule` is the index into `Grammar.rules`, or -1 when it is undefined. */
export interface NonTerminalSymbol {
  readonly kind: 'NT';
  readonly name: string;
  readonly rule: number;
  /** 1-based source line of the reference, for error messages. */
  readonly line: number;
}

export type GrammarSymbol = TerminalSymbol | NonTerminalSymbol;

/** One production (alternative) of a rule. */
export interface Choice {
  readonly symbols: readonly GrammarSymbol[];
  /** 1-based source line where the production starts. */
  readonly line: number;
  /** True when some non-terminal of this choice can derive (directly or not) the rule itself. */
  readonly recursive: boolean;
  /**
   * Depth of the shallowest derivation tree rooted at this rule that takes this choice, in the
   * non-terminal depth convention (a choice of terminals only has depth 1); Infinity when no
   * derivation through this choice finishes.
   */
  readonly minDepth: number;
}

/** A rule `<name> ::= choice | choice ...`. */
export interface Rule {
  readonly name: string;
  /** Position in `Grammar.rules`. */
  readonly index: number;
  /** 1-based source line of the `<name> ::=` definition. */
  readonly line: number;
  readonly choices: readonly Choice[];
  readonly numChoices: number;
  /** Min over choices of `Choice.minDepth`; Infinity when the rule can never finish deriving. */
  readonly minDepth: number;
  /** Some choice is recursive. */
  readonly recursive: boolean;
  /** The rule can derive the empty string. */
  readonly nullable: boolean;
  /** The rule can be reached from the start symbol. */
  readonly reachable: boolean;
  /** A later definition of a name that was already defined (an error reported by checkGrammar). */
  readonly duplicate: boolean;
}

/** Grammar-wide facts, handy for sanity checks by callers. */
export interface GrammarFlags {
  /** Some reachable rule is recursive (the language is infinite). */
  readonly recursive: boolean;
  /** Some non-terminal is referenced but never defined. */
  readonly hasUndefined: boolean;
  /** Some rule name is defined more than once. */
  readonly hasDuplicates: boolean;
  /** Every reachable rule can finish deriving. */
  readonly finite: boolean;
}

/**
 * Flat integer tables for the mapper: one allocation-free loop walks them per genome.
 * Rules are numbered as in `Grammar.rules`; index `rules.length` is a sentinel for undefined
 * non-terminals (0 choices, so mapping one makes the genome invalid).
 * A symbol code >= 0 is a rule index; a negative code `~t` is terminal number t.
 */
export interface MappingTables {
  /** Per rule (plus sentinel): number of choices. */
  readonly numChoices: Int32Array;
  /** Per rule (plus sentinel): global id of its first choice. */
  readonly choiceStart: Int32Array;
  /** Per global choice id, plus one trailing entry: start of its symbols in `symbols`. */
  readonly symStart: Int32Array;
  /** All choices' symbol codes, concatenated. */
  readonly symbols: Int32Array;
  /** Terminal texts, indexed by terminal number. */
  readonly terminals: readonly string[];
  /** Longest choice, in symbols (sizes the mapper's stack growth). */
  readonly maxChoiceLength: number;
}

/** A parsed, analysed grammar. Immutable. */
export interface Grammar {
  /** The file name used in messages (as given to parseGrammar). */
  readonly fileName: string;
  /** Every definition in source order, duplicates included (references resolve to the first). */
  readonly rules: readonly Rule[];
  /** Name of the start symbol (the first rule), without angle brackets. */
  readonly start: string;
  /** Index of the start rule (always 0). */
  readonly startRule: number;
  /** Name -> index of its first definition. */
  readonly ruleIndex: ReadonlyMap<string, number>;
  readonly flags: GrammarFlags;
  readonly tables: MappingTables;
}
