import { InputError } from '../domain/errors.js';
import type { Genome } from './codons.js';
import type { Grammar, MappingTables } from './grammar-types.js';

/**
 * Standard GE genotype-to-phenotype mapping.
 *
 * - Leftmost non-terminal first (a depth-first, pre-order walk of the derivation tree).
 * - Every expansion consumes the next codon, also for a rule with a single choice; the choice is
 *   `codon mod numChoices`.
 * - When the codons run out, reading wraps to the start of the genome, at most `maxWraps` times
 *   (default 0: no wrapping).
 * - The genome is invalid when non-terminals remain after the codon budget, when a non-terminal
 *   would be expanded deeper than `maxDepth`, or when an undefined non-terminal is reached.
 *
 * Depth convention: depth counts non-terminal nodes. The start symbol's expansion is at depth 1,
 * the non-terminals it produces are at depth 2, and so on; terminals add no depth. So for
 * `<e> ::= <e> + <e> | x`, `x` has depth 1 and `x + x` depth 2. This is the convention of
 * Rule.minDepth / Choice.minDepth and of the initialiser.
 *
 * Because each expansion consumes exactly one codon, the k-th expanded node (pre-order) reads the
 * k-th consumed codon: node k starts at consumed-codon index k, and its subtree's codons are the
 * contiguous range [k, end) where `end` is the first later node no deeper than it. The trace
 * reports these ranges. They are genome indices when no wrapping happened (end <= genome.length);
 * with wrapping they index the consumed sequence, i.e. genome index = index mod genome.length.
 */

/** Options of a mapping. */
export interface MapOptions {
  /** How many times reading may wrap to the start of the genome. Default 0. */
  maxWraps?: number;
  /** Deepest allowed non-terminal depth (start symbol = 1). Default: unlimited. */
  maxDepth?: number;
  /** Rule to derive from (name without brackets). Default: the grammar's start symbol. */
  rule?: string;
  /** Also return the expanded nodes (only for valid genomes). */
  trace?: boolean;
}

/** Per expanded non-terminal, in pre-order (node k consumed codon k). Arrays have length `count`. */
export interface MapTrace {
  readonly count: number;
  /** Rule index (into Grammar.rules) of each node. */
  readonly rule: Int32Array;
  /** Consumed-codon index where the node's expansion starts (equals the node's number). */
  readonly start: Int32Array;
  /** Consumed-codon index just past the node's subtree. */
  readonly end: Int32Array;
  /** Node depth, start symbol = 1. */
  readonly depth: Int32Array;
  /** Rule names, indexed like Grammar.rules (for `ruleNames[rule[k]]`). */
  readonly ruleNames: readonly string[];
}

/** Outcome of one mapping. */
export interface MapResult {
  readonly valid: boolean;
  /** The derived text, or null when invalid. */
  readonly phenotype: string | null;
  /** Codons consumed, counting wraps (so it can exceed the genome length). */
  readonly usedCodons: number;
  /** Non-terminal expansions performed (equals usedCodons: one codon per expansion). */
  readonly nodes: number;
  /** Deepest expanded non-terminal (start symbol = 1); 0 when nothing was expanded. */
  readonly depth: number;
  /** Present when requested and the genome is valid. */
  readonly trace?: MapTrace;
}

/**
 * A reusable mapper for one grammar. It owns growable work buffers, so mapping allocates only
 * the result (and the phenotype string); not re-entrant, which is fine in single-threaded JS.
 */
export class Mapper {
  private readonly t: MappingTables;
  private readonly ruleNames: readonly string[];
  private symStack: Int32Array = new Int32Array(256);
  private depthStack: Int32Array = new Int32Array(256);
  private out: Int32Array = new Int32Array(256);
  private nodeRule: Int32Array = new Int32Array(256);
  private nodeDepth: Int32Array = new Int32Array(256);

  constructor(readonly grammar: Grammar) {
    this.t = grammar.tables;
    this.ruleNames = grammar.rules.map((r) => r.name);
  }

