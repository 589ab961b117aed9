import type { Rng } from '../domain/rng.js';
import { checkCodonSize, type Genome } from './codons.js';

/**
 * Linear GE operators: tournament selection, variable one-point crossover and int-flip mutation,
 * all restricted to the used (effective) codons as in PonyGE2. Genomes are never modified in
 * place; operators return new Int32Arrays. Subtree-aware operators live in subtree.ts.
 */

export { spliceSubtree, subtreeCrossover, type CodonRange } from './subtree.js';

/**
 * Tournament selection: draw k indices uniformly with replacement and return the one with the
 * highest fitness; equal fitness goes to the lower index, NaN counts as worst. Deterministic for
 * a given rng state (it draws exactly k integers).
 */
export function tournamentSelect(fitness: ArrayLike<number>, k: number, rng: Rng): number {
  const n = fitness.length;
  if (n === 0) throw new RangeError('tournament over an empty population');
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`tournament size must be an integer >= 1, got ${k}`);
  let best = rng.int(0, n - 1);
  for (let i = 1; i < k; i++) {
    const j = rng.int(0, n - 1);
    if (beats(fitness[j], j, fitness[best], best)) best = j;
  }
  return best;
}

function beats(fa: number, a: number, fb: number, b: number): boolean {
  const na = Number.isNaN(fa);
  const nb = Number.isNaN(fb);
  if (na || nb) return na === nb ? a < b : nb;
  return fa > fb || (fa === fb && a < b);
}

/** A crossover point in [1, min(used, length)] (0 for an empty genome): at least one codon of head. */
function cutPoint(length: number, used: number, rng: Rng): number {
  if (length === 0) return 0;
  return rng.int(1, Math.min(Math.max(used, 1), length));
}

/**
 * Variable one-point crossover: a cut point is drawn independently in each parent within its
 * used codons (in [1, min(used, length)]); child 1 = head of a + tail of b, child 2 = head of b +
 * tail of a. The children's lengths sum to the parents' lengths.
 */
export function onePointCrossover(
  a: Genome,
  aUsed: number,
  b: Genome,
  bUsed: number,
  rng: Rng,
): [Int32Array, Int32Array] {
  const pa = cutPoint(a.length, aUsed, rng);
  const pb = cutPoint(b.length, bUsed, rng);
  return [concat(a, pa, b, pb), concat(b, pb, a, pa)];
}

/** head[0, headEnd) followed by tail[tailStart, end). */
function concat(head: Genome, headEnd: number, tail: Genome, tailStart: number): Int32Array {
  const child = new Int32Array(headEnd + tail.length - tailStart);
  for (let i = 0; i < headEnd; i++) child[i] = head[i];
  for (let i = tailStart, j = headEnd; i < tail.length; i++, j++) child[j] = tail[i];
  return child;
}

/**
 * Int-flip mutation: each of the first min(used, length) codons is replaced, with probability pm,
 * by a codon drawn uniformly in [0, codonSize); the tail is copied unchanged (mutating unused
 * codons would change nothing but the genome's neutral drift).
 */
export function intFlipMutation(genome: Genome, used: number, pm: number, codonSize: number, rng: Rng): Int32Array {
  checkCodonSize(codonSize);
  const child = Int32Array.from(genome);
  const end = Math.min(Math.max(used, 0), child.length);
  for (let i = 0; i < end; i++) {
    if (rng.chance(pm)) child[i] = rng.int(0, codonSize - 1);
  }
  return child;
}
