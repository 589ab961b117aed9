import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { EMA, RSI, SMA } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { emaRun, round2, rsiRun, smaRun } from '../../src/strategy/indicators.js';
import { BUNDLED_DAILY } from '../helpers/cli.js';

/**
 * SMA, EMA and RSI are our own loops for speed; they must give exactly (bit for bit) what the
 * library gives, on real closes and on constructed series that reach its corner cases.
 */

const raw = (v: number): number => v;
type Kernel = (x: Float64Array, n: number, s: number, e: number, out: Float64Array) => void;

/** The library's result for x, placed right-aligned like the library-backed indicators are. */
function library(kind: 'sma' | 'ema' | 'rsi', x: number[], n: number): Float64Array {
  const input = { period: n, values: [...x], format: raw };
  const res = kind === 'sma' ? SMA.calculate(input) : kind === 'ema' ? EMA.calculate(input) : RSI.calculate(input);
  const out = new Float64Array(x.length).fill(NaN);
  out.set(res, x.length - res.length);
  return out;
}

/** Our kernel on x, embedded at an offset inside a longer column (as a run of an asset is). */
function ours(kernel: Kernel, x: number[], n: number): Float64Array {
  const pad = 7;
  const col = new Float64Array(x.length + 2 * pad).fill(NaN);
  col.set(x, pad);
  const out = new Float64Array(col.length).fill(NaN);
  kernel(col, n, pad, pad + x.length, out);
  expect(Array.from(out.subarray(0, pad)).every(Number.isNaN)).toBe(true);
  expect(Array.from(out.subarray(pad + x.length)).every(Number.isNaN)).toBe(true);
  return out.subarray(pad, pad + x.length);
}

const kernels: [('sma' | 'ema' | 'rsi'), Kernel][] = [
  ['sma', smaRun],
  ['ema', emaRun],
  ['rsi', rsiRun],
];

function expectIdentical(got: Float64Array, want: Float64Array, label: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) throw new Error(`${label}: bar ${i}: got ${got[i]}, library ${want[i]}`);
  }
}

function bundledCloses(symbol: string): number[] {
  const text = gunzipSync(readFileSync(join(BUNDLED_DAILY, `${symbol}.csv.gz`))).toString('utf8');
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => Number(l.split(',')[4]));
}

describe('SMA, EMA and RSI loops equal technicalindicators bit for bit', () => {
  const closes = { SPY: bundledCloses('SPY'), XLE: bundledCloses('XLE'), GLD: bundledCloses('GLD') };

  for (const [kind, kernel] of kernels) {
    it(`${kind} on real closes, periods 1 to 250`, () => {
      for (const [symbol, x] of Object.entries(closes)) {
        for (const n of [1, 2, 3, 5, 14, 20, 50, 200, 250]) expectIdentical(ours(kernel, x, n), library(kind, x, n), `${kind}(${symbol}, ${n})`);
      }
    });

    it(`${kind} on short, flat, zero and arbitrary series`, () => {
      const fixed: number[][] = [
        [],
        [5],
        [1, 2],
        [3, 3, 3, 3, 3, 3],
        [0, 0, 0, 1, 2, 0, 0, 0, 0, 5],
        [-1, 1, -1, 1, 0, 0, 0],
        [10, 9, 8, 7, 6, 5, 4, 3],
        [1, 2, 3, 4, 5, 6, 7, 8],
      ];
      for (const x of fixed) for (const n of [1, 2, 3, 4, 9]) expectIdentical(ours(kernel, x, n), library(kind, x, n), `${kind}(${x.join(' ')}, ${n})`);
      fc.assert(
        fc.property(
          fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constantFrom(0, 1, 100, 0.005, 1.005)), { maxLength: 60 }),
          fc.integer({ min: 1, max: 20 }),
          (x, n) => expectIdentical(ours(kernel, x, n), library(kind, x, n), `${kind}(${x.join(' ')}, ${n})`),
        ),
        { numRuns: 300, seed: 11 },
      );
    });
  }

  it('round2 is parseFloat(v.toFixed(2)), ties and near-ties included', () => {
    const values = [0, 0.005, 0.015, 0.025, 1.005, 1.115, 12.345, 50.125, 99.995, 100, 33.333333, 66.666666, 0.29, 0.285];
    for (let k = 0; k <= 10000; k++) values.push(k / 100, k / 100 + 0.005, (k + 0.5) / 100, (k + 0.5) / 100 - 1e-13, (k + 0.5) / 100 + 1e-13);
    for (const v of values) expect(Object.is(round2(v), parseFloat(v.toFixed(2))), `round2(${v})`).toBe(true);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), (v) => Object.is(round2(v), parseFloat(v.toFixed(2)))),
      { numRuns: 20000, seed: 5 },
    );
  });
});
