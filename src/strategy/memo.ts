import type { BitBool } from './kernels-bits.js';
import { isSharedBool, type BoolBuf } from './kernels-bool.js';

/** Options of BoolMemo. */
export interface BoolMemoOptions {
  /**
   * Byte budget of the stored columns. Default 128 MiB: ~1,100 columns of 120,000 bars (one byte
   * per bar), more than the ~700 comparisons and crosses a default-grammar run derives.
   */
  maxBytes?: number;
  /**
   * Byte budget of the bit planes packed from the stored columns (see kernels-bits), kept apart
   * from the columns. Default 32 MiB: planes take a quarter of a column's bytes (two bits per
   * bar), so ~1,000 comparisons of 120,000 bars.
   */
  maxBitBytes?: number;
  /**
   * Columns in shared memory cost this memo nothing (default false): a scoring worker's memo
   * holds the coordinator's shared columns, whose memory the coordinator bounds; the budget then
   * bounds only the columns the worker computes itself, and making room never drops a shared one.
   */
  sharedFree?: boolean;
}

/** Counters of a BoolMemo since construction (or the last `resetStats`). */
export interface BoolMemoStats {
  hits: number;
  misses: number;
  evictions: number;
  entries: number;
  bytes: number;
  /** Bytes of the planes kept (budget maxBitBytes). */
  bitBytes: number;
}

/**
 * Memo of comparisons and crosses: a least-recently-used map from the canonical text of a
 * comparison or cross (`gt(close,sma(close,200))`) to its evaluated column, shared by all the
 * rules of a batch (and beyond) on one panel, and beside it the column's bit planes, which the
 * logic of the rules reads. A comparison costs a pass over two Float64 columns, the grammar
 * derives a bounded set of them and populations repeat them constantly; and/or/not/latch results
 * are cheap to recompute on bit planes and rarely repeat. Measured on 10 generations of a
 * 1,500-rule GE run (default grammar, 20 assets x 6,000 days): ~500 distinct comparisons (and
 * ~170 crosses) in total, so with the default budget the hit rate is ~91% in the first
 * generation and ~100% after; memoising every bool node instead reached only 48-57% hits (logic
 * nodes rarely repeat and evict the comparisons).
 *
 * Stored columns are owned by the memo and read-only for everyone else. An evicted column is not
 * freed at once (the evaluation that evicted it may still be reading it): it is retired and handed
 * back to the scratch pool when the next evaluation starts.
 *
 * A memo belongs to one panel: binding it to another panel object clears it.
 */
export class BoolMemo {
  readonly maxBytes: number;
  readonly maxBitBytes: number;
  private readonly map = new Map<string, BoolBuf>();
  /** Planes of held or once-held keys (a key's planes depend on the key and the panel only). */
  private readonly bits = new Map<string, BitBool>();
  private bitBytes = 0;
  private retiredBits: BitBool[] = [];
  private retired: BoolBuf[] = [];
  private bytes = 0;
  private panel: object | null = null;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private readonly sharedFree: boolean;

  constructor(options: BoolMemoOptions = {}) {
    this.maxBytes = options.maxBytes ?? 128 * 1024 * 1024;
    this.maxBitBytes = options.maxBitBytes ?? 32 * 1024 * 1024;
    this.sharedFree = options.sharedFree ?? false;
    if (!(this.maxBytes >= 0)) throw new RangeError(`maxBytes must be >= 0, got ${options.maxBytes}`);
    if (!(this.maxBitBytes >= 0)) throw new RangeError(`maxBitBytes must be >= 0, got ${options.maxBitBytes}`);
  }

