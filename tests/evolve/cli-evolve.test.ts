import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { copyBundled, runAegis, spawnAegis, tempDir } from '../helpers/cli.js';

const S = 'SPY,QQQ,XLE,XLK,GLD';

describe('aegis evolve (CLI)', () => {
  const t = tempDir();
  const db = join(t.dir, 'a.sqlite');
  beforeAll(() => {
    const csv = copyBundled(S.split(','), join(t.dir, 'csv'));
    expect(runAegis(['ingest', S, '--source', 'csv', '--csv-dir', csv, '--db', db]).code).toBe(0);
  });
  afterAll(() => t.cleanup());

  const evolve = (workers: number, extra: string[] = []) =>
    runAegis(['evolve', '--grammar', 'default', '--symbols', S, '--from', '2005-01-01', '--to', '2018-12-31', '--population', '60', '--generations', '4', '--seed', '42', '--workers', String(workers), '--db', db, '--json', ...extra]);

  it('prints the JSON contract and is the same with 1 and 2 workers', () => {
    const a = evolve(1);
    const b = evolve(2);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const ja = JSON.parse(a.stdout);
    const jb = JSON.parse(b.stdout);
    for (const k of ['runId', 'trials', 'evaluations', 'stoppedEarly', 'best']) expect(ja).toHaveProperty(k);
    expect(ja.trials).toBeGreaterThan(60);
    expect(ja.evaluations).toBeGreaterThanOrEqual(ja.trials);
    const x = ja.best[0];
    for (const k of ['id', 'expr', 'species', 'fitness', 'train', 'validation']) expect(x).toHaveProperty(k);
    for (const k of ['sharpe', 'cagr', 'maxDrawdown', 'trades']) expect(x.train).toHaveProperty(k);
    expect(ja.best.map((y: { expr: string; fitness: number }) => [y.expr, y.fitness])).toEqual(jb.best.map((y: { expr: string; fitness: number }) => [y.expr, y.fitness]));
    expect(ja.trials).toBe(jb.trials);
    // The pick is by validation, best first.
    const v = ja.best.map((y: { validationFitness: number }) => y.validationFitness);
    expect([...v].sort((p: number, q: number) => q - p)).toEqual(v);
  });

  it('records the run: runs, show run, trials and generations', () => {
    const runs = JSON.parse(runAegis(['runs', '--db', db, '--json']).stdout);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs[0]).toMatchObject({ status: 'finished', grammar: 'grammars/default.bnf', seed: 42, symbols: S.split(',') });
    const show = JSON.parse(runAegis(['show', 'run', String(runs[0].id), '--db', db, '--json']).stdout);
    expect(show.generations).toHaveLength(4);
    expect(show.strategies.length).toBeGreaterThan(0);
    const conn = new Database(db, { readonly: true });
    const n = conn.prepare('SELECT COUNT(*) n FROM trials WHERE run_id = ?').get(runs[0].id) as { n: number };
    expect(n.n).toBe(runs[0].trials);
    conn.close();
  });

  it('rejects bad flags with exit 2', () => {
    expect(evolve(1, ['--metric', 'alpha']).code).toBe(2);
    expect(runAegis(['evolve', '--population', '-3', '--db', db]).code).toBe(2);
    const r = runAegis(['evolve', '--grammar', 'nope', '--symbols', S, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('grammar file not found: grammars/nope.bnf');
  });

  it('a run killed mid-way is marked interrupted and keeps its finished generations', async () => {
    const child = spawnAegis(['evolve', '--symbols', S, '--population', '150', '--generations', '200', '--seed', '7', '--workers', '1', '--db', db]);
    const exited = new Promise((r) => child.on('exit', r));
    let gens = 0;
    let runId = 0;
    for (let i = 0; i < 600 && gens < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const conn = new Database(db, { readonly: true });
      const row = conn.prepare("SELECT id, generations_done g FROM runs WHERE seed = 7 ORDER BY id DESC LIMIT 1").get() as { id: number; g: number } | undefined;
      conn.close();
      if (row) [runId, gens] = [row.id, row.g];
    }
    child.kill('SIGKILL');
    await exited;
    expect(gens).toBeGreaterThanOrEqual(2);
    const show = JSON.parse(runAegis(['show', 'run', String(runId), '--db', db, '--json']).stdout);
    expect(show.run.status).toBe('interrupted');
    expect(show.generations.length).toBeGreaterThanOrEqual(2);
    expect(show.strategies.length).toBeGreaterThan(0);
  });

  it('Ctrl-C stops after the current generation, keeps the results, exits 130', async () => {
    const child = spawnAegis(['evolve', '--symbols', S, '--population', '100', '--generations', '200', '--seed', '8', '--workers', '1', '--db', db, '--json']);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    const exited = new Promise<number>((r) => child.on('exit', (code) => r(code ?? -1)));
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const conn = new Database(db, { readonly: true });
      const row = conn.prepare('SELECT generations_done g FROM runs WHERE seed = 8').get() as { g: number } | undefined;
      conn.close();
      if (row && row.g >= 1) break;
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const j = JSON.parse(out);
    expect(j.interrupted).toBe(true);
    expect(j.best.length).toBeGreaterThan(0);
  });
});
