import type { Rng } from '../domain/rng.js';
import type { Genome } from './codons.js';
import type { Grammar } from './grammar-types.js';
import { mapperFor, type MapTrace } from './mapper.js';

/**
 * Subtree-aware genome edits. Because GE's mapping is pre-order and each expansion reads one
 * codon, a derivation subtree is a contiguous codon range (see MapTrace). Replacing that range
 * with the codons of another derivation of the same non-terminal keeps the rest of the genome's
 * derivation intact, which makes these edits far less destructive than one-point crossover.
 */

/** A half-open codon range [start, end) of a genome. */
export interface CodonRange {
  readonly start: number;
  readonly end: number;
}

/**
 * genome[0, start) + codons + genome[end, length). With codons of a derivation of the same
 * non-terminal as the subtree at `at`, the result derives the same text with that subtree
 * replaced. Throws RangeError unless 0 <= start <= end <= genome.length.
 */
export function spliceSubtree(genome: Genome, at: CodonRange, codons: ArrayLike<number>): Int32Array {
  const { start, end } = at;
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= genome.length)) {
    throw new RangeError(`bad subtree range [${start}, ${end}) for a genome of length ${genome.length}`);
  }
  const out = new Int32Array(genome.length - (end - start) + codons.length);
  for (let i = 0; i < start; i++) out[i] = genome[i];
  for (let i = 0; i < codons.length; i++) out[start + i] = codons[i];
  for (let i = end, j = start + codons.length; i < genome.length; i++, j++) out[j] = genome[i];
  return out;
}

/**
 * Subtree crossover: pick uniformly a node of `a` whose non-terminal also occurs in `b`, then
 * uniformly a node of `b` with that non-terminal, and swap their codon ranges. Both parents are
 * mapped without wrapping; returns null when either is invalid that way or no non-terminal is
 * shared. Children are valid derivations (they may be deeper than a depth limit, so re-map them).
 */
export function subtreeCrossover(grammar: Grammar, a: Genome, b: Genome, rng: Rng): [Int32Array, Int32Array] | null {
  const mapper = mapperFor(grammar);
  const ta = mapper.map(a, { trace: true }).trace;
  const tb = mapper.map(b, { trace: true }).trace;
  if (ta === undefined || tb === undefined) return null;

  const bByRule = nodesByRule(tb, grammar.rules.length);
  let candidates = 0;
  for (let k = 0; k < ta.count; k++) if (bByRule[ta.rule[k]].length > 0) candidates++;
  if (candidates === 0) return null;

  let pick = rng.int(0, candidates - 1);
  let na = 0;
  for (; na < ta.count; na++) {
    if (bByRule[ta.rule[na]].length > 0 && pick-- === 0) break;
  }
  const nb = rng.pick(bByRule[ta.rule[na]]);
  const ra: CodonRange = { start: ta.start[na], end: ta.end[na] };
  const rb: CodonRange = { start: tb.start[nb], end: tb.end[nb] };
  return [
    spliceSubtree(a, ra, slice(b, rb)),
    spliceSubtree(b, rb, slice(a, ra)),
  ];
}

/** Node numbers of a trace grouped by rule index. */
function nodesByRule(trace: MapTrace, numRules: number): number[][] {
  const groups: number[][] = Array.from({ length: numRules }, () => []);
  for (let k = 0; k < trace.count; k++) groups[trace.rule[k]].push(k);
  return groups;
}

function slice(g: Genome, r: CodonRange): Int32Array {
  return Int32Array.from(g.slice(r.start, r.end));
}
