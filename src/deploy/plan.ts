import { EXIT, orderFor } from '../backtest/simulator.js';
import type { BrokerPosition, OrderSide } from '../broker/types.js';

export interface PlannedOrder {
  symbol: string;
  side: OrderSide;
  /** Currency amount for notional orders (also the size the limits judge). */
  notional: number;
  /** Shares, for orders that close a whole position (so no dust is left). */
  qty: number | null;
  kind: 'enter' | 'exit' | 'rebalance';
}

/**
 * The orders that move the broker's positions to the target weights for the next session, by the
 * simulator's own rule (orderFor): the same rebalance band and minimum notional as every backtest.
 * Positions are valued by the broker (its market value) and sized on the broker's equity. Sells come
 * first: they bring the cash the buys need.
 */
export function planOrders(input: {
  targets: ReadonlyMap<string, number>;
  positions: readonly BrokerPosition[];
  equity: number;
  band: number;
  minNotional: number;
}): PlannedOrder[] {
  const held = new Map(input.positions.filter((p) => Math.abs(p.qty) > 1e-12).map((p) => [p.symbol, p]));
  const symbols = [...new Set([...input.targets.keys(), ...held.keys()])].sort();
  const out: PlannedOrder[] = [];
  for (const symbol of symbols) {
    const w = input.targets.get(symbol) ?? 0;
    const p = held.get(symbol);
    const qty = p?.qty ?? 0;
    const price = p && qty !== 0 ? p.marketValue / qty : 0;
    const o = orderFor(w, qty, price, input.equity, input.band, input.minNotional);
    if (o === EXIT) {
      out.push({ symbol, side: qty > 0 ? 'sell' : 'buy', notional: Math.abs(p!.marketValue), qty: Math.abs(qty), kind: 'exit' });
    } else if (o === o && Number.isFinite(o)) {
      out.push({ symbol, side: o > 0 ? 'buy' : 'sell', notional: Math.abs(o), qty: null, kind: qty === 0 ? 'enter' : 'rebalance' });
    }
  }
  return out.sort((a, b) => (a.side === b.side ? a.symbol.localeCompare(b.symbol) : a.side === 'sell' ? -1 : 1));
}
