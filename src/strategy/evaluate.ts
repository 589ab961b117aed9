import type { Panel } from '../domain/types.js';
import type { IndicatorCache } from './cache.js';
import type { CompiledRule } from './compile.js';
import { crossW, daySegments, newBoolBuf, type BoolBuf } from './kernels-bool.js';
import {
  andB,
  andNotBits,
  bitSegments,
  bitWords,
  copyBits,
  latchB,
  notB,
  orB,
  packBool,
  positionsFromBits,
  positionsLongShortFromBits,
  type BitBool,
} from './kernels-bits.js';
import { gtCS, gtSC, gtSS } from './kernels-f64.js';
import type { BoolMemo } from './memo.js';
import type { BoolPlan, CrossPlan, GtPlan, Operand } from './plan.js';
import { acquireBits, acquireBool, releaseBits, releaseBool } from './pool.js';
import { computeSeries } from './series.js';

/**
 * The fast evaluator: one node at a time over the whole N*T panel, each node a tight loop over
 * typed arrays. Series columns come from the IndicatorCache (computed there on a miss);
 * comparisons and crosses are computed as byte columns (looked up in the BoolMemo first, and
 * stored there after) and packed into bit planes (kernels-bits), which the memo keeps too; the
 * logic above them (and, or, not, latch) runs on bit planes, 32 bars per word, in pooled scratch
 * planes reused in place by their parent when possible. The root's planes are then written out
 * as positions, one byte per bar.
 */

/** A bool result as planes and whether the caller owns them (scratch it may overwrite or must release). */
interface Res {
  readonly bits: BitBool;
  readonly owned: boolean;
}

class Evaluation {
  readonly n: number;
  /** The first days of each asset that are computed (all, unless a caller needs fewer). */
  readonly days: number;
  /** Their ranges of byte-column words (4 bars) and of plane words (32 bars). */
  readonly segs: Int32Array;
  readonly bitSegs: Int32Array;

  constructor(
    readonly panel: Panel,
    readonly cache: IndicatorCache,
    readonly memo: BoolMemo | undefined,
    /** Where comparisons are computed: pooled scratch by default. */
    readonly allocate: (n: number) => BoolBuf = acquireBool,
    days = panel.T,
  ) {
    this.n = panel.N * panel.T;
    // Memoised columns and planes are read later by other rules, for any day: they are always
    // whole; only the logic above them is limited to the days asked for.
    this.days = Math.max(0, Math.min(panel.T, days));
    this.segs = segmentsOf(panel.N, panel.T, this.days, 4);
    this.bitSegs = segmentsOf(panel.N, panel.T, this.days, 32);
  }

  column(op: Operand): Float64Array {
    if (op.k === 'field') return this.panel[op.node.field];
    if (op.k === 'series') return this.cache.get(op.key) ?? computeSeries(op.node, this.panel, this.cache);
    throw new Error('constant operand has no column');
  }

  /** Scratch planes for a result: reuse an owned input in place, else take some from the pool. */
  target(x: Res, y?: Res): BitBool {
    if (x.owned) {
      if (y?.owned) releaseBits(y.bits);
      return x.bits;
    }
    if (y?.owned) return y.bits;
    return acquireBits(this.n);
  }

  bool(p: BoolPlan): Res {
    switch (p.op) {
      case 'gt':
      case 'cross':
        return this.leaf(p);
      case 'and':
      case 'or': {
        const a = this.bool(p.a);
        const b = this.bool(p.b);
        const out = this.target(a, b);
        if (p.op === 'and') andB(a.bits, b.bits, out, this.bitSegs);
        else orB(a.bits, b.bits, out, this.bitSegs);
        return { bits: out, owned: true };
      }
      case 'not': {
        const a = this.bool(p.a);
        const out = this.target(a);
        notB(a.bits, out, this.bitSegs);
        return { bits: out, owned: true };
      }
      case 'latch': {
        const on = this.bool(p.on);
        const off = this.bool(p.off);
        const out = this.target(on, off);
        latchB(on.bits, off.bits, out, this.panel.N, this.panel.T, this.days);
        return { bits: out, owned: true };
      }
    }
  }

  /**
   * The planes of a comparison or cross: the memo's when it has them; else packed from its byte
   * column (the memo's, or computed), and handed to the memo, whole, for the next rules.
   */
  leaf(p: GtPlan | CrossPlan): Res {
    const memo = this.memo;
    if (memo === undefined) {
      const col = this.byteColumn(p);
      const bits = acquireBits(this.n);
      packBool(col.buf, bits, this.n, this.bitSegs);
      if (col.owned) releaseBool(col.buf);
      return { bits, owned: true };
    }
    const held = memo.getBits(p.key);
    if (held !== undefined) return { bits: held, owned: false };
    const col = this.byteColumn(p);
    const bits = acquireBits(this.n); // the memo's to keep, back to the pool once retired
    packBool(col.buf, bits, this.n, ALL_WORDS);
    if (col.owned) releaseBool(col.buf);
    return { bits, owned: !memo.putBits(p.key, bits) };
  }

