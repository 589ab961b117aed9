import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

/**
 * The one seeded random source. Every random choice in Aegis goes through an instance of this
 * class that the caller passes in, so the same seed and inputs give the same run.
 */
export class Rng {
  private constructor(private readonly gen: JumpableRandomGenerator) {}

  static seeded(seed: number): Rng {
    if (!Number.isInteger(seed)) throw new TypeError(`seed must be an integer, got ${seed}`);
    return new Rng(xoroshiro128plus(seed | 0));
  }

  /** Integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return uniformInt(this.gen, lo, hi);
  }

  /** Float in [0, 1). */
  float(): number {
    return uniformFloat64(this.gen);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(0, items.length - 1)];
  }

  /** Standard normal draw (Box-Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /**
   * An independent stream derived from this one (this generator jumps 2^64 steps ahead and the
   * clone keeps the old position), for sub-tasks that must not disturb the parent's sequence.
   */
  fork(): Rng {
    const child = this.gen.clone();
    this.gen.jump();
    return new Rng(child);
  }
}
