import type { Config } from '../config/schema.js';
import { configHash } from '../config/load.js';
import { InputError, RefusalError } from '../domain/errors.js';
import { portfolioSymbols, type Portfolio } from '../backtest/portfolio.js';
import type { Broker } from '../broker/types.js';
import type { BacktestStore } from '../store/backtestStore.js';
import type { MarketStore } from '../store/marketStore.js';
import type { Deployment, DeployStore } from './store.js';
import { trackRecord, type TrackRecord } from './track.js';

export interface PromoteDeps {
  store: DeployStore;
  backtests: BacktestStore;
  market: MarketStore;
  config: Readonly<Config>;
}

/**
 * Backtest -> paper. Requires gate G0 of the backtest (walk-forward out-of-sample and DSR
 * thresholds, lookahead check passed). For paper only, `force` with a reason promotes a portfolio
 * that failed G0: paper trading exists to gather evidence; the deployment is marked forced.
 */
export function promoteToPaper(deps: PromoteDeps, o: { backtestId: number; force: boolean; reason?: string; broker: 'sim' | 'alpaca' }): Deployment {
  const bt = deps.backtests.get(o.backtestId);
  if (!bt) throw new InputError(`no backtest ${o.backtestId}; see: aegis show backtest ID`);
  if (bt.status !== 'finished') throw new InputError(`backtest ${bt.id} is ${bt.status}, not finished`);
  const gate = (bt.result as { gate?: { passed: boolean; reasons: string[] } } | null)?.gate ?? { passed: false, reasons: ['no gate verdict recorded'] };
  if (o.force && !o.reason?.trim()) throw new InputError('--force needs --reason "why this portfolio should paper-trade anyway"');
  if (!gate.passed && !o.force) {
    throw new RefusalError(`backtest ${bt.id} failed gate G0: ${gate.reasons.join('; ')}. To paper-trade it anyway: --force --reason "..."`);
  }
  const portfolio = bt.portfolio as Portfolio | null;
  if (!portfolio || portfolio.sleeves.length === 0) throw new RefusalError(`backtest ${bt.id} has no portfolio to trade (its search found no rule)`);
  const id = deps.store.createDeployment({
    mode: 'paper',
    broker: o.broker,
    backtestId: bt.id,
    parentId: null,
    portfolio,
    symbols: portfolioSymbols(portfolio),
    configHash: configHash(deps.config),
    forced: !gate.passed,
    reason: gate.passed ? null : o.reason!.trim(),
    gate,
    accountId: null,
  });
  return deps.store.deployment(id)!;
}

export interface G1Verdict {
  passed: boolean;
  reasons: string[];
  track: TrackRecord;
}

/** Gate G1, paper -> live: a long enough paper record that tracks its backtest, under the same config. */
export function gateG1(deps: PromoteDeps, paper: Deployment): G1Verdict {
  const g1 = deps.config.deploy.g1;
  const track = trackRecord(deps.market, deps.store, paper, deps.config);
  const fails: string[] = [];
  const passes: string[] = [];
  const tradedDays = Math.max(0, track.days - 1);
  (tradedDays >= g1.minDays ? passes : fails).push(`${tradedDays} trading day(s) on paper (${g1.minDays} required)`);
  if (track.trackingGap === null) fails.push('no paper returns to compare with the backtest yet');
  else {
    const line = `paper return ${(track.realisedReturn! * 100).toFixed(2)}% against the backtest's ${(track.expectedReturn! * 100).toFixed(2)}% over the same days (gap ${(track.trackingGap * 100).toFixed(2)} points, tolerance ${(g1.trackingTolerance * 100).toFixed(2)})`;
    (track.trackingGap <= g1.trackingTolerance ? passes : fails).push(line);
  }
  const hash = configHash(deps.config);
  (paper.configHash === hash ? passes : fails).push(paper.configHash === hash ? 'the same config as on paper' : `the config changed since paper trading began (${paper.configHash} -> ${hash})`);
  if (paper.forced) passes.push(`note: the paper deployment was forced past G0 (${paper.reason})`);
  return { passed: fails.length === 0, reasons: fails.length ? fails : passes, track };
}

/**
 * Paper -> live: gate G1, and the operator confirms the live account id, which the live broker
 * must report. There is no --force for live.
 */
export async function promoteToLive(deps: PromoteDeps, o: { deploymentId: number; confirm?: string; force?: boolean }, liveBroker: () => Promise<Broker>): Promise<{ deployment: Deployment; verdict: G1Verdict }> {
  if (o.force) throw new InputError('--force is for paper only: live trading always needs gate G1');
  const paper = deps.store.deployment(o.deploymentId);
  if (!paper) throw new InputError(`no deployment ${o.deploymentId}; see: aegis status`);
  if (paper.mode !== 'paper') throw new InputError(`deployment ${paper.id} is not a paper deployment`);
  const verdict = gateG1(deps, paper);
  if (!verdict.passed) throw new RefusalError(`deployment ${paper.id} failed gate G1: ${verdict.reasons.join('; ')}`);
  if (!o.confirm) throw new InputError('--confirm ACCOUNT-ID is required: the id of the live account that will trade (see your broker dashboard)');
  const broker = await liveBroker();
  const account = await broker.account();
  if (account.id !== o.confirm) throw new RefusalError(`--confirm ${o.confirm} is not the live account the keys open (${account.id}); nothing promoted`);
  const id = deps.store.createDeployment({
    mode: 'live',
    broker: 'alpaca',
    backtestId: paper.backtestId,
    parentId: paper.id,
    portfolio: paper.portfolio,
    symbols: paper.symbols,
    configHash: paper.configHash,
    forced: false,
    reason: null,
    gate: { passed: true, reasons: verdict.reasons },
    accountId: account.id,
  });
  return { deployment: deps.store.deployment(id)!, verdict };
}
