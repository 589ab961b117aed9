import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { override } from '../../src/cli/flags.js';
import { runEvolve } from '../../src/evolve/runEvolve.js';
import { Rng } from '../../src/domain/rng.js';
import { openDb } from '../../src/store/db.js';
import { MarketStore } from '../../src/store/marketStore.js';
import { AllocationStore, RunStore } from '../../src/store/runStore.js';
import { syntheticBars } from '../helpers/synthetic.js';
import { tempDir } from '../helpers/cli.js';

/**
 * Two kinds of assets: T* trend (next-day drift with the close against its 20-day average) and
 * R* mean-reverting (drift against it). No single rule suits both: the allocation decides which
 * assets matter, and with it which rule is best.
 */
function twoRegimeDb(path: string, seed: number) {
  const db = openDb(path);
  const store = new MarketStore(db);
  const rng = Rng.seeded(seed);
  const run = store.startIngestRun('synthetic', []);
  const symbols: string[] = [];
  for (const [prefix, mu] of [['T', 0.0012], ['R', -0.0006]] as const) {
    for (let i = 0; i < 3; i++) {
      const symbol = `${prefix}${i}`;
      store.saveSymbolBatch({ symbol, source: 'synthetic', bars: syntheticBars(rng.fork(), { days: 3000, mu, period: 20, sigma: 0.012 }), actions: [], issues: [] }, run);
      symbols.push(symbol);
    }
  }
  return { db, symbols };
}

async function em(path: string, seed: number) {
  const { db, symbols } = twoRegimeDb(path, 3);
  const config = override(override(loadConfig(), { evolve: { population: 60, generations: 6, seed } }), {
    allocate: { emIterations: 3, topK: 4, method: 'evolve', tolerance: -1 }, // never stop early: look at every iteration
  });
  try {
    const out = await runEvolve(new MarketStore(db), new RunStore(db), { symbols, from: null, to: null, grammar: 'default', seed, workers: 1, metric: 'sharpe', purpose: 'test', config });
    return { out, stored: new AllocationStore(db).emIterations(out.runId) };
  } finally {
    db.close();
  }
}

describe('the EM loop', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('alternates evolution and allocation; the training objective improves from iteration 0 to the last', async () => {
    const { out, stored } = await em(join(t.dir, 'a.sqlite'), 4);
    expect(out.em).toHaveLength(3);
    expect(stored.map((s) => s.iteration)).toEqual([0, 1, 2]);
    expect(out.em[2].trainObjective).toBeGreaterThan(out.em[0].trainObjective);
    // Every iteration's trials count for the DSR (they only grow).
    expect(out.em[0].trials).toBeLessThan(out.em[1].trials);
    expect(out.em[2].trials).toBe(out.trials);
    // The allocation honours its constraints and favours the assets the rules work on.
    for (const e of out.em) {
      const w = Object.values(e.weights);
      expect(Math.min(...w)).toBeGreaterThanOrEqual(0);
      expect(w.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-9);
      for (const x of w) expect(x).toBeLessThanOrEqual(0.5 + 1e-9);
    }
    // The run trades its best iteration by validation.
    const best = out.em.reduce((b, x) => (x.validationObjective > b.validationObjective ? x : b));
    expect(out.allocation!.id).toBe(best.allocationId);
  });

  it('is deterministic with a seed', async () => {
    const a = await em(join(t.dir, 'b.sqlite'), 9);
    const b = await em(join(t.dir, 'c.sqlite'), 9);
    expect(a.out.em.map((e) => [e.trainObjective, e.validationObjective, e.weights, e.strategies])).toEqual(
      b.out.em.map((e) => [e.trainObjective, e.validationObjective, e.weights, e.strategies]),
    );
  });
});