  /** The byte column of a comparison or cross: from the memo, or computed (and offered to it). */
  byteColumn(p: GtPlan | CrossPlan): { buf: BoolBuf; owned: boolean } {
    const hit = this.memo?.get(p.key);
    if (hit !== undefined) return { buf: hit, owned: false };
    let buf: BoolBuf;
    if (p.op === 'gt') buf = this.compare(p);
    else {
      const g = this.byteColumn(p.cmp);
      buf = g.owned ? g.buf : this.allocate(this.n);
      crossW(g.buf.words, buf.words, buf.bytes, this.panel.N, this.panel.T);
    }
    if (this.memo !== undefined && this.memo.put(p.key, buf)) return { buf, owned: false };
    return { buf, owned: true };
  }

  compare(p: GtPlan): BoolBuf {
    const out = this.allocate(this.n);
    const { a, b } = p;
    if (a.k === 'const') gtCS(a.value, this.column(b), out.words, out.bytes, this.n);
    else if (b.k === 'const') gtSC(this.column(a), b.value, out.words, out.bytes, this.n);
    else gtSS(this.column(a), this.column(b), out.words, out.bytes, this.n);
    return out;
  }

  release(r: Res): void {
    if (r.owned) releaseBits(r.bits);
  }
}

/** Segments meaning "every word" (packBool stops at the planes' end). */
const ALL_WORDS = Int32Array.of(0, 0x7fffffff);

/**
 * Positions of a compiled rule on every (asset, day) of the panel: an Int8Array(N*T) of -1/0/1,
 * the target decided at day t's close. A bool rule is long (1) where it is true and flat (0)
 * where it is false or unknown; a long_short rule is +1 where long is true, -1 where short is true
 * and long is not, 0 otherwise.
 *
 * `cache` must be built for this panel's dimensions; `memo` (optional) is bound to this panel
 * object and cleared when used with another one. `out` (optional, N*T long) receives the
 * positions and is returned; pass one buffer per thread on the hot path: allocating a fresh
 * 120 KB array per rule made garbage collection a quarter of the evaluation time. Without it a
 * new array is returned.
 *
 * `days` (optional): only the first `days` days of each asset are needed (the train window of a
 * fitness evaluation); the positions of later days are then left unspecified, and the work on
 * them is skipped, except for comparisons and crosses, which the memo keeps whole.
 */
export function evaluatePositions(
  rule: CompiledRule,
  panel: Panel,
  cache: IndicatorCache,
  memo?: BoolMemo,
  out?: Int8Array,
  days?: number,
): Int8Array {
  const n = panel.N * panel.T;
  if (out !== undefined && out.length !== n) throw new RangeError(`out has ${out.length} values, expected N*T = ${n}`);
  const ev = startEvaluation(panel, cache, memo, days);
  // The position kernels write whole words; an `out` that cannot take them gets a copy at the end.
  const direct = out === undefined ? newBoolBuf(n) : wordView(out);
  const target = direct ?? acquireBool(n);
  const plan = rule.plan;
  if (plan.kind === 'bool') {
    const r = ev.bool(plan.root);
    positionsFromBits(r.bits.val, target.words, ev.segs);
    ev.release(r);
  } else {
    const l = ev.bool(plan.long);
    const s = ev.bool(plan.short);
    positionsLongShortFromBits(l.bits.val, s.bits.val, target.words, ev.segs);
    ev.release(l);
    ev.release(s);
  }
  if (direct !== null) return direct.bytes;
  out!.set(target.bytes);
  releaseBool(target);
  return out!;
}

/** A rule's positions as bit planes: long where `long` is set; short where `short` is (never where long is). */
export interface RulePlanes {
  long: Int32Array;
  /** null for a long/flat rule. */
  short: Int32Array | null;
}

/**
 * evaluatePositions' result as two bit planes, 32 bars a word (bar g = asset * T + day is bit
 * g % 32 of word g >> 5): the form the simulator reads (its PositionPlanes), which spares writing
 * and scanning a byte per bar. `out` (optional) are planes to write into, at least
 * ceil(N*T / 32) words each; `days` as in evaluatePositions (the words past them are unspecified).
 */
