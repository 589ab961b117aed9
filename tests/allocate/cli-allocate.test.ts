import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { copyBundled, runAegis, tempDir } from '../helpers/cli.js';

const S = 'SPY,QQQ,TLT,GLD,XLE,XLV';

describe('EM loop and aegis allocate (CLI, real data)', () => {
  const t = tempDir();
  const db = join(t.dir, 'a.sqlite');
  let evolved: { runId: number; em: { iteration: number; trainObjective: number; validationObjective: number; weights: Record<string, number>; strategies: string[] }[]; allocation: { id: number; weights: Record<string, number> } };
  beforeAll(() => {
    const csv = copyBundled(S.split(','), join(t.dir, 'csv'));
    expect(runAegis(['ingest', S, '--source', 'csv', '--csv-dir', csv, '--db', db]).code).toBe(0);
    const r = runAegis(['evolve', '--symbols', S, '--from', '2005-01-01', '--to', '2018-12-31', '--population', '50', '--generations', '3', '--em-iterations', '3', '--seed', '5', '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    evolved = JSON.parse(r.stdout);
  });
  afterAll(() => t.cleanup());

  it('evolve --em-iterations records every iteration and the allocation in the JSON', () => {
    expect(evolved.em.length).toBeGreaterThanOrEqual(1);
    expect(evolved.em.length).toBeLessThanOrEqual(3);
    for (const it of evolved.em) {
      for (const k of ['iteration', 'trainObjective', 'validationObjective', 'weights', 'strategies']) expect(it).toHaveProperty(k);
      const w = Object.values(it.weights);
      expect(Math.min(...w)).toBeGreaterThanOrEqual(0);
      expect(w.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-9);
    }
    expect(evolved.allocation).toHaveProperty('weights');
  });

  it('aegis allocate stores a new allocation that backtest --run then trades', () => {
    const r = runAegis(['allocate', '--run', String(evolved.runId), '--method', 'inverse-vol', '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.method).toBe('inverse-vol');
    expect(Object.keys(j.weights).length).toBeGreaterThan(0);
    for (const w of Object.values(j.weights) as number[]) expect(w).toBeLessThanOrEqual(0.5 + 1e-9);
    const bt = runAegis(['backtest', '--run', String(evolved.runId), '--db', db, '--json']);
    expect(bt.code, bt.stderr).toBe(0);
    expect(JSON.parse(bt.stdout).source).toBe(`run ${evolved.runId} (allocation ${j.allocationId}, inverse-vol)`);
  });

  it('rejects an unknown method and an unknown run', () => {
    expect(runAegis(['allocate', '--run', String(evolved.runId), '--method', 'magic', '--db', db]).code).toBe(2);
    expect(runAegis(['allocate', '--run', '999', '--db', db]).code).toBe(2);
  });
});
