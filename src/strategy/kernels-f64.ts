/**
 * Vectorised loops over Float64 series: arithmetic (series out) and comparisons (bool out).
 * Each loop is a separate monomorphic function with the operator chosen outside the loop.
 *
 * Comparisons write the three-valued result packed four bars per 32-bit word (little-endian
 * byte order: bar 4j+k is byte k of word j) and read the tail bars one by one. Packing the
 * stores this way measured ~1.5x faster than one Int8 store per bar. Byte values: 1 true,
 * 0 false, 0xFF (-1 as Int8) unknown, i.e. either operand NaN (both `>` and `<=` are false).
 */

export type ArithOp = 'add' | 'sub' | 'mul' | 'div';

/** out = a op b for two columns. div by 0 gives NaN. */
export function arithSS(op: ArithOp, a: Float64Array, b: Float64Array, out: Float64Array): void {
  const n = out.length;
  switch (op) {
    case 'add':
      for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
      return;
    case 'sub':
      for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
      return;
    case 'mul':
      for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
      return;
    case 'div':
      for (let i = 0; i < n; i++) {
        const d = b[i];
        out[i] = d === 0 ? NaN : a[i] / d;
      }
      return;
  }
}

/** out = a op c for a column and a constant. */
export function arithSC(op: ArithOp, a: Float64Array, c: number, out: Float64Array): void {
  const n = out.length;
  switch (op) {
    case 'add':
      for (let i = 0; i < n; i++) out[i] = a[i] + c;
      return;
    case 'sub':
      for (let i = 0; i < n; i++) out[i] = a[i] - c;
      return;
    case 'mul':
      for (let i = 0; i < n; i++) out[i] = a[i] * c;
      return;
    case 'div':
      if (c === 0) out.fill(NaN);
      else for (let i = 0; i < n; i++) out[i] = a[i] / c;
      return;
  }
}

/** out = c op b for a constant and a column. */
export function arithCS(op: ArithOp, c: number, b: Float64Array, out: Float64Array): void {
  const n = out.length;
  switch (op) {
    case 'add':
      for (let i = 0; i < n; i++) out[i] = c + b[i];
      return;
    case 'sub':
      for (let i = 0; i < n; i++) out[i] = c - b[i];
      return;
    case 'mul':
      for (let i = 0; i < n; i++) out[i] = c * b[i];
      return;
    case 'div':
      for (let i = 0; i < n; i++) {
        const d = b[i];
        out[i] = d === 0 ? NaN : c / d;
      }
      return;
  }
}

/** Bool bytes of a > b for columns a, b into `w` (words) and `o` (bytes, same buffer), n bars. */
export function gtSS(a: Float64Array, b: Float64Array, w: Int32Array, o: Int8Array, n: number): void {
  const m = n >> 2;
  for (let j = 0, i = 0; j < m; j++, i += 4) {
    const a0 = a[i], b0 = b[i], a1 = a[i + 1], b1 = b[i + 1];
    const a2 = a[i + 2], b2 = b[i + 2], a3 = a[i + 3], b3 = b[i + 3];
    const v0 = a0 > b0 ? 1 : a0 <= b0 ? 0 : 0xff;
    const v1 = a1 > b1 ? 1 : a1 <= b1 ? 0 : 0xff;
    const v2 = a2 > b2 ? 1 : a2 <= b2 ? 0 : 0xff;
    const v3 = a3 > b3 ? 1 : a3 <= b3 ? 0 : 0xff;
    w[j] = v0 | (v1 << 8) | (v2 << 16) | (v3 << 24);
  }
  for (let i = m << 2; i < n; i++) {
    const x = a[i], y = b[i];
    o[i] = x > y ? 1 : x <= y ? 0 : -1;
  }
}

/** Bool bytes of a > c for a column and a constant. */
export function gtSC(a: Float64Array, c: number, w: Int32Array, o: Int8Array, n: number): void {
  const m = n >> 2;
  for (let j = 0, i = 0; j < m; j++, i += 4) {
    const a0 = a[i], a1 = a[i + 1], a2 = a[i + 2], a3 = a[i + 3];
    const v0 = a0 > c ? 1 : a0 <= c ? 0 : 0xff;
    const v1 = a1 > c ? 1 : a1 <= c ? 0 : 0xff;
    const v2 = a2 > c ? 1 : a2 <= c ? 0 : 0xff;
    const v3 = a3 > c ? 1 : a3 <= c ? 0 : 0xff;
    w[j] = v0 | (v1 << 8) | (v2 << 16) | (v3 << 24);
  }
  for (let i = m << 2; i < n; i++) {
    const x = a[i];
    o[i] = x > c ? 1 : x <= c ? 0 : -1;
  }
}

/** Bool bytes of c > b for a constant and a column. */
export function gtCS(c: number, b: Float64Array, w: Int32Array, o: Int8Array, n: number): void {
  const m = n >> 2;
  for (let j = 0, i = 0; j < m; j++, i += 4) {
    const b0 = b[i], b1 = b[i + 1], b2 = b[i + 2], b3 = b[i + 3];
    const v0 = c > b0 ? 1 : c <= b0 ? 0 : 0xff;
    const v1 = c > b1 ? 1 : c <= b1 ? 0 : 0xff;
    const v2 = c > b2 ? 1 : c <= b2 ? 0 : 0xff;
    const v3 = c > b3 ? 1 : c <= b3 ? 0 : 0xff;
    w[j] = v0 | (v1 << 8) | (v2 << 16) | (v3 << 24);
  }
  for (let i = m << 2; i < n; i++) {
    const y = b[i];
    o[i] = c > y ? 1 : c <= y ? 0 : -1;
  }
}
