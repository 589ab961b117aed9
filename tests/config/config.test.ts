import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configHash, loadConfig, redactConfig } from '../../src/config/load.js';
import { loadGrammar } from '../../src/ge/grammar.js';
import { underivableBlocks } from '../../src/ge/search.js';
import { InputError } from '../../src/domain/errors.js';
import { runAegis, tempDir } from '../helpers/cli.js';

describe('config files', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());
  let n = 0;
  /** Load the defaults overridden by `user`; the error message, or null when it loads. */
  const errorOf = (user: unknown): { file: string; message: string | null } => {
    const file = join(t.dir, `user-${++n}.json`);
    writeFileSync(file, JSON.stringify(user));
    try {
      loadConfig(file);
      return { file, message: null };
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      return { file, message: (err as Error).message };
    }
  };

  it('the bundled defaults load, and every default building block is derivable by both bundled grammars', () => {
    const config = loadConfig();
    expect(config.evolve.blocks.length).toBeGreaterThan(0);
    for (const grammar of ['default', 'long_short']) expect(underivableBlocks(loadGrammar(grammar), config.evolve.blocks), grammar).toEqual([]);
  });

  it('a user file may weigh some of the metrics (a weighted sum replaces evolve.metric)', () => {
    expect(errorOf({ evolve: { metricWeights: { sharpe: 1, 'profit-factor': 0.5 } } }).message).toBeNull();
    const bad = errorOf({ evolve: { metricWeights: { sharp: 1 } } });
    expect(bad.message).toMatch(new RegExp(`^${bad.file}: evolve\\.metricWeights`));
  });

  it('names the user file, not the defaults, whatever the key', () => {
    const r = errorOf({ evolve: { metricWeights: { sharpe: 'high' } } });
    expect(r.message).toBe(`${r.file}: evolve.metricWeights.sharpe: expected a number, got "high"`);
  });

  it('a building block that does not parse is refused with its index', () => {
    const r = errorOf({ evolve: { blocks: ['gt(close,sma(close,200))', 'gt(close,'] } });
    expect(r.message).toMatch(new RegExp(`^${r.file}: evolve\\.blocks\\.1: not a rule fragment \\(.+\\), got "gt\\(close,"$`));
  });

  it('exposure bounds in the wrong order are refused', () => {
    const r = errorOf({ evolve: { penalties: { minExposure: 0.9, maxExposure: 0.1 } } });
    expect(r.message).toBe(`${r.file}: evolve.penalties.minExposure: expected minExposure <= maxExposure, got 0.9`);
  });

  it('symbols must be tickers', () => {
    const r = errorOf({ evolve: { symbols: ['SPY', 'q q'] } });
    expect(r.message).toBe(`${r.file}: evolve.symbols.1: expected an upper-case ticker like SPY or BRK.B, got "q q"`);
  });

  it('seeds are 32-bit, so two seeds never give one run', () => {
    expect(errorOf({ evolve: { seed: 2 ** 31 - 1 } }).message).toBeNull();
    const r = errorOf({ evolve: { seed: 4294967303 } });
    expect(r.message).toBe(`${r.file}: evolve.seed: expected a 32-bit integer, got 4294967303`);
  });

  it('a bad secret is refused without printing it', () => {
    const r = errorOf({ deploy: { alerts: { webhookUrl: 'discord.com/api/webhooks/123/SECRETTOKEN' } } });
    expect(r.message).toMatch(/deploy\.alerts\.webhookUrl: .*got \[redacted\]$/);
    expect(r.message).not.toContain('SECRETTOKEN');
    expect(JSON.stringify(redactConfig({ deploy: { alerts: { webhookUrl: 'https://x/SECRETTOKEN' } } }))).not.toContain('SECRETTOKEN');
  });
});

describe('aegis config print', () => {
  it('--json gives the resolved config and its hash', () => {
    const r = runAegis(['config', 'print', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.hash).toBe(configHash(loadConfig()));
    expect(j.config.evolve.population).toBe(loadConfig().evolve.population);
  });
});
