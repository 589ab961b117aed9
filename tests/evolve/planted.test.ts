import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { runEvolve } from '../../src/evolve/runEvolve.js';
import { MarketStore } from '../../src/store/marketStore.js';
import { RunStore } from '../../src/store/runStore.js';
import { override } from '../../src/cli/flags.js';
import { loadPanel } from '../../src/data/panel.js';
import { compileRule, evaluatePositions, IndicatorCache, type CompiledRule } from '../../src/strategy/index.js';
import { syntheticDb } from '../helpers/synthetic.js';
import { tempDir } from '../helpers/cli.js';

/** A small search budget: enough to find a strong signal, cheap enough for CI. */
function config(seed: number) {
  return override(loadConfig(), { evolve: { population: 80, generations: 10, patience: 10, seed } });
}

async function evolveOn(dbPath: string, mu: number, seed: number) {
  const { db, symbols } = syntheticDb(dbPath, 6, { days: 4000, mu, period: 20, sigma: 0.01 }, seed);
  try {
    const out = await runEvolve(new MarketStore(db), new RunStore(db), {
      symbols, from: null, to: null, grammar: 'default', seed, workers: 1, metric: 'sharpe', purpose: 'test', config: config(seed),
    });
    // How often the best rule is long exactly when the planted signal says up.
    const { panel } = loadPanel(new MarketStore(db), symbols, { from: null, to: null, warmup: 0 });
    const cache = new IndicatorCache(panel);
    const best = evaluatePositions(compileRule(out.best[0].expr).ok ? (compileRule(out.best[0].expr) as { rule: CompiledRule }).rule : fail(), panel, cache);
    const planted = evaluatePositions((compileRule('gt(close,sma(close,20))') as { rule: CompiledRule }).rule, panel, cache);
    let same = 0;
    for (let i = 0; i < best.length; i++) if ((best[i] > 0) === (planted[i] > 0)) same++;
    return { out, agreement: same / best.length };
  } finally {
    db.close();
  }
}

function fail(): never {
  throw new Error('the best rule does not compile');
}

describe('evolution on synthetic prices', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('finds a planted trend signal: the best rule captures it out of the train window', async () => {
    // Next-day drift +/-0.15% depending on the close against its 20-day average: a trend rule
    // earns an annual Sharpe near 2.4 on it, after costs.
    const { out, agreement } = await evolveOn(join(t.dir, 'planted.sqlite'), 0.0015, 11);
    const best = out.best[0];
    expect(best.validation.sharpe).toBeGreaterThan(1.2);
    expect(best.train.sharpe).toBeGreaterThan(1.2);
    // The rule found need not be spelled like the planted one, but it must take the same side.
    expect(agreement).toBeGreaterThan(0.7);
  });

  it('on a pure random walk, the best rule has validation fitness near zero', async () => {
    const { out } = await evolveOn(join(t.dir, 'walk.sqlite'), 0, 12);
    const best = out.best[0];
    // Over ~1,200 validation days the standard error of an annual Sharpe ratio is about 0.46, and
    // the pick is the best by validation of the ten best rules by train.
    expect(Math.abs(best.validation.sharpe)).toBeLessThan(1);
    expect(best.validationFitness).toBeLessThan(1);
  });
});
