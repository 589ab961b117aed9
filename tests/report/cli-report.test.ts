/**
 * `aegis report` and `aegis show backtest` as a user runs them, on a real database built through
 * the CLI: where the page lands, what is printed, and the exit codes of bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { openDb } from '../../src/store/db.js';
import { runAegis, tempDir, type CliResult } from '../helpers/cli.js';
import { buildRealDb, IDS, ingest, REPORT_CLI } from './realDb.js';

/** The built CLI with `aegis report` registered, run in `cwd` (relative report paths start there). */
function aegis(args: string[], cwd: string): CliResult {
  const r = spawnSync(process.execPath, [REPORT_CLI, ...args], { cwd, env: { ...process.env, AEGIS_DB: undefined } as NodeJS.ProcessEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const ALL = ['evolution', 'em', 'strategies', 'backtest', 'data'];

const t = tempDir('aegis-report-cli-');
let db: string;
let single: Record<string, any>;
let work: string;

beforeAll(() => {
  const built = buildRealDb(t.dir, { walkForward: false });
  db = built.db;
  single = built.single;
  work = join(t.dir, 'work');
  mkdirSync(work);
}, 120_000);

afterAll(() => t.cleanup());

function expectPage(path: string): string {
  expect(existsSync(path), path).toBe(true);
  const html = readFileSync(path, 'utf8');
  expect(html.startsWith('<!doctype html>')).toBe(true);
  expect(html).toContain('<title>Aegis research report</title>');
  return html;
}

describe('aegis report', () => {
  it('by default writes <report.outDir>/aegis-report-<time>.html under the current folder and prints its path', () => {
    const r = aegis(['report', '--db', db], work);
    expect(r.code, r.stderr).toBe(0);
    const path = r.stdout.trim();
    expect(path).toMatch(/\/data\/reports\/aegis-report-\d{8}-\d{6}\.html$/);
    expect(path.startsWith(resolve(work, 'data', 'reports'))).toBe(true);
    const html = expectPage(path);
    expect(html).toContain(`Backtest <b>${IDS.single}</b>`);
    // The database as the page names it: absolute, since it is not under the current folder.
    expect(html).toContain(db);
  });

  it('--backtest with --out and --json: the file given, the sections present', () => {
    const r = aegis(['report', '--backtest', String(IDS.single), '--out', 'sub/dir/r.html', '--db', db, '--json'], work);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toEqual({ path: resolve(work, 'sub/dir/r.html'), sections: ALL });
    expectPage(j.path);
  });

  it('--run: a name with the id; --out naming a folder takes that name inside it', () => {
    const r = aegis(['report', '--run', String(IDS.run), '--db', db], work);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(resolve(work, 'data', 'reports', `aegis-report-run-${IDS.run}.html`));
    expectPage(r.stdout.trim());
    const folder = aegis(['report', '--backtest', String(IDS.single), '--out', 'pages/', '--db', db], work);
    expect(folder.code, folder.stderr).toBe(0);
    expect(folder.stdout.trim()).toBe(resolve(work, 'pages', `aegis-report-backtest-${IDS.single}.html`));
  });

  it('report.outDir from --config', () => {
    const config = join(t.dir, 'reports.json');
    writeFileSync(config, JSON.stringify({ report: { outDir: 'elsewhere/html' } }));
    const r = aegis(['report', '--run', String(IDS.run), '--config', config, '--db', db, '--json'], work);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).path).toBe(resolve(work, 'elsewhere/html', `aegis-report-run-${IDS.run}.html`));
  });

  it('a database with only ingested data: only the data section', () => {
    const dir = join(t.dir, 'data-only');
    const path = join(dir, 'd.sqlite');
    ingest(dir, path, 'SPY,UUP');
    const r = aegis(['report', '--db', path, '--out', join(dir, 'r.html'), '--json'], work);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).sections).toEqual(['data']);
    expectPage(join(dir, 'r.html'));
  });

  it('bad input: exit 2 with one line, and no file written', () => {
    const cases: [string[], RegExp][] = [
      [['--run', '99'], /^aegis: no run 99; see: aegis runs$/],
      [['--backtest', '99'], /^aegis: no backtest 99; this database has backtests 1$/],
      [['--deployment', '1'], /^aegis: no deployment 1/],
      [['--run', '1', '--backtest', '1'], /^aegis: give at most one of --run, --backtest, --deployment \(got --run, --backtest\)$/],
      [['--run', 'x'], /^aegis: --run: expected a positive integer, got "x"$/],
      [['--backtest', '0'], /^aegis: --backtest: expected a positive integer, got "0"$/],
    ];
    for (const [args, message] of cases) {
      const out = join(t.dir, 'never.html');
      const r = aegis(['report', ...args, '--out', out, '--db', db], work);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n').at(-1)).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('nothing to report: a missing database (not created) and an empty one', () => {
    const missing = join(t.dir, 'missing.sqlite');
    const r = aegis(['report', '--db', missing], work);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`aegis: nothing to report: ${missing} does not exist; run aegis ingest first`);
    expect(existsSync(missing)).toBe(false);

    const empty = join(t.dir, 'empty.sqlite');
    openDb(empty).close(); // the schema, nothing stored
    const e = aegis(['report', '--db', empty], work);
    expect(e.code).toBe(2);
    expect(e.stderr.trim()).toBe('aegis: nothing to report: run aegis ingest first');
  });

  it('any other command refuses a database that does not exist instead of creating one', () => {
    const typo = join(t.dir, 'no-such-dir', 'typo.sqlite');
    for (const args of [['status'], ['runs'], ['data', 'list'], ['halt']]) {
      const r = runAegis([...args, '--db', typo]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim()).toBe(`aegis: ${typo}: no database here (check --db or AEGIS_DB); aegis ingest creates one`);
    }
    expect(existsSync(join(t.dir, 'no-such-dir'))).toBe(false);
    const garbage = join(t.dir, 'garbage.sqlite');
    writeFileSync(garbage, 'not a database at all, but long enough to have a header page'.repeat(20));
    const g = runAegis(['status', '--db', garbage]);
    expect(g.code).toBe(2);
    expect(g.stderr.trim()).toBe(`aegis: ${garbage}: not an SQLite database (file is not a database)`);
  });

  it('an --out that cannot be written: exit 2 naming the path', () => {
    const file = join(t.dir, 'a-file');
    writeFileSync(file, 'x');
    const r = aegis(['report', '--run', '1', '--out', join(file, 'r.html'), '--db', db], work);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/aegis: --out: cannot create the folder .*a-file \((EEXIST|ENOTDIR)\)/);
  });
});

