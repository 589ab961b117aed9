import { describe, expect, it } from 'vitest';
import { SharedBoolSlots, sharedSlotViews } from '../../src/evolve/sharedBools.js';
import { isSharedBool } from '../../src/strategy/kernels-bool.js';

describe('SharedBoolSlots', () => {
  it('hands out each slot once until it is released, and views of the same memory on the other side', () => {
    const slots = new SharedBoolSlots(10, 3); // 10 bars: 12 bytes per slot
    expect(slots.slotBytes).toBe(12);
    expect(slots.buffer.byteLength).toBe(36);
    const got = [slots.acquire(), slots.acquire(), slots.acquire()];
    expect(slots.acquire()).toBeNull();
    expect(new Set(got.map((b) => slots.slotOf(b!))).size).toBe(3);
    for (const b of got) {
      expect(isSharedBool(b!)).toBe(true);
      expect(b!.bytes.length).toBe(10);
      expect(b!.words.length).toBe(3);
    }
    // A worker builds views from the buffer alone: slot i is the same memory.
    const views = sharedSlotViews(slots.buffer, 10);
    expect(views).toHaveLength(3);
    got[1]!.bytes.fill(1);
    expect(Array.from(views[slots.slotOf(got[1]!)].bytes)).toEqual(new Array(10).fill(1));
    expect(Array.from(views[slots.slotOf(got[0]!)].bytes)).toEqual(new Array(10).fill(0));
    slots.release(got[1]!);
    expect(slots.isFree(got[1]!)).toBe(true);
    expect(() => slots.release(got[1]!)).toThrow(/twice/);
    expect(slots.acquire()).toBe(got[1]);
    expect(() => slots.slotOf(views[0])).toThrow(/not a column/);
  });
});
