import { bitWords, newBitBool, type BitBool } from './kernels-bits.js';
import { isSharedBool, newBoolBuf, type BoolBuf } from './kernels-bool.js';

/**
 * Scratch bool columns reused across evaluations, so the hot path does not allocate (and zero)
 * 120 KB per node. One pool per thread (module state; worker threads each get their own), keyed by
 * column length. Evaluation is synchronous, so nothing else can grab a buffer mid-evaluation.
 */
const pools = new Map<number, BoolBuf[]>();

/** Buffers kept per length; a tree needs about its depth plus the memo's turnover. */
const MAX_POOLED = 64;

/** A scratch bool column of n bars (contents unspecified). */
export function acquireBool(n: number): BoolBuf {
  const p = pools.get(n);
  return p !== undefined && p.length > 0 ? p.pop()! : newBoolBuf(n);
}

/**
 * Give a scratch column back. The caller must hold no other reference to it. A column in shared
 * memory is never pooled: other threads read it, so it must never be written again.
 */
export function releaseBool(buf: BoolBuf): void {
  if (isSharedBool(buf)) return;
  const n = buf.bytes.length;
  let p = pools.get(n);
  if (p === undefined) pools.set(n, (p = []));
  if (p.length < MAX_POOLED) p.push(buf);
}

/** Scratch bit planes, keyed by their length in words. */
const bitPools = new Map<number, BitBool[]>();

/** Scratch bit planes for n bars (contents unspecified). */
export function acquireBits(n: number): BitBool {
  const p = bitPools.get(bitWords(n));
  return p !== undefined && p.length > 0 ? p.pop()! : newBitBool(n);
}

/** Give scratch planes back; the caller must hold no other reference to them. */
export function releaseBits(bits: BitBool): void {
  const w = bits.val.length;
  let p = bitPools.get(w);
  if (p === undefined) bitPools.set(w, (p = []));
  if (p.length < MAX_POOLED) p.push(bits);
}
