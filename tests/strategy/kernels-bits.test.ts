import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { andB, bitSegments, latchB, newBitBool, notB, orB, packBool, positionsFromBits, positionsLongShortFromBits, type BitBool } from '../../src/strategy/kernels-bits.js';
import { daySegments, newBoolBuf } from '../../src/strategy/kernels-bool.js';

// Per-bar definitions of the three-valued logic (1 true, 0 false, -1 unknown), to check the
// 32-bars-a-word kernels against.
const and1 = (x: number, y: number) => (x < 0 || y < 0 ? -1 : x & y);
const or1 = (x: number, y: number) => (x < 0 || y < 0 ? -1 : x | y);
const not1 = (x: number) => (x < 0 ? -1 : 1 - x);

function latch1(on: number[], off: number[], N: number, T: number, days: number): number[] {
  const out = new Array<number>(N * T).fill(0);
  for (let a = 0; a < N; a++) {
    let state = 0;
    for (let t = 0; t < days; t++) {
      const i = a * T + t;
      if (on[i] < 0 || off[i] < 0) out[i] = -1;
      else out[i] = state = on[i] === 1 ? 1 : off[i] === 1 ? 0 : state;
    }
  }
  return out;
}

function planesOf(values: number[]): BitBool {
  const col = newBoolBuf(values.length);
  col.bytes.set(values);
  const bits = newBitBool(values.length);
  packBool(col, bits, values.length, Int32Array.of(0, bits.val.length));
  return bits;
}

function valuesOf(bits: BitBool, n: number): number[] {
  return Array.from({ length: n }, (_, g) => {
    const known = (bits.known[g >>> 5] >>> (g & 31)) & 1;
    const val = (bits.val[g >>> 5] >>> (g & 31)) & 1;
    if (val && !known) throw new Error(`bar ${g}: a value bit outside the known plane`);
    return known ? val : -1;
  });
}

const shapes = fc.record({ N: fc.integer({ min: 1, max: 4 }), T: fc.integer({ min: 1, max: 90 }), seed: fc.integer() });

function randomColumn(n: number, seed: number): number[] {
  let x = seed | 0 || 1;
  return Array.from({ length: n }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const r = (x >>> 0) % 10;
    return r < 1 ? -1 : r < 6 ? 0 : 1; // runs are not needed: any mix
  });
}

describe('bit-plane kernels agree with the per-bar logic', () => {
  it('pack, and, or, not over every word, for any length', () => {
    fc.assert(
      fc.property(shapes, ({ N, T, seed }) => {
        const n = N * T;
        const x = randomColumn(n, seed);
        const y = randomColumn(n, seed ^ 0x5bd1e995);
        const a = planesOf(x);
        const b = planesOf(y);
        expect(valuesOf(a, n)).toEqual(x);
        const all = bitSegments(N, T, T);
        const out = newBitBool(n);
        andB(a, b, out, all);
        expect(valuesOf(out, n)).toEqual(x.map((v, i) => and1(v, y[i])));
        orB(a, b, out, all);
        expect(valuesOf(out, n)).toEqual(x.map((v, i) => or1(v, y[i])));
        notB(a, a, all); // in place
        expect(valuesOf(a, n)).toEqual(x.map(not1));
      }),
      { numRuns: 300 },
    );
  });

  it('latch per asset over its first days, also writing over one of its inputs', () => {
    fc.assert(
      fc.property(shapes, fc.nat(), fc.boolean(), ({ N, T, seed }, daysSeed, inPlace) => {
        const n = N * T;
        const days = daysSeed % (T + 1);
        const on = randomColumn(n, seed);
        const off = randomColumn(n, seed * 7 + 3);
        const a = planesOf(on);
        const b = planesOf(off);
        const out = inPlace ? a : newBitBool(n);
        latchB(a, b, out, N, T, days);
        const got = valuesOf(out, n);
        const want = latch1(on, off, N, T, days);
        for (let i = 0; i < n; i++) if (i % T < days && got[i] !== want[i]) expect.fail(`N=${N} T=${T} days=${days}: bar ${i} is ${got[i]}, want ${want[i]}`);
      }),
      { numRuns: 400 },
    );
  });

  it('positions: 1 where true, -1 where only short is true, 0 else, on the first days of each asset', () => {
    fc.assert(
      fc.property(shapes, fc.nat(), ({ N, T, seed }, daysSeed) => {
        const n = N * T;
        const days = daysSeed % (T + 1);
        const long = randomColumn(n, seed);
        const short = randomColumn(n, seed + 11);
        const l = planesOf(long);
        const s = planesOf(short);
        const out = newBoolBuf(n);
        const segs = daySegments(N, T, days);
        positionsFromBits(l.val, out.words, segs);
        for (let i = 0; i < n; i++) if (i % T < days) expect(out.bytes[i]).toBe(long[i] === 1 ? 1 : 0);
        positionsLongShortFromBits(l.val, s.val, out.words, segs);
        for (let i = 0; i < n; i++) if (i % T < days) expect(out.bytes[i]).toBe(long[i] === 1 ? 1 : short[i] === 1 ? -1 : 0);
      }),
      { numRuns: 300 },
    );
  });
});
