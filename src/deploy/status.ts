import type { Config } from '../config/schema.js';
import type { MarketStore } from '../store/marketStore.js';
import type { Deployment, DeployStore } from './store.js';
import { targetWeights } from './targets.js';
import { trackRecord, type TrackRecord } from './track.js';

export interface DeploymentStatus {
  deployment: {
    id: number;
    mode: string;
    broker: string;
    status: string;
    createdAt: string;
    backtestId: number | null;
    parentId: number | null;
    accountId: string | null;
    forced: boolean;
    reason: string | null;
    gate: { passed: boolean; reasons: string[] };
    rules: string[];
  };
  asOf: string | null;
  equity: number | null;
  positions: { symbol: string; qty: number; value: number; weight: number; target: number }[];
  lastTradingDay: string | null;
  intents: { symbol: string; side: string; notional: number | null; qty: number | null; clientOrderId: string; status: string; reason: string | null; brokerStatus: string | null; filledQty: number | null; filledAvgPrice: number | null }[];
  track: TrackRecord;
  killSwitch: { on: boolean; since: string; reason: string | null };
  breaker: { state: string; failures: number; since: string; reason: string | null };
}

/**
 * A deployment at a glance, from the database alone (no broker request): positions as recorded
 * from the broker's fills, against today's targets; the latest trading day's intents and orders;
 * P&L since the start against the backtest's expectation; the kill switch and breaker.
 */
export function deploymentStatus(store: DeployStore, market: MarketStore, config: Readonly<Config>, d: Deployment): DeploymentStatus {
  const track = trackRecord(market, store, d, config);
  const latest = d.symbols.map((s) => market.summary(s)?.last).filter((x): x is string => Boolean(x)).sort().at(-1) ?? null;
  // One date for the whole table: the close the equity was last recorded at (in a replay, before
  // the latest bar), else the latest bar. Positions are valued there and the targets decided there.
  const valuedAt = track.to ?? latest;
  const asOf = valuedAt;
  const targets = asOf ? targetWeights(market, d.portfolio, config, asOf).weights : new Map<string, number>();
  const equity = track.realised.equity.at(-1) ?? null;
  const held = store.expectedPositions(d.id);
  const symbols = [...new Set([...held.keys(), ...targets.keys()])].sort();
  const positions = symbols.map((symbol) => {
    const qty = held.get(symbol) ?? 0;
    const price = valuedAt ? (market.barOnOrBefore(symbol, valuedAt)?.adjClose ?? 0) : 0;
    const value = qty * price;
    return { symbol, qty, value, weight: equity ? value / equity : 0, target: targets.get(symbol) ?? 0 };
  });
  const all = store.intents(d.id);
  const lastTradingDay = all.at(-1)?.tradingDay ?? null;
  const orders = new Map(store.orders(d.id).map((o) => [o.clientOrderId, o]));
  const intents = all
    .filter((i) => i.tradingDay === lastTradingDay)
    .map((i) => {
      const o = orders.get(i.clientOrderId);
      return { symbol: i.symbol, side: i.side, notional: i.notional, qty: i.qty, clientOrderId: i.clientOrderId, status: i.status, reason: i.reason, brokerStatus: o?.status ?? null, filledQty: o?.filledQty ?? null, filledAvgPrice: o?.filledAvgPrice ?? null };
    });
  const kill = store.control('kill_switch');
  const breaker = store.control('breaker');
  return {
    deployment: {
      id: d.id,
      mode: d.mode,
      broker: d.broker,
      status: d.status,
      createdAt: d.createdAt,
      backtestId: d.backtestId,
      parentId: d.parentId,
      accountId: d.accountId,
      forced: d.forced,
      reason: d.reason,
      gate: d.gate,
      rules: d.portfolio.sleeves.map((s) => s.expr),
    },
    asOf,
    equity,
    positions,
    lastTradingDay,
    intents,
    track,
    killSwitch: { on: kill.state === 'on', since: kill.since, reason: kill.reason },
    breaker: { state: breaker.state, failures: breaker.failures, since: breaker.since, reason: breaker.reason },
  };
}
