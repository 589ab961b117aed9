import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { copyBundled, runAegis, tempDir, BUNDLED_DAILY } from '../helpers/cli.js';

function bundledRows(symbol: string): string[][] {
  const text = gunzipSync(readFileSync(join(BUNDLED_DAILY, `${symbol}.csv.gz`))).toString('utf8');
  return text.trim().split('\n').slice(1).map((l) => l.split(','));
}

describe('aegis ingest --source csv', () => {
  const t = tempDir();
  const csv = copyBundled(['SPY', 'QQQ', 'GLD'], join(t.dir, 'csv'));
  const db = join(t.dir, 'a.sqlite');
  afterAll(() => t.cleanup());

  let first: ReturnType<typeof runAegis>;
  beforeAll(() => {
    first = runAegis(['ingest', 'SPY,QQQ,GLD', '--source', 'csv', '--csv-dir', csv, '--db', db, '--json']);
  });

  it('stores every row of every file and reports it', () => {
    expect(first.code, first.stderr).toBe(0);
    const out = JSON.parse(first.stdout) as { symbols: { symbol: string; added: number; first: string; last: string; issues: number; error: string | null }[] };
    for (const s of ['SPY', 'QQQ', 'GLD']) {
      const rows = bundledRows(s);
      const r = out.symbols.find((x) => x.symbol === s)!;
      expect(r).toMatchObject({ added: rows.length, first: rows[0][0], last: rows[rows.length - 1][0], error: null });
    }
  });

  it('data list --json reports first, last and row counts', () => {
    const r = runAegis(['data', 'list', '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const list = JSON.parse(r.stdout) as { symbol: string; first: string; last: string; rows: number; issues: number }[];
    expect(list.map((x) => x.symbol)).toEqual(['GLD', 'QQQ', 'SPY']);
    for (const x of list) {
      const rows = bundledRows(x.symbol);
      expect([x.rows, x.first, x.last]).toEqual([rows.length, rows[0][0], rows[rows.length - 1][0]]);
    }
  });

  it('stores the numbers exactly as in the file', () => {
    const conn = new Database(db, { readonly: true });
    const bar = conn.prepare("SELECT * FROM bars WHERE symbol='SPY' AND date='2000-01-03'").get() as Record<string, number>;
    const row = bundledRows('SPY')[0];
    expect([bar.open, bar.high, bar.low, bar.close, bar.adj_close, bar.volume]).toEqual(row.slice(1).map(Number));
    conn.close();
  });

  it('a second run adds nothing and changes nothing', () => {
    const conn = new Database(db, { readonly: true });
    const before = conn.prepare('SELECT COUNT(*) n, SUM(close) s FROM bars').get();
    conn.close();
    const again = runAegis(['ingest', 'SPY,QQQ,GLD', '--source', 'csv', '--csv-dir', csv, '--db', db, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { symbols: { added: number }[] }).symbols.map((s) => s.added)).toEqual([0, 0, 0]);
    const conn2 = new Database(db, { readonly: true });
    expect(conn2.prepare('SELECT COUNT(*) n, SUM(close) s FROM bars').get()).toEqual(before);
    const runs = conn2.prepare('SELECT source, symbols, rows_added, outcome FROM ingest_runs ORDER BY id').all();
    expect(runs).toEqual([
      { source: 'csv', symbols: 'SPY,QQQ,GLD', rows_added: bundledRows('SPY').length + bundledRows('QQQ').length + bundledRows('GLD').length, outcome: 'ok' },
      { source: 'csv', symbols: 'SPY,QQQ,GLD', rows_added: 0, outcome: 'ok' },
    ]);
    conn2.close();
  });

  it('is incremental: a later run fetches only after the last stored date', () => {
    const db2 = join(t.dir, 'inc.sqlite');
    const a = runAegis(['ingest', 'SPY', '--source', 'csv', '--csv-dir', csv, '--db', db2, '--to', '2010-12-31', '--json']);
    expect(a.code, a.stderr).toBe(0);
    const firstPart = bundledRows('SPY').filter((r) => r[0] <= '2010-12-31').length;
    expect(JSON.parse(a.stdout).symbols[0]).toMatchObject({ added: firstPart, last: '2010-12-31' });
    const b = runAegis(['ingest', 'SPY', '--source', 'csv', '--csv-dir', csv, '--db', db2, '--json']);
    expect(JSON.parse(b.stdout).symbols[0].added).toBe(bundledRows('SPY').length - firstPart);
  });

  it('prints a readable summary table without --json', () => {
    const r = runAegis(['ingest', 'SPY', '--source', 'csv', '--csv-dir', csv, '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/symbol\s+added\s+first\s+last\s+issues\s+error/);
    expect(r.stdout).toMatch(/SPY\s+0\s+2000-01-03\s+2026-06-09/);
  });
});

describe('bad input', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());
  const db = join(t.dir, 'bad.sqlite');

  it.each([['SP Y'], ['$$$'], ['SPY,,QQQ']])('rejects the ticker list %j with exit 2 and one line', (list) => {
    const r = runAegis(['ingest', list, '--source', 'csv', '--csv-dir', t.dir, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/not a valid ticker|empty ticker/);
  });

  it('accepts BRK.B syntax (and fails only because there is no file)', () => {
    const r = runAegis(['ingest', 'brk.b', '--source', 'csv', '--csv-dir', t.dir, '--db', db, '--json']);
    expect(JSON.parse(r.stdout).symbols[0]).toMatchObject({ symbol: 'BRK.B', added: 0 });
    expect(JSON.parse(r.stdout).symbols[0].error).toMatch(/BRK\.B\.csv: no such file/);
  });

  it('names the file and line of a bad ticker in --symbols-file', () => {
    const file = join(t.dir, 'universe.txt');
    writeFileSync(file, 'SPY\n# comment\nQQQ\nSP Y\n');
    const r = runAegis(['ingest', '--symbols-file', file, '--source', 'csv', '--csv-dir', t.dir, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:4: "SP Y" is not a valid ticker`);
  });

  it('rejects a bad config value with file, key path and value, exit 2', () => {
    const file = join(t.dir, 'mine.json');
    writeFileSync(file, JSON.stringify({ evolve: { population: -5 } }));
    const r = runAegis(['config', 'print', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`aegis: ${file}: evolve.population: expected a positive integer, got -5`);
  });

  it('rejects an unknown config key', () => {
    const file = join(t.dir, 'typo.json');
    writeFileSync(file, JSON.stringify({ data: { sourc: 'csv' } }));
    const r = runAegis(['config', 'print', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('data.sourc: unknown key');
  });

  it('rejects bad dates and unknown sources', () => {
    expect(runAegis(['ingest', 'SPY', '--from', '2020-13-01', '--db', db]).code).toBe(2);
    const r = runAegis(['ingest', 'SPY', '--source', 'bloomberg', '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--source: expected one of yahoo, alpaca, csv');
  });

  it('a usage error exits 2', () => {
    expect(runAegis(['ingest', 'SPY', '--no-such-flag']).code).toBe(2);
  });
});

describe('malformed CSV files', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());
  const dir = join(t.dir, 'csv');
  mkdirSync(dir);
  const good = 'date,open,high,low,close,adj_close,volume\n2020-01-02,10,11,9,10.5,10.5,1000\n2020-01-03,10.5,11,10,10.8,10.8,1200\n';
  const files: Record<string, [string, RegExp]> = {
    BADHDR: ['date,o,h,l,c,adj,v\n2020-01-02,10,11,9,10.5,10.5,1000\n', /BADHDR\.csv:1: bad header/],
    BADNUM: [good + '2020-01-06,10.8,abc,10,10.9,10.9,1000\n', /BADNUM\.csv:4: bad number "abc" in high/],
    BADDATE: [good + '2020-02-30,10.8,11,10,10.9,10.9,1000\n', /BADDATE\.csv:4: bad date "2020-02-30"/],
    UNSORTED: [good + '2020-01-01,10.8,11,10,10.9,10.9,1000\n', /UNSORTED\.csv:4: date 2020-01-01 goes backwards from 2020-01-03/],
    FIELDS: [good + '2020-01-06,10.8,11,10,10.9\n', /FIELDS\.csv:4: expected 7 fields, found 5/],
  };
  for (const [s, [text]] of Object.entries(files)) writeFileSync(join(dir, `${s}.csv`), text);
  writeFileSync(join(dir, 'GOOD.csv'), good);

  it.each(Object.entries(files))('%s: a clear error naming file and line, nothing stored, exit 2', (symbol, [, pattern]) => {
    const db = join(t.dir, `${symbol}.sqlite`);
    const r = runAegis(['ingest', symbol, '--source', 'csv', '--csv-dir', dir, '--db', db, '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).symbols[0].error).toMatch(pattern);
    const logged = r.stderr.trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(logged.some((m) => pattern.test(m))).toBe(true);
    const conn = new Database(db, { readonly: true });
    expect(conn.prepare('SELECT COUNT(*) n FROM bars').get()).toEqual({ n: 0 });
    conn.close();
  });

  it('one bad file does not stop the others; exit 1', () => {
    const db = join(t.dir, 'mixed.sqlite');
    const r = runAegis(['ingest', 'GOOD,BADNUM', '--source', 'csv', '--csv-dir', dir, '--db', db, '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout).symbols;
    expect(out[0]).toMatchObject({ symbol: 'GOOD', added: 2, error: null });
    expect(out[1]).toMatchObject({ symbol: 'BADNUM', added: 0 });
    const conn = new Database(db, { readonly: true });
    expect(conn.prepare('SELECT outcome FROM ingest_runs').get()).toEqual({ outcome: 'partial' });
    conn.close();
  });

  it('quarantines rows that break invariants and data check reports them (exit 1)', () => {
    const text = good + '2020-01-06,10.8,11,10,-3,10.9,1000\n2020-01-07,10.8,10,11,10.5,10.5,1000\n2020-01-08,10.8,11,10,10.5,10.5,0\n';
    writeFileSync(join(dir, 'QUAR.csv'), text);
    const db = join(t.dir, 'quar.sqlite');
    const r = runAegis(['ingest', 'QUAR', '--source', 'csv', '--csv-dir', dir, '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).symbols[0]).toMatchObject({ added: 3, issues: 4 });
    const check = runAegis(['data', 'check', 'QUAR', '--db', db, '--json']);
    expect(check.code).toBe(1);
    const issues = JSON.parse(check.stdout).issues as { date: string; kind: string; severity: string }[];
    expect(issues.map((i) => [i.date, i.kind, i.severity])).toEqual([
      ['2020-01-06', 'bad_price', 'rejected'],
      ['2020-01-06', 'gap', 'flagged'],
      ['2020-01-07', 'bad_range', 'rejected'],
      ['2020-01-08', 'zero_volume', 'flagged'],
    ]);
    // A symbol that is not stored is named, not silently skipped; --json gives the error as JSON too.
    const unknown = runAegis(['data', 'check', 'QUAR,NOPE', '--db', db, '--json']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe('aegis: NOPE: nothing stored; run aegis ingest NOPE first');
    expect(JSON.parse(unknown.stdout)).toEqual({ error: { message: 'NOPE: nothing stored; run aegis ingest NOPE first', exitCode: 2 } });
    const conn = new Database(db, { readonly: true });
    expect(conn.prepare("SELECT date FROM bars WHERE symbol='QUAR' ORDER BY date").all().map((x) => (x as { date: string }).date)).toEqual([
      '2020-01-02', '2020-01-03', '2020-01-08',
    ]);
    conn.close();
  });
});
