import type { BoolBuf } from './kernels-bool.js';

/**
 * Three-valued bools as two bit planes, 32 bars per 32-bit word: `known` has a bit set where the
 * value is known, `val` where it is known and true (never outside `known`). Bar g of the panel
 * (g = asset * T + day, asset-major like every column) is bit g % 32 of word g >> 5, so a word may
 * hold the end of one asset and the start of the next, as the byte columns' words do.
 *
 * The logic of a rule (and, or, not, latch) runs on these planes: a word does 32 bars at once
 * where the byte columns (kernels-bool) do 4, and the planes of a comparison, kept in the memo
 * next to its byte column, take an eighth of its memory each. Comparisons and crosses are still
 * computed as byte columns (kernels-f64, crossW) and packed once.
 */
export interface BitBool {
  readonly val: Int32Array;
  readonly known: Int32Array;
}

/** Plane words for n bars. */
export function bitWords(n: number): number {
  return (n + 31) >>> 5;
}

/** New planes for n bars, all unknown. */
export function newBitBool(n: number): BitBool {
  const w = bitWords(n);
  return { val: new Int32Array(w), known: new Int32Array(w) };
}

/**
 * The plane-word ranges that hold the first `days` days of each of N assets of T days,
 * [from0, to0, from1, to1, ...], merged where they touch (the bit-plane form of daySegments).
 */
export function bitSegments(N: number, T: number, days: number): Int32Array {
  const words = bitWords(N * T);
  if (days >= T || N === 0) return Int32Array.of(0, words);
  const out: number[] = [];
  for (let a = 0; a < N; a++) {
    const from = (a * T) >>> 5;
    const to = days > 0 ? Math.min(words, bitWords(a * T + days)) : from;
    if (out.length > 0 && from <= out[out.length - 1]) out[out.length - 1] = Math.max(out[out.length - 1], to);
    else out.push(from, to);
  }
  return Int32Array.from(out);
}

/**
 * Four flags one byte apart (bits 0, 8, 16, 24) gathered into bits 21..24: the multiplier's
 * shifted copies land on distinct bits, so no carry disturbs them.
 */
const GATHER = 0x00204081;

/**
 * Pack a byte column (1 true, 0 false, -1 unknown; see kernels-bool) into planes, over the plane
 * words of `segs` (cut at the planes' end). Bars past the column's end are unknown.
 */
export function packBool(src: BoolBuf, out: BitBool, n: number, segs: Int32Array): void {
  const w8 = src.words;
  const byteWords = w8.length;
  const { val, known } = out;
  for (let s = 0; s < segs.length; s += 2) {
    for (let j = segs[s], to = Math.min(segs[s + 1], val.length); j < to; j++) {
      let v = 0;
      let k = 0;
      const first = j << 3;
      const last = Math.min(first + 8, byteWords);
      for (let q = first; q < last; q++) {
        const x = w8[q];
        const unknown = (x >>> 7) & 0x01010101;
        const shift = (q - first) << 2;
        k |= ((Math.imul(~unknown & 0x01010101, GATHER) >>> 21) & 15) << shift;
        v |= ((Math.imul(x & ~unknown & 0x01010101, GATHER) >>> 21) & 15) << shift;
      }
      const end = n - (j << 5); // bars of this word inside the column
      if (end < 32) {
        const inside = end <= 0 ? 0 : (1 << end) - 1;
        k &= inside;
        v &= inside;
      }
      known[j] = k;
      val[j] = v;
    }
  }
}

/** and with strict unknown: unknown if either side is unknown, else a && b. */
export function andB(a: BitBool, b: BitBool, out: BitBool, segs: Int32Array): void {
  const av = a.val, ak = a.known, bv = b.val, bk = b.known, ov = out.val, ok = out.known;
  for (let s = 0; s < segs.length; s += 2) {
    for (let j = segs[s], to = segs[s + 1]; j < to; j++) {
      ok[j] = ak[j] & bk[j];
      ov[j] = av[j] & bv[j]; // inside both knowns already
    }
  }
}

/** or with strict unknown: unknown if either side is unknown, else a || b. */
export function orB(a: BitBool, b: BitBool, out: BitBool, segs: Int32Array): void {
  const av = a.val, ak = a.known, bv = b.val, bk = b.known, ov = out.val, ok = out.known;
  for (let s = 0; s < segs.length; s += 2) {
    for (let j = segs[s], to = segs[s + 1]; j < to; j++) {
      const k = ak[j] & bk[j];
      ok[j] = k;
      ov[j] = (av[j] | bv[j]) & k;
    }
  }
}

