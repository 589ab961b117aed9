/**
 * Three-valued bool columns, one byte per bar: the form comparisons and crosses are computed in
 * (and kept in the memo, and shared between threads), and positions are written in. A bool column
 * is an Int8Array of 1 (true), 0 (false) and -1 (unknown, byte 0xFF) whose buffer is padded to a
 * multiple of 4 bytes, so loops can run on 32-bit words, four bars at a time. The logic of rules
 * runs on bit planes instead (kernels-bits).
 *
 * Per byte (bars never interact inside a word, no carries cross byte boundaries):
 * - `((x | y) >>> 7) & 0x01010101` has bit 0 set in each byte where x or y is unknown (bit 7 is
 *   only set in 0xFF); `Math.imul(that, 0xff)` widens it back to 0xFF per byte;
 * - `x & 0x01010101` is the truth bit (unknown bytes also have it, but they are overwritten by
 *   the 0xFF mask).
 *
 * Word layout assumes a little-endian platform (bar 4j+k is byte k of word j), checked at load.
 */

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error('aegis strategy kernels need a little-endian platform');
}

const LOW = 0x01010101;

/** A bool column and a 32-bit word view of the same (padded) memory. */
export interface BoolBuf {
  readonly bytes: Int8Array;
  readonly words: Int32Array;
}

/** Bytes of a bool column of n bars, padded to whole words. */
export function boolBytes(n: number): number {
  return (n + 3) & ~3;
}

/** A new bool column of n bars (zero-filled), padded to whole words. */
export function newBoolBuf(n: number): BoolBuf {
  const buf = new ArrayBuffer(boolBytes(n));
  return { bytes: new Int8Array(buf, 0, n), words: new Int32Array(buf) };
}

/** A new bool column of n bars in shared memory (to be read by several worker threads). */
export function newSharedBoolBuf(n: number): BoolBuf {
  return boolBufOf(new Int8Array(new SharedArrayBuffer(boolBytes(n)), 0, n));
}

/** The BoolBuf of a column received from another thread (its buffer padded to whole words). */
export function boolBufOf(bytes: Int8Array): BoolBuf {
  const words = (bytes.length + 3) >> 2;
  if (bytes.byteOffset % 4 !== 0 || bytes.buffer.byteLength < bytes.byteOffset + words * 4) {
    throw new RangeError('a bool column must start on a word and be padded to whole words');
  }
  return { bytes, words: new Int32Array(bytes.buffer, bytes.byteOffset, words) };
}

/** True for a column in shared memory: other threads may be reading it, so it is never scratch. */
export function isSharedBool(buf: BoolBuf): boolean {
  return buf.bytes.buffer instanceof SharedArrayBuffer;
}

/**
 * The word ranges that hold the first `days` days of each of N assets of T days (asset-major, one
 * byte per day), merged where they touch: [0, all words) when days = T. Words at a range's ends
 * may also hold bytes outside those days; the kernels compute them too, and nobody reads them.
 */
export function daySegments(N: number, T: number, days: number): Int32Array {
  const words = (N * T + 3) >> 2;
  if (days >= T || N === 0) return Int32Array.of(0, words);
  const out: number[] = [];
  for (let a = 0; a < N; a++) {
    const from = (a * T) >> 2;
    const to = days > 0 ? Math.min(words, (a * T + days + 3) >> 2) : from;
    if (out.length > 0 && from <= out[out.length - 1]) out[out.length - 1] = Math.max(out[out.length - 1], to);
    else out.push(from, to);
  }
  return Int32Array.from(out);
}

/**
 * cross from a comparison column g (g = a > b for cross_above, a < b for cross_below): true where
 * g is true today and false yesterday, unknown where either day is unknown. Yesterday is byte
 * k-1, i.e. the word shifted left one byte with the previous word's top byte shifted in. Runs
 * backwards so `out` may be `g` itself. The first bar of each asset is set to unknown afterwards
 * (its "yesterday" byte belongs to the previous asset).
 */
export function crossW(g: Int32Array, out: Int32Array, outBytes: Int8Array, N: number, T: number): void {
  for (let j = out.length - 1; j >= 0; j--) {
    const cur = g[j];
    const prev = (cur << 8) | (j > 0 ? g[j - 1] >>> 24 : 0xff);
    out[j] = Math.imul(((cur | prev) >>> 7) & LOW, 0xff) | (cur & ~prev & LOW);
  }
  for (let a = 0; a < N; a++) outBytes[a * T] = -1;
}
