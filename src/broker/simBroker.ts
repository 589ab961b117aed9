import { randomUUID } from 'node:crypto';
import { InputError } from '../domain/errors.js';
import { previousTradingDay, tradingDaysBetween } from '../domain/calendar.js';
import type { Execution } from '../backtest/simulator.js';
import { inWriteTransaction, nowIso, type Db } from '../store/db.js';
import type { MarketStore } from '../store/marketStore.js';
import type { Broker, BrokerAccount, BrokerClock, BrokerOrder, BrokerOrderStatus, BrokerPosition, BrokerSession, OrderRequest } from './types.js';

interface SimOrderRow {
  id: string;
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  notional: number | null;
  qty: number | null;
  session: string;
  status: BrokerOrderStatus;
  filled_qty: number;
  filled_avg_price: number | null;
  submitted_at: string;
  filled_at: string | null;
}

/**
 * The local paper broker: an account, orders and positions kept in the SQLite database, one
 * account per deployment. It runs on a simulated clock: "now" is just before the open of
 * `session`. An order submitted for a session fills at that session's open, with the simulator's
 * cost model (slippage against the trader, commission with a minimum), once the clock has moved
 * past it and the session's bar is stored; a session without a bar for the symbol expires the
 * order. Sells fill before buys, and buys are cut to the cash available (cash-only, like the
 * simulator); an order never takes a position through zero, so a long-to-short switch takes two
 * sessions (flat, then short). Stepping the session through successive dates replays paper trading through history.
 */
export class SimBroker implements Broker {
  readonly name = 'sim';
  readonly mode = 'paper' as const;

  constructor(
    private readonly db: Db,
    private readonly market: MarketStore,
    private readonly deploymentId: number,
    /** The session the clock stands before (its open has not happened yet). */
    readonly session: string,
    private readonly execution: Execution,
    private readonly initialCash: number,
  ) {}

  async account(): Promise<BrokerAccount> {
    this.settle();
    const cash = this.cash();
    const equity = cash + this.positionRows().reduce((a, p) => a + p.qty * this.lastClose(p.symbol), 0);
    return { id: `sim-${this.deploymentId}`, status: 'ACTIVE', tradingBlocked: false, cash, equity, buyingPower: Math.max(0, cash), currency: 'USD' };
  }

  async clock(): Promise<BrokerClock> {
    return { timestamp: `${this.session}T13:00:00.000Z`, isOpen: false, nextOpen: `${this.session}T13:30:00.000Z`, nextClose: `${this.session}T20:00:00.000Z` };
  }

  async calendar(from: string, to: string): Promise<BrokerSession[]> {
    return tradingDaysBetween(from, to).map((date) => ({ date, open: '09:30', close: '16:00' }));
  }

  async positions(): Promise<BrokerPosition[]> {
    this.settle();
    return this.positionRows().map((p) => ({ symbol: p.symbol, qty: p.qty, marketValue: p.qty * this.lastClose(p.symbol), avgEntryPrice: p.avg_entry_price }));
  }

  async submitOrder(o: OrderRequest): Promise<BrokerOrder> {
    this.settle();
    const existing = this.orderRow(o.clientOrderId);
    if (existing) return toOrder(existing); // the same client order id is the same order
    if (!((o.notional ?? 0) > 0) === !((o.qty ?? 0) > 0)) throw new InputError(`sim broker: give exactly one positive notional or qty (order ${o.clientOrderId})`);
    if (!this.market.summary(o.symbol)) throw new InputError(`sim broker: no prices stored for ${o.symbol}`);
    const row: SimOrderRow = {
      id: `sim-${randomUUID()}`,
      client_order_id: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      notional: o.notional ?? null,
      qty: o.qty ?? null,
      session: this.session,
      status: 'accepted',
      filled_qty: 0,
      filled_avg_price: null,
      submitted_at: nowIso(),
      filled_at: null,
    };
    inWriteTransaction(this.db, () => {
      this.db
        .prepare(
          `INSERT INTO sim_orders (id, deployment_id, client_order_id, symbol, side, notional, qty, session, status, filled_qty, filled_avg_price, submitted_at, filled_at)
           VALUES (@id, @deployment_id, @client_order_id, @symbol, @side, @notional, @qty, @session, @status, @filled_qty, @filled_avg_price, @submitted_at, @filled_at)`,
        )
        .run({ ...row, deployment_id: this.deploymentId });
    });
    return toOrder(row);
  }

