import { readFileSync } from 'node:fs';
import { InputError } from './errors.js';

/**
 * Ticker syntax: letters and digits, optionally a leading ^ (indices) and class/suffix parts joined
 * by . - = (BRK.B, BRK-B, EURUSD=X), at most 15 characters. Input is upper-cased.
 */
const TICKER = /^\^?[A-Z0-9]+(?:[.\-=][A-Z0-9]+)*$/;

export function normaliseTicker(raw: string, where: string): string {
  const t = raw.trim().toUpperCase();
  if (t === '') throw new InputError(`${where}: empty ticker`);
  if (t.length > 15 || !TICKER.test(t)) {
    throw new InputError(`${where}: "${raw.trim()}" is not a valid ticker (letters and digits, optionally joined by . - =, like SPY or BRK.B)`);
  }
  return t;
}

/** A comma-separated list such as "SPY,QQQ,BRK.B"; duplicates removed, order kept. */
export function parseTickerList(list: string, where = 'symbols'): string[] {
  const parts = list.split(',');
  if (parts.length === 1 && parts[0].trim() === '') throw new InputError(`${where}: no symbols given`);
  return unique(parts.map((p, i) => normaliseTicker(p, `${where} (item ${i + 1})`)));
}

/** One ticker per line; blank lines and # comments skipped. */
export function readTickerFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`${file}: cannot read the symbols file (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  const out: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const s = line.replace(/#.*/, '').trim();
    if (s) out.push(normaliseTicker(s, `${file}:${i + 1}`));
  });
  if (out.length === 0) throw new InputError(`${file}: no symbols in the file`);
  return unique(out);
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
