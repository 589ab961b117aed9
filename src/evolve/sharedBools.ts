import { boolBufOf, boolBytes, type BoolBuf } from '../strategy/index.js';

/**
 * The comparison columns the coordinator shares with its scoring workers: a fixed number of
 * column slots in one SharedArrayBuffer, allocated once and reused as the coordinator's memo
 * evicts columns. A shared buffer per column was simpler, but the coordinator's thread allocates
 * almost nothing else, so it seldom collected garbage, and the evicted columns stayed in memory
 * (measured: +300 MB per batch of 1,000 rules on 50 symbols).
 *
 * A slot is only rewritten between batches, when no worker is scoring, and the workers are told
 * to drop the column it held before they receive the next batch.
 */
export class SharedBoolSlots {
  readonly buffer: SharedArrayBuffer;
  /** Bytes of one slot (a column of `bars` bars, padded to whole words). */
  readonly slotBytes: number;
  readonly count: number;
  private readonly views: BoolBuf[];
  private readonly indexOfBuf = new Map<BoolBuf, number>();
  private readonly free: number[] = [];
  private readonly isFreeSlot: Uint8Array;

  /** `count` slots of columns of `bars` bars each. */
  constructor(
    readonly bars: number,
    count: number,
  ) {
    this.slotBytes = boolBytes(bars);
    this.count = Math.max(0, Math.floor(count));
    this.buffer = new SharedArrayBuffer(this.slotBytes * this.count);
    this.views = sharedSlotViews(this.buffer, bars);
    this.views.forEach((v, i) => this.indexOfBuf.set(v, i));
    for (let i = this.count - 1; i >= 0; i--) this.free.push(i);
    this.isFreeSlot = new Uint8Array(this.count).fill(1);
  }

  /** A free slot's column, or null when every slot is taken. */
  acquire(): BoolBuf | null {
    const i = this.free.pop();
    if (i === undefined) return null;
    this.isFreeSlot[i] = 0;
    return this.views[i];
  }

  /** Give a slot back (its column may then be overwritten). */
  release(buf: BoolBuf): void {
    const i = this.slotOf(buf);
    if (this.isFreeSlot[i]) throw new Error(`slot ${i} released twice`);
    this.isFreeSlot[i] = 1;
    this.free.push(i);
  }

  isFree(buf: BoolBuf): boolean {
    return this.isFreeSlot[this.slotOf(buf)] === 1;
  }

  /** The index of a slot's column. */
  slotOf(buf: BoolBuf): number {
    const i = this.indexOfBuf.get(buf);
    if (i === undefined) throw new Error('not a column of these slots');
    return i;
  }

  get freeCount(): number {
    return this.free.length;
  }
}

/** The column views of every slot of a slots buffer (as a worker builds them from the buffer it is sent). */
export function sharedSlotViews(buffer: SharedArrayBuffer, bars: number): BoolBuf[] {
  const slotBytes = boolBytes(bars);
  const count = slotBytes > 0 ? Math.floor(buffer.byteLength / slotBytes) : 0;
  return Array.from({ length: count }, (_, i) => boolBufOf(new Int8Array(buffer, i * slotBytes, bars)));
}