  /** Map a genome (see the module doc for the rules). */
  map(genome: Genome, options: MapOptions = {}): MapResult {
    const { numChoices, choiceStart, symStart, symbols, terminals } = this.t;
    const maxDepth = options.maxDepth ?? Infinity;
    const maxWraps = options.maxWraps ?? 0;
    const trace = options.trace === true;
    const L = genome.length;
    const budget = L * (maxWraps + 1);

    let symStack = this.symStack;
    let depthStack = this.depthStack;
    let out = this.out;
    let sp = 0;
    symStack[sp] = options.rule === undefined ? this.grammar.startRule : this.ruleId(options.rule);
    depthStack[sp++] = 1;

    let used = 0; // codons consumed so far (counting wraps)
    let idx = 0; // next genome index; avoids a modulo per codon
    let outLen = 0;
    let maxD = 0;
    let valid = true;

    while (sp > 0) {
      const sym = symStack[--sp];
      if (sym < 0) {
        // Terminal: remember its number; the string is built only if the genome turns out valid.
        if (outLen === out.length) out = this.out = grow(out, outLen);
        out[outLen++] = ~sym;
        continue;
      }
      const d = depthStack[sp];
      const n = numChoices[sym];
      if (d > maxDepth || n === 0 || used >= budget) {
        valid = false;
        break;
      }
      if (idx === L) idx = 0;
      const codon = genome[idx++];
      if (trace) this.recordNode(used, sym, d);
      used++;
      if (d > maxD) maxD = d;
      const c = choiceStart[sym] + (codon % n);
      const s0 = symStart[c];
      const s1 = symStart[c + 1];
      if (sp + (s1 - s0) > symStack.length) {
        symStack = this.symStack = grow(symStack, sp, sp + (s1 - s0));
        depthStack = this.depthStack = grow(depthStack, sp, sp + (s1 - s0));
      }
      // Push right to left so the leftmost symbol is expanded first.
      for (let k = s1 - 1; k >= s0; k--) {
        symStack[sp] = symbols[k];
        depthStack[sp++] = d + 1;
      }
    }

    if (!valid) return { valid, phenotype: null, usedCodons: used, nodes: used, depth: maxD };
    let phenotype = '';
    for (let i = 0; i < outLen; i++) phenotype += terminals[out[i]];
    return trace
      ? { valid, phenotype, usedCodons: used, nodes: used, depth: maxD, trace: this.buildTrace(used) }
      : { valid, phenotype, usedCodons: used, nodes: used, depth: maxD };
  }

  /** Rule index for a name; an unknown name is the caller's input error. */
  ruleId(name: string): number {
    const r = this.grammar.ruleIndex.get(name);
    if (r === undefined) throw new InputError(`${this.grammar.fileName}: unknown non-terminal <${name}>`);
    return r;
  }

  private recordNode(k: number, rule: number, depth: number): void {
    if (k === this.nodeRule.length) {
      this.nodeRule = grow(this.nodeRule, k);
      this.nodeDepth = grow(this.nodeDepth, k);
    }
    this.nodeRule[k] = rule;
    this.nodeDepth[k] = depth;
  }

  /** Copy the recorded nodes and derive each subtree's end from the pre-order depths. */
  private buildTrace(count: number): MapTrace {
    const rule = this.nodeRule.slice(0, count);
    const depth = this.nodeDepth.slice(0, count);
    const start = new Int32Array(count);
    const end = new Int32Array(count);
    const open: number[] = [];
    for (let k = 0; k < count; k++) {
      start[k] = k;
      while (open.length > 0 && depth[open[open.length - 1]] >= depth[k]) end[open.pop()!] = k;
      open.push(k);
    }
    while (open.length > 0) end[open.pop()!] = count;
    return { count, rule, start, end, depth, ruleNames: this.ruleNames };
  }
}

/** A buffer at least twice as long (and at least `need`), keeping its first `keep` entries. */
function grow(buf: Int32Array, keep: number, need = 0): Int32Array {
  const next = new Int32Array(Math.max(buf.length * 2, need));
  next.set(buf.subarray(0, keep));
  return next;
}

const mappers = new WeakMap<Grammar, Mapper>();

/** The shared Mapper of a grammar (created on first use). */
export function mapperFor(grammar: Grammar): Mapper {
  let m = mappers.get(grammar);
  if (m === undefined) {
    m = new Mapper(grammar);
    mappers.set(grammar, m);
  }
  return m;
}

/** Map a genome with the grammar's shared Mapper. See Mapper.map. */
export function mapGenome(grammar: Grammar, genome: Genome, options?: MapOptions): MapResult {
  // Codons index choices by `codon mod choices`: only non-negative integers mean anything. The
  // search makes nothing else; a genome from elsewhere (the library API, a database) is checked.
  for (let i = 0; i < genome.length; i++) {
    const c = genome[i];
    if (!(Number.isSafeInteger(c) && c >= 0)) throw new RangeError(`genome codon ${i} is ${c}: codons are non-negative integers`);
  }
  return mapperFor(grammar).map(genome, options);
}