  /** Look a key up, counting a hit or a miss and marking it most recently used. */
  get(key: string): BoolBuf | undefined {
    const v = this.map.get(key);
    if (v === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Re-insert to move the key to the young end of Map iteration order.
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  /** Whether a key is held (no counting, no reordering). */
  has(key: string): boolean {
    return this.map.has(key);
  }

  /** The column of a key if held (no counting, no reordering). */
  peek(key: string): BoolBuf | undefined {
    return this.map.get(key);
  }

  /**
   * Offer a freshly computed column; the memo takes ownership when it returns true. Older entries
   * are evicted to stay within the budget; a column larger than the budget is refused.
   */
  put(key: string, buf: BoolBuf): boolean {
    const size = this.cost(buf);
    if (size > this.maxBytes || this.map.has(key)) return false;
    if (this.bytes + size > this.maxBytes) {
      // Oldest first; entries that cost nothing free nothing, so they stay.
      for (const [k, old] of this.map) {
        if (this.bytes + size <= this.maxBytes) break;
        const c = this.cost(old);
        if (c === 0) continue;
        this.map.delete(k);
        this.bytes -= c;
        this.retired.push(old);
        this.evictions++;
      }
    }
    this.map.set(key, buf);
    this.bytes += size;
    return true;
  }

  /**
   * The planes of a key if kept (counted as a hit, and marked most recently used). They are
   * read-only; evicted ones are retired like columns (reused only from the next evaluation on).
   */
  getBits(key: string): BitBool | undefined {
    const v = this.bits.get(key);
    if (v === undefined) return undefined;
    this.hits++;
    this.bits.delete(key);
    this.bits.set(key, v);
    return v;
  }

  /** Offer the planes of a key; the memo keeps them (read-only from now on) when it returns true. */
  putBits(key: string, bits: BitBool): boolean {
    const size = bits.val.byteLength + bits.known.byteLength;
    if (size > this.maxBitBytes || this.bits.has(key)) return false;
    for (const [k, old] of this.bits) {
      if (this.bitBytes + size <= this.maxBitBytes) break;
      this.bits.delete(k);
      this.bitBytes -= old.val.byteLength + old.known.byteLength;
      this.retiredBits.push(old);
    }
    this.bits.set(key, bits);
    this.bitBytes += size;
    return true;
  }

  /** What a column counts against the budget. */
  private cost(buf: BoolBuf): number {
    return this.sharedFree && isSharedBool(buf) ? 0 : buf.words.byteLength;
  }

  /** Drop a key (its column is retired like an evicted one); false when not held. */
  delete(key: string): boolean {
    const v = this.map.get(key);
    if (v === undefined) return false;
    this.map.delete(key);
    this.bytes -= this.cost(v);
    this.retired.push(v);
    this.dropBits(key);
    return true;
  }

  /** Counters and current size. */
  stats(): BoolMemoStats {
    return { hits: this.hits, misses: this.misses, evictions: this.evictions, entries: this.map.size, bytes: this.bytes, bitBytes: this.bitBytes };
  }

  private dropBits(key: string): void {
    const b = this.bits.get(key);
    if (b === undefined) return;
    this.bits.delete(key);
    this.bitBytes -= b.val.byteLength + b.known.byteLength;
    this.retiredBits.push(b);
  }

  resetStats(): void {
    this.hits = this.misses = this.evictions = 0;
  }

  /** Drop every entry (their columns are retired, not reused while possibly in use). */
  clear(): void {
    for (const v of this.map.values()) this.retired.push(v);
    this.map.clear();
    this.bytes = 0;
    for (const b of this.bits.values()) this.retiredBits.push(b);
    this.bits.clear();
    this.bitBytes = 0;
  }

  /** @internal Bind to the panel being evaluated; a different panel clears the memo. */
  bindPanel(panel: object): void {
    if (this.panel !== panel) {
      this.clear();
      this.panel = panel;
    }
  }

  /** @internal Planes evicted since the last call, safe to reuse once no evaluation runs. */
  takeRetiredBits(): BitBool[] {
    const r = this.retiredBits;
    this.retiredBits = [];
    return r;
  }

  /** @internal Columns evicted since the last call, safe to reuse once no evaluation runs. */
  takeRetired(): BoolBuf[] {
    const r = this.retired;
    this.retired = [];
    return r;
  }
}
