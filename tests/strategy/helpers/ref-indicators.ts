/**
 * Textbook implementations of the indicators, written from their definitions (not from the
 * library's code), over one NaN-free run. Each returns an array as long as its input with NaN
 * during the warm-up, i.e. already aligned to the bars: comparing it bar by bar with the cached
 * column checks the values AND the right-alignment of the library output.
 */

const nan = (len: number): number[] => new Array<number>(len).fill(NaN);

export function refSma(x: readonly number[], n: number): number[] {
  const out = nan(x.length);
  for (let t = n - 1; t < x.length; t++) {
    let s = 0;
    for (let j = t - n + 1; j <= t; j++) s += x[j];
    out[t] = s / n;
  }
  return out;
}

/** EMA with alpha 2/(n+1), seeded by the SMA of the first n values (first value at bar n-1). */
export function refEma(x: readonly number[], n: number): number[] {
  const out = nan(x.length);
  if (x.length < n) return out;
  const k = 2 / (n + 1);
  let e = refSma(x.slice(0, n), n)[n - 1];
  out[n - 1] = e;
  for (let t = n; t < x.length; t++) out[t] = e = x[t] * k + e * (1 - k);
  return out;
}

/** Wilder's RSI: average gain/loss seeded by their mean over the first n changes. */
export function refRsi(x: readonly number[], n: number): number[] {
  const out = nan(x.length);
  let g = 0;
  let l = 0;
  for (let t = 1; t < x.length; t++) {
    const d = x[t] - x[t - 1];
    const gain = Math.max(d, 0);
    const loss = Math.max(-d, 0);
    if (t < n) {
      g += gain;
      l += loss;
      continue;
    }
    if (t === n) {
      g = (g + gain) / n;
      l = (l + loss) / n;
    } else {
      g = (g * (n - 1) + gain) / n;
      l = (l * (n - 1) + loss) / n;
    }
    out[t] = l === 0 ? 100 : g === 0 ? 0 : 100 - 100 / (1 + g / l);
  }
  return out;
}

export function refRoc(x: readonly number[], n: number): number[] {
  const out = nan(x.length);
  for (let t = n; t < x.length; t++) out[t] = x[t - n] === 0 ? NaN : (100 * (x[t] - x[t - n])) / x[t - n];
  return out;
}

/** Population standard deviation over n bars. */
export function refStdev(x: readonly number[], n: number): number[] {
  const out = nan(x.length);
  for (let t = n - 1; t < x.length; t++) {
    const w = x.slice(t - n + 1, t + 1);
    const m = w.reduce((s, v) => s + v, 0) / n;
    out[t] = Math.sqrt(w.reduce((s, v) => s + (v - m) ** 2, 0) / n);
  }
  return out;
}

export function refExtreme(x: readonly number[], n: number, max: boolean): number[] {
  const out = nan(x.length);
  for (let t = n - 1; t < x.length; t++) {
    const w = x.slice(t - n + 1, t + 1);
    out[t] = max ? Math.max(...w) : Math.min(...w);
  }
  return out;
}

/** EMA of a series that starts being defined at bar `from` (seeded by the SMA of its first n). */
function emaFrom(x: readonly number[], from: number, n: number): number[] {
  const out = nan(x.length);
  const tail = refEma(x.slice(from), n);
  tail.forEach((v, j) => (out[from + j] = v));
  return out;
}

export function refMacd(x: readonly number[], fast: number, slow: number, signal: number) {
  const ef = refEma(x, fast);
  const es = refEma(x, slow);
  const line = x.map((_, t) => (t >= slow - 1 ? ef[t] - es[t] : NaN));
  const sig = x.length >= slow - 1 ? emaFrom(line, slow - 1, signal) : nan(x.length);
  const hist = line.map((v, t) => v - sig[t]);
  return { line, signal: sig, hist };
}

export function refBollinger(x: readonly number[], n: number, k: number) {
  const m = refSma(x, n);
  const sd = refStdev(x, n);
  return { upper: m.map((v, t) => v + k * sd[t]), lower: m.map((v, t) => v - k * sd[t]) };
}

function trueRange(h: readonly number[], l: readonly number[], c: readonly number[]): number[] {
  return h.map((_, t) => (t === 0 ? NaN : Math.max(h[t] - l[t], Math.abs(h[t] - c[t - 1]), Math.abs(l[t] - c[t - 1]))));
}

/** Wilder's ATR: first value at bar n = mean of the true ranges of bars 1..n. */
export function refAtr(h: readonly number[], l: readonly number[], c: readonly number[], n: number): number[] {
  const tr = trueRange(h, l, c);
  const out = nan(h.length);
  let atr = 0;
  for (let t = 1; t < h.length; t++) {
    if (t < n) atr += tr[t];
    else if (t === n) out[t] = atr = (atr + tr[t]) / n;
    else out[t] = atr = (atr * (n - 1) + tr[t]) / n;
  }
  return out;
}

/**
 * Wilder's ADX: +DM/-DM and TR smoothed by Wilder sums (first at bar n), DX from the DIs, ADX the
 * Wilder average of DX seeded by the mean of its first n values (first ADX at bar 2n-1).
 */
export function refAdx(h: readonly number[], l: readonly number[], c: readonly number[], n: number): number[] {
  const tr = trueRange(h, l, c);
  const out = nan(h.length);
  let sTr = 0, sP = 0, sM = 0, adx = 0;
  const dxs: number[] = [];
  for (let t = 1; t < h.length; t++) {
    const up = h[t] - h[t - 1];
    const down = l[t - 1] - l[t];
    const pdm = up > down && up > 0 ? up : 0;
    const mdm = down > up && down > 0 ? down : 0;
    if (t <= n) {
      sTr += tr[t];
      sP += pdm;
      sM += mdm;
      if (t < n) continue;
    } else {
      sTr = sTr - sTr / n + tr[t];
      sP = sP - sP / n + pdm;
      sM = sM - sM / n + mdm;
    }
    const pdi = (100 * sP) / sTr;
    const mdi = (100 * sM) / sTr;
    const dx = (100 * Math.abs(pdi - mdi)) / (pdi + mdi);
    dxs.push(dx);
    if (dxs.length < n) continue;
    if (dxs.length === n) adx = dxs.reduce((s, v) => s + v, 0) / n;
    else adx = (adx * (n - 1) + dx) / n;
    out[t] = adx;
  }
  return out;
}

/** Slow stochastic: raw %K over n bars (0 when high == low), %K = SMA(smooth), %D = SMA(smooth) of %K. */
export function refStoch(h: readonly number[], l: readonly number[], c: readonly number[], n: number, smooth: number) {
  const raw = nan(h.length);
  for (let t = n - 1; t < h.length; t++) {
    const hh = Math.max(...h.slice(t - n + 1, t + 1));
    const ll = Math.min(...l.slice(t - n + 1, t + 1));
    raw[t] = hh === ll ? 0 : ((c[t] - ll) / (hh - ll)) * 100;
  }
  const smaFrom = (x: number[], from: number): number[] => {
    const out = nan(x.length);
    if (from < x.length) refSma(x.slice(from), smooth).forEach((v, j) => (out[from + j] = v));
    return out;
  };
  const k = smaFrom(raw, n - 1);
  const d = smaFrom(k, n - 1 + smooth - 1);
  return { k, d };
}
