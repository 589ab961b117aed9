import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDb } from '../../src/store/db.js';
import { copyBundled, runAegis, tempDir } from '../helpers/cli.js';

const S = 'SPY,QQQ,TLT,GLD,XLE';

describe('aegis backtest (CLI, real data)', () => {
  const t = tempDir();
  const db = join(t.dir, 'a.sqlite');
  beforeAll(() => {
    const csv = copyBundled(S.split(','), join(t.dir, 'csv'));
    expect(runAegis(['ingest', S, '--source', 'csv', '--csv-dir', csv, '--db', db]).code).toBe(0);
  });
  afterAll(() => t.cleanup());

  it('walk-forward prints the JSON contract and stores folds, equity and trades', () => {
    const r = runAegis(['backtest', '--walk-forward', '--train', '5y', '--test', '2y', '--from', '2006-01-01', '--to', '2020-12-31', '--symbols', S,
      '--grammar', 'default', '--population', '40', '--generations', '3', '--seed', '1', '--top', '4', '--em-iterations', '1', '--top-k', '3', '--allocator', 'equal', '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    for (const k of ['backtestId', 'trials', 'oos', 'benchmark', 'psr', 'dsr', 'folds', 'lookahead', 'gate']) expect(j).toHaveProperty(k);
    for (const k of ['sharpe', 'sortino', 'cagr', 'maxDrawdown', 'trades', 'exposure']) expect(j.oos).toHaveProperty(k);
    expect(j.folds).toHaveLength(5);
    for (const k of ['train', 'test', 'expr', 'is', 'oos']) expect(j.folds[0]).toHaveProperty(k);
    expect(j.gate).toHaveProperty('passed');
    expect(Array.isArray(j.gate.reasons)).toBe(true);
    expect(j.lookahead.passed).toBe(true);
    expect(j.stress.map((s: { name: string }) => s.name)).toEqual(['2020 crash']);
    const conn = new Database(db, { readonly: true });
    const eq = conn.prepare('SELECT COUNT(*) n, MIN(date) a, MAX(date) b FROM equity WHERE backtest_id = ?').get(j.backtestId) as { n: number; a: string; b: string };
    expect([eq.a, eq.b]).toEqual(['2011-01-03', '2020-12-31']);
    expect((conn.prepare('SELECT COUNT(*) n FROM folds WHERE backtest_id = ?').get(j.backtestId) as { n: number }).n).toBe(5);
    expect((conn.prepare('SELECT COUNT(*) n FROM trades WHERE backtest_id = ?').get(j.backtestId) as { n: number }).n).toBe(j.oos.trades);
    const runs = conn.prepare("SELECT SUM(trials) t FROM runs WHERE purpose LIKE 'walk-forward fold %'").get() as { t: number };
    expect(j.trials).toBe(runs.t);
    conn.close();
  });

  it('a hand-written rule, with the lookahead check', () => {
    const r = runAegis(['backtest', '--expr', 'gt(close, sma(close, 200))', '--symbols', 'SPY,QQQ', '--check-lookahead', '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ kind: 'single', trials: 1, oos: null, folds: null, lookahead: { passed: true } });
    expect(j.whole.trades).toBeGreaterThan(10);
    expect(j.gate.passed).toBe(false);
    expect(j.dsr).toBeCloseTo(j.psr, 12);
  });

  it('bad input: a rule that does not parse, two sources, an unknown run', () => {
    const bad = runAegis(['backtest', '--expr', 'gt(close, smaa(close, 200))', '--db', db]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--expr: column \d+: unknown/);
    expect(runAegis(['backtest', '--expr', 'gt(close,open)', '--run', '1', '--db', db]).code).toBe(2);
    const r = runAegis(['backtest', '--run', '999', '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no run 999');
    // On a database with no prices at all, the missing run is still what is reported.
    const empty = join(t.dir, 'empty.sqlite');
    openDb(empty).close();
    const e = runAegis(['backtest', '--run', '1', '--db', empty]);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('no run 1');
  });
});
