import type { Rng } from '../domain/rng.js';

/** A genome: a sequence of non-negative integer codons. */
export type Genome = Int32Array | readonly number[];

/**
 * Default codon range [0, 10 000): large against any rule's number of choices, so the bias of
 * `codon mod n` for uniformly drawn codons is negligible (at most n / 10 000), and small enough to
 * keep genomes readable in logs.
 */
export const DEFAULT_CODON_SIZE = 10_000;

/**
 * A codon that selects `choice` out of `numChoices` (codon mod numChoices === choice) and stays
 * inside [0, codonSize). Without an rng the codon is the choice index itself; with one it is the
 * choice plus a uniformly drawn multiple of numChoices, so equivalent genomes do not all look
 * alike to mutation.
 */
export function encodeChoice(choice: number, numChoices: number, codonSize: number, rng?: Rng): number {
  if (rng === undefined || numChoices <= 0) return choice;
  // The largest k with choice + k*n < codonSize; this keeps codons inside the codon range.
  const kMax = Math.floor((codonSize - 1 - choice) / numChoices);
  return kMax > 0 ? choice + numChoices * rng.int(0, kMax) : choice;
}

/** Validate a codon range; codons must fit an Int32Array. */
export function checkCodonSize(codonSize: number): void {
  if (!Number.isInteger(codonSize) || codonSize < 1 || codonSize > 0x7fffffff) {
    throw new RangeError(`codonSize must be an integer in [1, 2^31 - 1], got ${codonSize}`);
  }
}
