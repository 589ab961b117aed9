import { describe, expect, it } from 'vitest';
import { newBitBool } from '../../src/strategy/kernels-bits.js';
import { newBoolBuf, newSharedBoolBuf } from '../../src/strategy/kernels-bool.js';
import { BoolMemo } from '../../src/strategy/memo.js';

const buf = (n = 100) => newBoolBuf(n); // 100 bars = 100 bytes

describe('BoolMemo', () => {
  it('evicts least recently used entries to stay within its byte budget', () => {
    const memo = new BoolMemo({ maxBytes: 300 });
    const a = buf(), b = buf(), c = buf(), d = buf();
    expect(memo.put('a', a)).toBe(true);
    expect(memo.put('b', b)).toBe(true);
    expect(memo.put('c', c)).toBe(true);
    expect(memo.get('a')).toBe(a); // a becomes the most recent
    expect(memo.put('d', d)).toBe(true); // evicts b, the least recent
    expect(memo.get('b')).toBeUndefined();
    expect(memo.get('a')).toBe(a);
    expect(memo.get('c')).toBe(c);
    expect(memo.get('d')).toBe(d);
    expect(memo.stats()).toEqual({ hits: 4, misses: 1, evictions: 1, entries: 3, bytes: 300, bitBytes: 0 });
    // Evicted columns are retired (still possibly read by the running evaluation), then recycled.
    expect(memo.takeRetired()).toEqual([b]);
    expect(memo.takeRetired()).toEqual([]);
  });

  it('refuses a column larger than the budget and a key it already holds', () => {
    const memo = new BoolMemo({ maxBytes: 50 });
    expect(memo.put('big', buf(100))).toBe(false);
    const m2 = new BoolMemo({ maxBytes: 1000 });
    expect(m2.put('k', buf())).toBe(true);
    expect(m2.put('k', buf())).toBe(false);
  });

  it('clears itself when bound to another panel, and on clear()', () => {
    const memo = new BoolMemo();
    const p1 = {}, p2 = {};
    memo.bindPanel(p1);
    memo.put('x', buf());
    memo.bindPanel(p1);
    expect(memo.stats().entries).toBe(1);
    memo.bindPanel(p2);
    expect(memo.stats().entries).toBe(0);
    memo.put('y', buf());
    memo.clear();
    expect(memo.stats()).toMatchObject({ entries: 0, bytes: 0 });
    expect(memo.takeRetired()).toHaveLength(2);
  });

  it('defaults to a 128 MiB budget for columns and 32 MiB for planes; rejects a negative budget', () => {
    const memo = new BoolMemo();
    expect(memo.maxBytes).toBe(128 * 1024 * 1024);
    expect(memo.maxBitBytes).toBe(32 * 1024 * 1024);
    expect(() => new BoolMemo({ maxBytes: -1 })).toThrow(RangeError);
    expect(() => new BoolMemo({ maxBitBytes: -1 })).toThrow(RangeError);
  });

  it('keeps bit planes within their own budget, least recently used out first; delete, clear and a new panel drop them (retired for reuse)', () => {
    const planes = () => newBitBool(64); // 2 planes x 2 words x 4 bytes = 16 bytes
    const memo = new BoolMemo({ maxBitBytes: 32 });
    const x = planes(), y = planes(), z = planes();
    expect(memo.putBits('x', x)).toBe(true);
    expect(memo.putBits('y', y)).toBe(true);
    expect(memo.putBits('x', planes())).toBe(false); // already kept
    expect(memo.getBits('x')).toBe(x); // now the most recently used
    expect(memo.putBits('z', z)).toBe(true); // evicts y
    expect(memo.getBits('y')).toBeUndefined();
    expect(memo.takeRetiredBits()).toEqual([y]); // reusable from the next evaluation on
    expect(memo.stats().bitBytes).toBe(32);
    expect(new BoolMemo({ maxBitBytes: 8 }).putBits('big', planes())).toBe(false);
    memo.put('z', buf());
    expect(memo.delete('z')).toBe(true); // the column and its planes
    expect(memo.getBits('z')).toBeUndefined();
    expect(memo.getBits('x')).toBe(x);
    memo.clear();
    expect(memo.getBits('x')).toBeUndefined();
    expect(memo.takeRetiredBits()).toEqual([z, x]);
    expect(memo.stats().bitBytes).toBe(0);
    memo.bindPanel({});
    memo.putBits('w', planes());
    memo.bindPanel({});
    expect(memo.getBits('w')).toBeUndefined();
  });
});

describe('BoolMemo with shared columns', () => {
  const shared = (n = 100) => newSharedBoolBuf(n);

  it('with sharedFree, shared columns cost nothing and are never evicted to make room', () => {
    const memo = new BoolMemo({ maxBytes: 200, sharedFree: true });
    const s1 = shared(), s2 = shared(), s3 = shared();
    expect(memo.put('s1', s1)).toBe(true);
    const a = buf(), b = buf(), c = buf();
    expect(memo.put('a', a)).toBe(true);
    expect(memo.put('s2', s2)).toBe(true);
    expect(memo.put('b', b)).toBe(true);
    expect(memo.stats().bytes).toBe(200); // only a and b count
    expect(memo.put('c', c)).toBe(true); // evicts a (the oldest column that costs), not s1
    expect(memo.get('a')).toBeUndefined();
    expect(memo.get('s1')).toBe(s1);
    expect(memo.put('s3', s3)).toBe(true);
    expect(memo.stats().entries).toBe(5);
    expect(memo.takeRetired()).toEqual([a]);
  });

  it('without it, shared columns count like any other', () => {
    const memo = new BoolMemo({ maxBytes: 200 });
    memo.put('s1', shared());
    memo.put('s2', shared());
    expect(memo.stats().bytes).toBe(200);
    memo.put('a', buf());
    expect(memo.get('s1')).toBeUndefined();
  });

  it('delete drops a key and retires its column', () => {
    const memo = new BoolMemo({ maxBytes: 1000 });
    const a = buf();
    memo.put('a', a);
    expect(memo.delete('a')).toBe(true);
    expect(memo.delete('a')).toBe(false);
    expect(memo.has('a')).toBe(false);
    expect(memo.stats().bytes).toBe(0);
    expect(memo.takeRetired()).toEqual([a]);
  });
});