export function evaluatePositionPlanes(
  rule: CompiledRule,
  panel: Panel,
  cache: IndicatorCache,
  memo?: BoolMemo,
  out?: { long: Int32Array; short: Int32Array },
  days?: number,
): RulePlanes {
  const ev = startEvaluation(panel, cache, memo, days);
  const words = bitWords(ev.n);
  if (out !== undefined && (out.long.length < words || out.short.length < words)) throw new RangeError(`out planes need ${words} words`);
  const long = out?.long ?? new Int32Array(words);
  const plan = rule.plan;
  if (plan.kind === 'bool') {
    const r = ev.bool(plan.root);
    copyBits(r.bits.val, long, ev.bitSegs);
    ev.release(r);
    return { long, short: null };
  }
  const short = out?.short ?? new Int32Array(words);
  const l = ev.bool(plan.long);
  const s = ev.bool(plan.short);
  copyBits(l.bits.val, long, ev.bitSegs);
  andNotBits(s.bits.val, l.bits.val, short, ev.bitSegs);
  ev.release(l);
  ev.release(s);
  return { long, short };
}

/** Check the cache, bind the memo (recycling what it retired) and set up an evaluation. */
function startEvaluation(panel: Panel, cache: IndicatorCache, memo: BoolMemo | undefined, days: number | undefined): Evaluation {
  if (!cache.fits(panel)) {
    throw new RangeError(`cache is for ${cache.N}x${cache.T} panels, got ${panel.N}x${panel.T}`);
  }
  if (memo !== undefined) {
    memo.bindPanel(panel);
    // Columns and planes evicted during earlier evaluations are no longer read by anyone: recycle them.
    for (const b of memo.takeRetired()) releaseBool(b);
    for (const b of memo.takeRetiredBits()) releaseBits(b);
  }
  return new Evaluation(panel, cache, memo, acquireBool, days);
}

/**
 * Compute the comparison and cross columns of a rule that `memo` does not hold yet, each in a new
 * column from `allocate`, put them in the memo and return those it took (the caller recycles
 * what the memo evicts, `takeRetired`, and the columns it refused). The coordinator of the
 * scoring threads does this for a batch with shared-memory columns and hands them to every
 * worker, so that a comparison is computed once, not once per worker, and the workers share one
 * copy of each column instead of each filling a memo of its own.
 */
export function memoiseComparisons(
  rule: CompiledRule,
  panel: Panel,
  cache: IndicatorCache,
  memo: BoolMemo,
  allocate: (n: number) => BoolBuf,
): [string, BoolBuf][] {
  memo.bindPanel(panel);
  const ev = new Evaluation(panel, cache, memo, allocate);
  const added: [string, BoolBuf][] = [];
  const keep = (key: string, buf: BoolBuf) => {
    if (memo.put(key, buf)) added.push([key, buf]);
  };
  const visit = (p: BoolPlan): void => {
    switch (p.op) {
      case 'gt':
        if (!memo.has(p.key)) keep(p.key, ev.compare(p));
        return;
      case 'cross': {
        if (memo.has(p.key)) return;
        let g = memo.peek(p.cmp.key);
        if (g === undefined) keep(p.cmp.key, (g = ev.compare(p.cmp)));
        const out = allocate(ev.n);
        crossW(g.words, out.words, out.bytes, panel.N, panel.T);
        keep(p.key, out);
        return;
      }
      case 'and':
      case 'or':
        visit(p.a);
        visit(p.b);
        return;
      case 'not':
        visit(p.a);
        return;
      case 'latch':
        visit(p.on);
        visit(p.off);
        return;
    }
  };
  if (rule.plan.kind === 'bool') visit(rule.plan.root);
  else {
    visit(rule.plan.long);
    visit(rule.plan.short);
  }
  return added;
}

const segmentCache = new Map<string, Int32Array>();

/** daySegments (4 bars a word) or bitSegments (32), kept per shape (a run evaluates on one or two). */
function segmentsOf(N: number, T: number, days: number, barsPerWord: 4 | 32): Int32Array {
  const key = `${N},${T},${days},${barsPerWord}`;
  let segs = segmentCache.get(key);
  if (segs === undefined) {
    if (segmentCache.size > 64) segmentCache.clear();
    segmentCache.set(key, (segs = barsPerWord === 4 ? daySegments(N, T, days) : bitSegments(N, T, days)));
  }
  return segs;
}

/**
 * Word view of a caller's array when whole-word writes stay inside it (aligned start, length a
 * multiple of 4: bytes past its end may belong to the caller), else null.
 */
function wordView(a: Int8Array): BoolBuf | null {
  if (a.byteOffset % 4 !== 0 || a.length % 4 !== 0) return null;
  return { bytes: a, words: new Int32Array(a.buffer, a.byteOffset, a.length >> 2) };
}