  async getOrderByClientId(clientOrderId: string): Promise<BrokerOrder | null> {
    this.settle();
    const row = this.orderRow(clientOrderId);
    return row ? toOrder(row) : null;
  }

  async listOrders(q: { status: 'open' | 'closed' | 'all'; after?: string }): Promise<BrokerOrder[]> {
    this.settle();
    const rows = this.db.prepare('SELECT * FROM sim_orders WHERE deployment_id = ? ORDER BY submitted_at, id').all(this.deploymentId) as SimOrderRow[];
    return rows
      .filter((r) => (q.status === 'all' ? true : q.status === 'open' ? r.status === 'accepted' : r.status !== 'accepted'))
      .filter((r) => !q.after || r.submitted_at > q.after)
      .map(toOrder);
  }

  async cancelOrder(brokerId: string): Promise<void> {
    this.settle();
    inWriteTransaction(this.db, () => {
      this.db.prepare("UPDATE sim_orders SET status = 'canceled' WHERE id = ? AND deployment_id = ? AND status = 'accepted'").run(brokerId, this.deploymentId);
    });
  }

  /**
   * Fill or expire every order whose session has opened on the simulated clock (sessions before
   * the current one), session by session, sells before buys, in one transaction.
   */
  private settle(): void {
    const due = this.db
      .prepare("SELECT * FROM sim_orders WHERE deployment_id = ? AND status = 'accepted' AND session < ? ORDER BY session, side DESC, submitted_at, id")
      .all(this.deploymentId, this.session) as SimOrderRow[];
    if (due.length === 0) return;
    const slip = this.execution.slippageBps / 10_000;
    const comm = this.execution.commissionBps / 10_000;
    const minComm = this.execution.minCommission;
    inWriteTransaction(this.db, () => {
      let cash = this.cash();
      for (const o of due) {
        const bar = this.market.bars(o.symbol, o.session, o.session)[0];
        if (!bar) {
          this.db.prepare("UPDATE sim_orders SET status = 'expired' WHERE id = ?").run(o.id);
          continue;
        }
        // The same adjusted prices the simulator trades (adj_close / close scales the open).
        const open = bar.open * (bar.close > 0 ? bar.adjClose / bar.close : 1);
        const held = this.positionQty(o.symbol);
        let qty = o.qty ?? (o.notional ?? 0) / open;
        // No order carries a position through zero (Alpaca refuses that too): a sell from a long
        // stops at flat and so does a buy covering a short, also when a gap at the open makes a
        // notional order worth more shares than are held. A short opens only from flat.
        if (o.side === 'sell' && (o.qty !== null || held > 0)) qty = Math.min(qty, Math.max(0, held));
        if (o.side === 'buy' && held < 0) qty = Math.min(qty, -held);
        let fill = o.side === 'buy' ? open * (1 + slip) : open * (1 - slip);
        let fee = Math.max(minComm, qty * open * comm);
        if (o.side === 'buy' && held >= 0) {
          // Cash-only: a buy is cut to what the cash pays for, fees included.
          const cost = qty * fill + fee;
          if (cost > cash) {
            qty = Math.max(0, (cash - minComm) / (fill + open * comm));
            fee = Math.max(minComm, qty * open * comm);
            if (qty * fill + fee > cash) qty = 0;
          }
        }
        if (qty <= 0) {
          this.db.prepare("UPDATE sim_orders SET status = 'canceled' WHERE id = ?").run(o.id);
          continue;
        }
        fill = o.side === 'buy' ? open * (1 + slip) : open * (1 - slip);
        cash += o.side === 'buy' ? -(qty * fill + fee) : qty * fill - fee;
        this.applyFill(o.symbol, o.side === 'buy' ? qty : -qty, fill);
        this.db
          .prepare("UPDATE sim_orders SET status = 'filled', filled_qty = ?, filled_avg_price = ?, filled_at = ? WHERE id = ?")
          .run(qty, fill, `${o.session}T13:30:00.000Z`, o.id);
      }
      this.db.prepare('UPDATE sim_accounts SET cash = ? WHERE deployment_id = ?').run(cash, this.deploymentId);
    });
  }

