import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { override } from '../../src/cli/flags.js';
import { interleave, runWalkForward } from '../../src/backtest/runBacktest.js';
import { evolveFoldSearch } from '../../src/backtest/foldSearch.js';
import { BacktestStore } from '../../src/store/backtestStore.js';
import { MarketStore } from '../../src/store/marketStore.js';
import { RunStore } from '../../src/store/runStore.js';
import { syntheticDb } from '../helpers/synthetic.js';
import { tempDir } from '../helpers/cli.js';

async function walkForward(path: string, mu: number, seed: number) {
  const { db, symbols } = syntheticDb(path, 6, { days: 3300, mu, period: 20, sigma: 0.01 }, seed);
  const config = override(loadConfig(), { evolve: { population: 60, generations: 6, seed } });
  const market = new MarketStore(db);
  const runs = new RunStore(db);
  try {
    const report = await runWalkForward(
      market,
      new BacktestStore(db),
      evolveFoldSearch(market, runs, { config, grammar: 'default', seed, workers: 1, metric: 'sharpe', label: 'test' }),
      { config, symbols, from: null, to: null, checkLookahead: true, train: '4y', test: '2y', anchored: false },
    );
    const stored = new BacktestStore(db).get(report.backtestId)!;
    return { report, stored, folds: new BacktestStore(db).folds(report.backtestId), runs: runs.listRuns() };
  } finally {
    db.close();
  }
}

describe('walk-forward', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('on a random walk: out-of-sample Sharpe near zero and the gate fails', async () => {
    const { report, stored, runs } = await walkForward(join(t.dir, 'walk.sqlite'), 0, 21);
    expect(report.folds!.length).toBeGreaterThanOrEqual(3);
    // ~2,300 out-of-sample days: the standard error of an annual Sharpe ratio is about 0.33.
    expect(Math.abs(report.oos!.sharpe)).toBeLessThan(0.9);
    expect(report.gate.passed).toBe(false);
    expect(report.dsr!).toBeLessThan(0.95);
    // Every trial of every fold counts.
    expect(report.trials).toBe(runs.reduce((a, r) => a + r.trials, 0));
    expect(stored.status).toBe('finished');
    expect(stored.gatePassed).toBe(false);
  });

  it('with a planted signal: it is found in every fold, out of sample, and the gate passes', async () => {
    const { report, folds } = await walkForward(join(t.dir, 'planted.sqlite'), 0.0015, 22);

    expect(report.oos!.sharpe).toBeGreaterThan(1.5);
    for (const f of report.folds!) expect(f.oos.sharpe).toBeGreaterThan(0.5);
    expect(report.lookahead!.passed).toBe(true);
    expect(report.dsr!).toBeGreaterThan(0.95);
    expect(report.gate).toMatchObject({ passed: true });
    expect(folds).toHaveLength(report.folds!.length);
    // Test windows follow their training windows and do not overlap.
    for (const f of report.folds!) expect(f.test.from > f.train.to).toBe(true);
    for (let i = 1; i < report.folds!.length; i++) expect(report.folds![i].test.from > report.folds![i - 1].test.to).toBe(true);
  });
});

describe('the PBO candidate set', () => {
  it('takes every fold\'s rules round-robin, best first, without repeats', () => {
    const folds = [['a1', 'a2', 'a3'], ['b1', 'shared'], ['shared', 'c2', 'c3', 'c4']];
    expect(interleave(folds, 5)).toEqual(['a1', 'b1', 'shared', 'a2', 'c2']);
    expect(interleave(folds, 99)).toEqual(['a1', 'b1', 'shared', 'a2', 'c2', 'a3', 'c3', 'c4']);
    expect(interleave([], 4)).toEqual([]);
  });
});
