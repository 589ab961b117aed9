import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { openDb } from '../../src/store/db.js';
import { DeployStore } from '../../src/deploy/store.js';
import { configHash, loadConfig } from '../../src/config/load.js';
import type { Portfolio } from '../../src/backtest/portfolio.js';
import { copyBundled, runAegis } from './cli.js';

export const SYMBOLS = ['SPY', 'QQQ', 'TLT', 'GLD'];

/** A portfolio of simple rules over the bundled symbols (what a promotion would record). */
export const PORTFOLIO: Portfolio = {
  sleeves: [
    { expr: 'gt(close,sma(close,50))', strategyId: null, weights: { SPY: 0.25, QQQ: 0.25 } },
    { expr: 'lt(rsi(close,2),95)', strategyId: null, weights: { TLT: 0.2, GLD: 0.2 } },
  ],
};

/** A database with the bundled prices of SYMBOLS, and a config file with fast retries. */
export function deployDb(dir: string, extraConfig: Record<string, unknown> = {}): { db: string; config: string } {
  const db = join(dir, 'deploy.sqlite');
  const csv = copyBundled(SYMBOLS, join(dir, 'csv'));
  const r = runAegis(['ingest', SYMBOLS.join(','), '--source', 'csv', '--csv-dir', csv, '--db', db, '--quiet']);
  if (r.code !== 0) throw new Error(r.stderr);
  const config = join(dir, 'deploy.json');
  writeFileSync(
    config,
    JSON.stringify(
      deepMerge(
        {
          deploy: {
            alpaca: { timeoutMs: 1500 },
            retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
            breaker: { failures: 2, cooldownMinutes: 60 },
            leaseSeconds: 60,
          },
        },
        extraConfig,
      ),
    ),
  );
  return { db, config };
}

/** Record a deployment directly (as aegis promote would), under the given config file's hash. */
export function addDeployment(db: string, configFile: string, o: { broker: 'sim' | 'alpaca'; mode?: 'paper' | 'live'; portfolio?: Portfolio }): number {
  const conn = openDb(db);
  try {
    const p = o.portfolio ?? PORTFOLIO;
    return new DeployStore(conn).createDeployment({
      mode: o.mode ?? 'paper',
      broker: o.broker,
      backtestId: null,
      parentId: null,
      portfolio: p,
      symbols: [...new Set(p.sleeves.flatMap((s) => Object.keys(s.weights)))].sort(),
      configHash: configHash(loadConfig(configFile)),
      forced: true,
      reason: 'test',
      gate: { passed: false, reasons: ['test deployment'] },
      accountId: null,
    });
  } finally {
    conn.close();
  }
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && typeof a[k] === 'object' ? deepMerge(a[k] as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}