  private applyFill(symbol: string, delta: number, price: number): void {
    const before = this.positionQty(symbol);
    const after = before + delta;
    const avg = this.positionRows().find((p) => p.symbol === symbol)?.avg_entry_price ?? price;
    if (Math.abs(after) < 1e-9) {
      this.db.prepare('DELETE FROM sim_positions WHERE deployment_id = ? AND symbol = ?').run(this.deploymentId, symbol);
      return;
    }
    // Adding keeps a weighted average entry; reducing keeps it; crossing zero starts a new one.
    const entry = before === 0 || before > 0 !== after > 0 ? price : Math.abs(after) > Math.abs(before) ? (avg * Math.abs(before) + price * Math.abs(delta)) / Math.abs(after) : avg;
    this.db
      .prepare('INSERT INTO sim_positions (deployment_id, symbol, qty, avg_entry_price) VALUES (?, ?, ?, ?) ON CONFLICT(deployment_id, symbol) DO UPDATE SET qty = excluded.qty, avg_entry_price = excluded.avg_entry_price')
      .run(this.deploymentId, symbol, after, entry);
  }

  private cash(): number {
    const row = this.db.prepare('SELECT cash FROM sim_accounts WHERE deployment_id = ?').get(this.deploymentId) as { cash: number } | undefined;
    if (row) return row.cash;
    inWriteTransaction(this.db, () => {
      this.db.prepare('INSERT OR IGNORE INTO sim_accounts (deployment_id, cash, initial_cash, created_at) VALUES (?, ?, ?, ?)').run(this.deploymentId, this.initialCash, this.initialCash, nowIso());
    });
    return this.initialCash;
  }

  private positionRows(): { symbol: string; qty: number; avg_entry_price: number }[] {
    return this.db.prepare('SELECT symbol, qty, avg_entry_price FROM sim_positions WHERE deployment_id = ? ORDER BY symbol').all(this.deploymentId) as { symbol: string; qty: number; avg_entry_price: number }[];
  }

  private positionQty(symbol: string): number {
    const r = this.db.prepare('SELECT qty FROM sim_positions WHERE deployment_id = ? AND symbol = ?').get(this.deploymentId, symbol) as { qty: number } | undefined;
    return r?.qty ?? 0;
  }

  /** The last adjusted close before the current session (what positions are marked at). */
  private lastClose(symbol: string): number {
    return this.market.barOnOrBefore(symbol, previousTradingDay(this.session))?.adjClose ?? 0;
  }

  private orderRow(clientOrderId: string): SimOrderRow | undefined {
    return this.db.prepare('SELECT * FROM sim_orders WHERE deployment_id = ? AND client_order_id = ?').get(this.deploymentId, clientOrderId) as SimOrderRow | undefined;
  }
}

function toOrder(r: SimOrderRow): BrokerOrder {
  return {
    id: r.id,
    clientOrderId: r.client_order_id,
    symbol: r.symbol,
    side: r.side,
    status: r.status,
    rawStatus: r.status,
    notional: r.notional,
    qty: r.qty,
    filledQty: r.filled_qty,
    filledAvgPrice: r.filled_avg_price,
    submittedAt: r.submitted_at,
    filledAt: r.filled_at,
  };
}