describe('aegis show backtest', () => {
  it('prints the metrics (OOS, IS, whole, benchmark), the statistics, the stress windows, the lookahead check and the gate', () => {
    const r = runAegis(['show', 'backtest', String(IDS.single), '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`backtest ${IDS.single} (single) of ${single.source}: ${single.symbols.join(',')}, ${single.from}..${single.to}`);
    expect(r.stdout).toMatch(/^\s+sharpe\s+sortino\s+cagr\s+vol\s+maxDD\s+trades\s+win\s+exposure$/m);
    expect(r.stdout).toMatch(new RegExp(`^out-of-sample\\s+${single.oos.sharpe.toFixed(2).replace('.', '\\.')}\\s`, 'm'));
    expect(r.stdout).toMatch(/^in-sample\s+-?\d/m);
    expect(r.stdout).toMatch(new RegExp(`^benchmark: ${single.benchmarkName}\\s+-?\\d`, 'm'));
    expect(r.stdout).toContain(`PSR ${single.psr.toFixed(3)}  DSR ${single.dsr.toFixed(3)} (trials counted: ${single.trials}`);
    expect(r.stdout).toMatch(/^2008 crisis 2007-10-09\.\.2009-03-09\s+-?\d/m);
    expect(r.stdout).toContain(`lookahead check: passed: ${single.lookahead.detail}`);
    expect(r.stdout).toContain('gate G0: FAILED\n  - not a walk-forward backtest');
    expect(r.stdout).toMatch(/^created \d{4}-\d\d-\d\dT.*, finished .*, config [0-9a-f]+$/m);
  });

  it('--json: the contract of aegis backtest --json, with status and provenance', () => {
    const r = runAegis(['show', 'backtest', String(IDS.single), '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toEqual({ ...single, status: 'finished', createdAt: expect.any(String), finishedAt: expect.any(String), configHash: expect.any(String), detail: null });
  });

  it('an unfinished backtest: its status and the folds it finished; aegis report refuses it', () => {
    const conn = new Database(db);
    const id = Number(
      conn
        .prepare("INSERT INTO backtests (created_at, status, kind, source, config, config_hash, symbols, date_from, date_to, detail) VALUES ('2026-01-01T00:00:00Z', 'interrupted', 'walk-forward', 'walk-forward 5y/2y', '{}', 'abc', 'SPY,QQQ', '2006-01-03', '2020-12-31', 'interrupted by the user')")
        .run().lastInsertRowid,
    );
    const metrics = JSON.stringify({ sharpe: 0.5, cagr: 0.04 });
    conn
      .prepare("INSERT INTO folds (backtest_id, fold, run_id, train_from, train_to, test_from, test_to, portfolio, is_metrics, oos_metrics, trials) VALUES (?, 1, 1, '2006-01-03', '2010-12-31', '2011-01-03', '2012-12-31', ?, ?, ?, 48)")
      .run(id, JSON.stringify({ sleeves: [{ expr: 'gt(close,sma(close,200))', strategyId: null, weights: { SPY: 1 } }] }), metrics, metrics);
    conn.close();

    const r = runAegis(['show', 'backtest', String(id), '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`backtest ${id} (walk-forward) of walk-forward 5y/2y: SPY,QQQ, 2006-01-03..2020-12-31`);
    expect(r.stdout).toContain('status interrupted: interrupted by the user');
    expect(r.stdout).toMatch(/^\s+1\s+2006-01-03\.\.2010-12-31\s+2011-01-03\.\.2012-12-31\s+0\.50\s+0\.50\s+4\.0%\s+48\s+1\s+gt\(close,sma\(close,200\)\)$/m);
    const j = JSON.parse(runAegis(['show', 'backtest', String(id), '--db', db, '--json']).stdout);
    expect(j).toMatchObject({ backtestId: id, status: 'interrupted', kind: 'walk-forward', folds: [{ fold: 1, runIds: [1], expr: 'gt(close,sma(close,200))', trials: 48 }] });

    const rep = aegis(['report', '--backtest', String(id), '--db', db], work);
    expect(rep.code).toBe(2);
    expect(rep.stderr).toContain(`aegis: backtest ${id} is interrupted (interrupted by the user): nothing to report; see: aegis show backtest ${id}`);
    // Not chosen by default either.
    const def = aegis(['report', '--db', db, '--json'], work);
    expect(def.code, def.stderr).toBe(0);
    expect(readFileSync(JSON.parse(def.stdout).path, 'utf8')).toContain(`Backtest <b>${IDS.single}</b>`);
  });

  it('an unknown backtest: exit 2', () => {
    const r = runAegis(['show', 'backtest', '99', '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^aegis: no backtest 99 \(this database has backtests 1(, 2)?\)$/m);
    expect(runAegis(['show', 'backtest', 'x', '--db', db]).code).toBe(2);
  });
});