/** not: unknown stays unknown, true <-> false. */
export function notB(a: BitBool, out: BitBool, segs: Int32Array): void {
  const av = a.val, ak = a.known, ov = out.val, ok = out.known;
  for (let s = 0; s < segs.length; s += 2) {
    for (let j = segs[s], to = segs[s + 1]; j < to; j++) {
      const k = ak[j];
      ok[j] = k;
      ov[j] = ~av[j] & k;
    }
  }
}

/**
 * latch(on, off) per asset over its first `days` days: state starts false; a day with `on` true
 * sets it, a day with `off` true and `on` false clears it; a day where either input is unknown
 * is unknown and leaves the state as it was. Sequential, but per word: a word without a set or
 * clear repeats the state on all its known bars, and a word with some visits only those bars.
 * `out` may be `on` or `off` (each word is read before it is written; the bits of other assets
 * in a shared word are kept).
 */
export function latchB(on: BitBool, off: BitBool, out: BitBool, N: number, T: number, days = T): void {
  const nv = on.val, nk = on.known, fv = off.val, fk = off.known, ov = out.val, ok = out.known;
  for (let a = 0; a < N; a++) {
    const start = a * T;
    const end = start + Math.min(days, T);
    let state = 0;
    for (let g = start; g < end; ) {
      const j = g >>> 5;
      const lo = g & 31;
      const hi = Math.min(32, end - (j << 5)); // bars [lo, hi) of word j are this asset's
      const range = (hi === 32 ? -1 : (1 << hi) - 1) & ~((1 << lo) - 1);
      const k = nk[j] & fk[j] & range;
      const set = nv[j] & k;
      const clear = fv[j] & ~nv[j] & k;
      let value = 0;
      let events = set | clear;
      if (events === 0) {
        value = state === 1 ? k : 0;
      } else {
        // Bars from `from` up to the next event keep the state; the event's bar takes the new one.
        let from = lo;
        while (events !== 0) {
          const bit = 31 - Math.clz32(events & -events);
          if (state === 1) value |= k & ((1 << bit) - 1) & ~((1 << from) - 1);
          state = (set >>> bit) & 1;
          from = bit;
          events &= events - 1;
        }
        if (state === 1) value |= k & ~((1 << from) - 1);
      }
      ok[j] = (ok[j] & ~range) | k;
      ov[j] = (ov[j] & ~range) | value;
      g = (j << 5) + hi;
    }
  }
}

/** Bytes 0/1 of a nibble: NIBBLE_BYTES[n] has byte i = bit i of n. */
const NIBBLE_BYTES = Int32Array.from({ length: 16 }, (_, n) => (n & 1) | ((n & 2) << 7) | ((n & 4) << 14) | ((n & 8) << 21));

/**
 * Long/flat positions as bytes (1 where `val` is set, else 0), into the 4-bar words of `out` over
 * the 4-bar word ranges `segs` (see daySegments): byte word q is nibble q % 8 of plane word q >> 3.
 */
export function positionsFromBits(val: Int32Array, out: Int32Array, segs: Int32Array): void {
  for (let s = 0; s < segs.length; s += 2) {
    for (let q = segs[s], to = segs[s + 1]; q < to; q++) out[q] = NIBBLE_BYTES[(val[q >>> 3] >>> ((q & 7) << 2)) & 15];
  }
}

/** long_short positions as bytes: 1 where long is true; -1 (0xFF) where short is true and long is not; else 0. */
export function positionsLongShortFromBits(long: Int32Array, short: Int32Array, out: Int32Array, segs: Int32Array): void {
  for (let s = 0; s < segs.length; s += 2) {
    for (let q = segs[s], to = segs[s + 1]; q < to; q++) {
      const shift = (q & 7) << 2;
      const l = (long[q >>> 3] >>> shift) & 15;
      const sh = (short[q >>> 3] >>> shift) & 15 & ~l;
      out[q] = NIBBLE_BYTES[l] | Math.imul(NIBBLE_BYTES[sh], 0xff);
    }
  }
}

/** dst = src over the plane words of `segs`. */
export function copyBits(src: Int32Array, dst: Int32Array, segs: Int32Array): void {
  for (let s = 0; s < segs.length; s += 2) dst.set(src.subarray(segs[s], segs[s + 1]), segs[s]);
}

/** dst = a & ~b over the plane words of `segs` (short where long is not). */
export function andNotBits(a: Int32Array, b: Int32Array, dst: Int32Array, segs: Int32Array): void {
  for (let s = 0; s < segs.length; s += 2) {
    for (let j = segs[s], to = segs[s + 1]; j < to; j++) dst[j] = a[j] & ~b[j];
  }
}
