import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../domain/errors.js';
import { isIsoDate } from '../domain/dates.js';
import type { DataSource, FetchOutcome, FetchRequest, RawBar } from './source.js';
import { withinWindow } from './source.js';

export const CSV_HEADER = 'date,open,high,low,close,adj_close,volume';

/**
 * A folder of SYMBOL.csv or SYMBOL.csv.gz files with the header
 * `date,open,high,low,close,adj_close,volume`, dates ascending. A malformed file (bad header, a
 * number that is not a number, a bad date, rows out of order) fails that symbol with an error
 * naming the file and line; nothing of it is stored.
 */
export class CsvSource implements DataSource {
  readonly name = 'csv' as const;

  constructor(private readonly dir: string) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new InputError(`--csv-dir ${dir}: no such folder`);
    }
  }

  async *fetchDaily(requests: readonly FetchRequest[]): AsyncIterable<FetchOutcome> {
    for (const req of requests) {
      try {
        const file = this.fileFor(req.symbol);
        const bars = parseCsvBars(readCsvText(file), file).filter((b) => withinWindow(b, req));
        yield { symbol: req.symbol, ok: true, result: { bars, actions: [] } };
      } catch (error) {
        yield { symbol: req.symbol, ok: false, error: error as Error };
      }
    }
  }

  private fileFor(symbol: string): string {
    for (const name of [`${symbol}.csv`, `${symbol}.csv.gz`]) {
      const file = join(this.dir, name);
      if (existsSync(file)) return file;
    }
    throw new InputError(`${join(this.dir, symbol + '.csv')}: no such file (nor .csv.gz)`);
  }
}

function readCsvText(file: string): string {
  const raw = readFileSync(file);
  try {
    return (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  } catch (err) {
    throw new InputError(`${file}: cannot decompress (${(err as Error).message})`);
  }
}

/** Missing values a CSV export may carry; they become NaN and the quality checks quarantine the row. */
const MISSING = new Set(['', 'null', 'nan', 'na', 'n/a']);

/** Parse the text of one CSV file into raw bars; throws InputError naming file:line. */
export function parseCsvBars(text: string, file: string): RawBar[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').trim().toLowerCase().replace(/\s+/g, '');
  if (header !== CSV_HEADER) {
    throw new InputError(`${file}:1: bad header "${lines[0]?.trim() ?? ''}", expected "${CSV_HEADER}"`);
  }
  const bars: RawBar[] = [];
  let prevDate = '';
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const at = `${file}:${i + 1}`;
    const cells = line.split(',');
    if (cells.length !== 7) throw new InputError(`${at}: expected 7 fields, found ${cells.length}`);
    const date = cells[0].trim();
    if (!isIsoDate(date)) throw new InputError(`${at}: bad date "${date}", expected YYYY-MM-DD`);
    if (date <= prevDate) {
      throw new InputError(
        `${at}: date ${date} ${date === prevDate ? 'repeats' : 'goes backwards from'} ${prevDate} (rows must be sorted ascending, one per day)`,
      );
    }
    prevDate = date;
    const num = (idx: number, name: string): number => {
      const cell = cells[idx].trim();
      if (MISSING.has(cell.toLowerCase())) return Number.NaN;
      const v = Number(cell);
      if (Number.isNaN(v)) throw new InputError(`${at}: bad number "${cell}" in ${name}`);
      return v;
    };
    bars.push({
      date,
      open: num(1, 'open'),
      high: num(2, 'high'),
      low: num(3, 'low'),
      close: num(4, 'close'),
      adjClose: num(5, 'adj_close'),
      volume: num(6, 'volume'),
      where: at,
    });
  }
  return bars;
}
