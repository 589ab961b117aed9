import type { Panel } from '../domain/types.js';
import type { IndicatorCache } from './cache.js';
import type { CompiledRule } from './compile.js';
import {
  andPositionsW,
  andW,
  crossW,
  daySegments,
  latchW,
  newBoolBuf,
  notPositionsW,
  notW,
  orPositionsW,
  orW,
  positionsFromBoolW,
  positionsLongShortW,
  type BoolBuf,
} from './kernels-bool.js';
import { gtCS, gtSC, gtSS } from './kernels-f64.js';
import type { BoolMemo } from './memo.js';
import type { BoolPlan, GtPlan, Operand } from './plan.js';
import { acquireBool, releaseBool } from './pool.js';
import { computeSeries } from './series.js';

/**
 * The fast evaluator: one node at a time over the whole N*T panel, each node a tight loop over
 * typed arrays. Series columns come from the IndicatorCache (computed there on a miss); bool
 * intermediates live in pooled scratch columns, reused in place by their parent when possible;
 * with a BoolMemo, comparisons and crosses (or, with policy `all`, every bool node) are looked
 * up by key first and stored after. A root and/or/not writes the positions directly (one pass
 * fewer).
 */

/** A bool result and whether the caller owns it (scratch it may overwrite or must release). */
interface Res {
  readonly buf: BoolBuf;
  readonly owned: boolean;
}

class Evaluation {
  readonly n: number;
  readonly memoAll: boolean;
  /** The first days of each asset that are computed (all, unless a caller needs fewer). */
  readonly days: number;
  /** Their word ranges, for the word kernels. */
  readonly segs: Int32Array;

  constructor(
    readonly panel: Panel,
    readonly cache: IndicatorCache,
    readonly memo: BoolMemo | undefined,
    /** Where comparisons are computed: pooled scratch by default. */
    readonly allocate: (n: number) => BoolBuf = acquireBool,
    days = panel.T,
  ) {
    this.n = panel.N * panel.T;
    this.memoAll = memo?.policy === 'all';
    // Memoised columns are read later by other rules, for any day: comparisons and crosses are
    // always whole, and so is everything when every node is memoised.
    this.days = this.memoAll ? panel.T : Math.max(0, Math.min(panel.T, days));
    this.segs = segmentsOf(panel.N, panel.T, this.days);
  }

  column(op: Operand): Float64Array {
    if (op.k === 'field') return this.panel[op.node.field];
    if (op.k === 'series') return this.cache.get(op.key) ?? computeSeries(op.node, this.panel, this.cache);
    throw new Error('constant operand has no column');
  }

  /** Scratch for a result: reuse an owned input in place, else take one from the pool. */
  target(x: Res, y?: Res): BoolBuf {
    if (x.owned) {
      if (y?.owned) releaseBool(y.buf);
      return x.buf;
    }
    if (y?.owned) return y.buf;
    return acquireBool(this.n);
  }

  /** Under policy `all`, hand a freshly computed owned result to the memo, which then owns it. */
  keepIfAll(key: string, buf: BoolBuf): Res {
    if (this.memo !== undefined && this.memoAll && this.memo.put(key, buf)) return { buf, owned: false };
    return { buf, owned: true };
  }

  /** Comparisons and crosses go to the memo under every policy. */
  keepAlways(key: string, buf: BoolBuf): Res {
    if (this.memo !== undefined && this.memo.put(key, buf)) return { buf, owned: false };
    return { buf, owned: true };
  }

  bool(p: BoolPlan): Res {
    if (this.memo !== undefined && (this.memoAll || p.op === 'gt' || p.op === 'cross')) {
      const hit = this.memo.get(p.key);
      if (hit !== undefined) return { buf: hit, owned: false };
    }
    switch (p.op) {
      case 'gt':
        return this.keepAlways(p.key, this.compare(p));
      case 'cross': {
        const g = this.bool(p.cmp);
        const out = this.target(g);
        crossW(g.buf.words, out.words, out.bytes, this.panel.N, this.panel.T);
        return this.keepAlways(p.key, out);
      }
      case 'and':
      case 'or': {
        const a = this.bool(p.a);
        const b = this.bool(p.b);
        const out = this.target(a, b);
        if (p.op === 'and') andW(a.buf.words, b.buf.words, out.words, this.segs);
        else orW(a.buf.words, b.buf.words, out.words, this.segs);
        return this.keepIfAll(p.key, out);
      }
      case 'not': {
        const a = this.bool(p.a);
        const out = this.target(a);
        notW(a.buf.words, out.words, this.segs);
        return this.keepIfAll(p.key, out);
      }
      case 'latch': {
        const on = this.bool(p.on);
        const off = this.bool(p.off);
        const out = this.target(on, off);
        latchW(on.buf, off.buf, out, this.panel.N, this.panel.T, this.days);
        return this.keepIfAll(p.key, out);
      }
    }
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
    if (r.owned) releaseBool(r.buf);
  }
}

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
  if (!cache.fits(panel)) {
    throw new RangeError(`cache is for ${cache.N}x${cache.T} panels, got ${panel.N}x${panel.T}`);
  }
  const n = panel.N * panel.T;
  if (out !== undefined && out.length !== n) throw new RangeError(`out has ${out.length} values, expected N*T = ${n}`);
  if (memo !== undefined) {
    memo.bindPanel(panel);
    // Columns evicted during earlier evaluations are no longer read by anyone: recycle them.
    for (const b of memo.takeRetired()) releaseBool(b);
  }
  const ev = new Evaluation(panel, cache, memo, acquireBool, days);
  // The word kernels write whole words; an `out` that cannot take them gets a copy at the end.
  const direct = out === undefined ? newBoolBuf(n) : wordView(out);
  const target = direct ?? acquireBool(n);
  const plan = rule.plan;
  if (plan.kind === 'bool') {
    const root = plan.root;
    if (!ev.memoAll && (root.op === 'and' || root.op === 'or')) {
      const a = ev.bool(root.a);
      const b = ev.bool(root.b);
      if (root.op === 'and') andPositionsW(a.buf.words, b.buf.words, target.words, ev.segs);
      else orPositionsW(a.buf.words, b.buf.words, target.words, ev.segs);
      ev.release(a);
      ev.release(b);
    } else if (!ev.memoAll && root.op === 'not') {
      const a = ev.bool(root.a);
      notPositionsW(a.buf.words, target.words, ev.segs);
      ev.release(a);
    } else {
      const r = ev.bool(root);
      positionsFromBoolW(r.buf.words, target.words, ev.segs);
      ev.release(r);
    }
  } else {
    const l = ev.bool(plan.long);
    const s = ev.bool(plan.short);
    positionsLongShortW(l.buf.words, s.buf.words, target.words, ev.segs);
    ev.release(l);
    ev.release(s);
  }
  if (direct !== null) return direct.bytes;
  out!.set(target.bytes);
  releaseBool(target);
  return out!;
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

/** daySegments, kept per shape (a run evaluates on one or two). */
function segmentsOf(N: number, T: number, days: number): Int32Array {
  const key = `${N},${T},${days}`;
  let segs = segmentCache.get(key);
  if (segs === undefined) {
    if (segmentCache.size > 64) segmentCache.clear();
    segmentCache.set(key, (segs = daySegments(N, T, days)));
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
