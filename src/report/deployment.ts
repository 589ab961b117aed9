import type { Config } from '../config/schema.js';
import { DeployStore } from '../deploy/store.js';
import { deploymentStatus } from '../deploy/status.js';
import { InputError } from '../domain/errors.js';
import type { Db } from '../store/db.js';
import { MarketStore } from '../store/marketStore.js';
import type { DeploymentReport } from './model.js';

/**
 * A deployment for the report: positions against targets, every order and fill, the realised
 * equity against the backtest's expectation over the same days, and the safety switches. The given
 * one, or by default the latest active one (null when there is none).
 */
export function loadDeployment(db: Db, id: number | undefined, config: Readonly<Config>): { deployment: DeploymentReport | null; backtestId: number | null } {
  const store = new DeployStore(db);
  const d = id !== undefined ? store.deployment(id) : ([...store.list()].reverse().find((x) => x.status === 'active') ?? null);
  if (id !== undefined && !d) throw new InputError(`no deployment ${id}; see: aegis status`);
  if (!d) return { deployment: null, backtestId: null };
  const s = deploymentStatus(store, new MarketStore(db), config, d);
  const orders = store.orders(d.id);
  const kill = store.control('kill_switch');
  const breaker = store.control('breaker');
  return {
    backtestId: d.backtestId,
    deployment: {
      deploymentId: d.id,
      mode: d.mode,
      broker: d.broker,
      forced: d.forced,
      forcedReason: d.forced ? d.reason : null,
      status: d.status,
      positions: s.positions.map((p) => ({ symbol: p.symbol, weight: p.weight, target: p.target })),
      orders: orders.map((o) => ({
        date: o.tradingDay,
        symbol: o.symbol,
        side: o.side,
        notional: o.notional ?? (o.filledAvgPrice ?? 0) * (o.qty ?? o.filledQty),
        status: o.status,
        clientOrderId: o.clientOrderId,
        filledQty: o.filledQty || null,
        filledAvgPrice: o.filledAvgPrice,
      })),
      realised: { dates: s.track.realised.dates, equity: s.track.realised.equity },
      expected: s.track.expected,
      safety: {
        breakerTripped: breaker.state === 'open',
        killSwitchEngaged: kill.state === 'on',
        detail: kill.state === 'on' ? `kill switch: ${kill.reason ?? ''}` : breaker.state !== 'closed' ? `breaker ${breaker.state}: ${breaker.reason ?? ''}` : null,
      },
    },
  };
}
