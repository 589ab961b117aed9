import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Portfolio } from '../backtest/portfolio.js';
import type { BrokerOrder, OrderSide } from '../broker/types.js';
import { LeaseBusyError, RefusalError } from '../domain/errors.js';
import { inWriteTransaction, nowIso, type Db } from '../store/db.js';
import { log } from '../log/logger.js';

export interface Deployment {
  id: number;
  createdAt: string;
  mode: 'paper' | 'live';
  broker: 'sim' | 'alpaca';
  status: 'active' | 'retired';
  backtestId: number | null;
  parentId: number | null;
  portfolio: Portfolio;
  symbols: string[];
  configHash: string;
  forced: boolean;
  reason: string | null;
  gate: { passed: boolean; reasons: string[] };
  accountId: string | null;
  /**
   * Random per deployment, part of every client order id it places (null for deployments made
   * before it existed): ids never collide across databases trading one account.
   */
  orderTag: string | null;
}

export type IntentStatus =
  | 'pending' // written, not yet known to the broker
  | 'unknown' // a submission whose outcome we could not learn; reconciled by client order id
  | 'denied' // refused by a pre-trade limit; never sent
  | 'rejected' // refused by the broker
  | 'submitted'; // the broker has it (its own status is in `orders`)

export interface OrderIntent {
  id: number;
  deploymentId: number;
  tradingDay: string;
  symbol: string;
  side: OrderSide;
  notional: number | null;
  qty: number | null;
  clientOrderId: string;
  status: IntentStatus;
  reason: string | null;
}

export interface NewIntent {
  symbol: string;
  side: OrderSide;
  notional: number | null;
  qty: number | null;
  clientOrderId: string;
  status: 'pending' | 'denied';
  reason: string | null;
}

export interface StoredOrder {
  intentId: number;
  brokerOrderId: string;
  clientOrderId: string;
  status: string;
  filledQty: number;
  filledAvgPrice: number | null;
  submittedAt: string | null;
  filledAt: string | null;
}

export interface Control {
  name: 'kill_switch' | 'breaker';
  state: string;
  failures: number;
  since: string;
  reason: string | null;
}

/** Deployments, intents, orders, fills, the controls (kill switch, breaker) and the lease. */
export class DeployStore {
  constructor(readonly db: Db) {}

  createDeployment(d: Omit<Deployment, 'id' | 'createdAt' | 'status' | 'orderTag'>): number {
    return inWriteTransaction(this.db, () =>
      Number(
        this.db
          .prepare(
            `INSERT INTO deployments (created_at, mode, broker, status, backtest_id, parent_id, portfolio, symbols, config_hash, forced, reason, gate, account_id, order_tag)
             VALUES (?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(nowIso(), d.mode, d.broker, d.backtestId, d.parentId, JSON.stringify(d.portfolio), d.symbols.join(','), d.configHash, d.forced ? 1 : 0, d.reason, JSON.stringify(d.gate), d.accountId, randomBytes(4).toString('hex'))
          .lastInsertRowid,
      ),
    );
  }

  deployment(id: number): Deployment | null {
    const r = this.db.prepare('SELECT * FROM deployments WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    return r ? toDeployment(r) : null;
  }

  /** The latest active deployment of a mode. */
  active(mode: 'paper' | 'live'): Deployment | null {
    const r = this.db.prepare("SELECT * FROM deployments WHERE mode = ? AND status = 'active' ORDER BY id DESC LIMIT 1").get(mode) as Record<string, unknown> | undefined;
    return r ? toDeployment(r) : null;
  }

  list(): Deployment[] {
    return (this.db.prepare('SELECT * FROM deployments ORDER BY id').all() as Record<string, unknown>[]).map(toDeployment);
  }

  setAccount(id: number, accountId: string): void {
    inWriteTransaction(this.db, () => void this.db.prepare('UPDATE deployments SET account_id = ? WHERE id = ? AND account_id IS NULL').run(accountId, id));
  }

  // --- intents and orders ---------------------------------------------------------------------

  intents(deploymentId: number, tradingDay?: string): OrderIntent[] {
    const rows = (
      tradingDay
        ? this.db.prepare('SELECT * FROM order_intents WHERE deployment_id = ? AND trading_day = ? ORDER BY id').all(deploymentId, tradingDay)
        : this.db.prepare('SELECT * FROM order_intents WHERE deployment_id = ? ORDER BY id').all(deploymentId)
    ) as Record<string, unknown>[];
    return rows.map(toIntent);
  }

  /** Intents whose broker state is not final in our records (pending, unknown, or live at the broker). */
  openIntents(deploymentId: number): OrderIntent[] {
    return (
      this.db
        .prepare(
          `SELECT i.* FROM order_intents i LEFT JOIN orders o ON o.intent_id = i.id
           WHERE i.deployment_id = ? AND (i.status IN ('pending', 'unknown')
             OR (i.status = 'submitted' AND (o.status IS NULL OR o.status NOT IN ('filled', 'canceled', 'expired', 'replaced', 'rejected'))))
           ORDER BY i.id`,
        )
        .all(deploymentId) as Record<string, unknown>[]
    ).map(toIntent);
  }

  /** Write a cycle's intents in one transaction: all of them or none. */
  writeIntents(deploymentId: number, tradingDay: string, intents: readonly NewIntent[]): void {
    inWriteTransaction(this.db, () => {
      const now = nowIso();
      const ins = this.db.prepare(
        `INSERT INTO order_intents (deployment_id, trading_day, symbol, side, notional, qty, client_order_id, status, reason, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const i of intents) ins.run(deploymentId, tradingDay, i.symbol, i.side, i.notional, i.qty, i.clientOrderId, i.status, i.reason, now, now);
    });
  }

  setIntentStatus(intentId: number, status: IntentStatus, reason: string | null = null): void {
    inWriteTransaction(this.db, () => {
      this.db.prepare('UPDATE order_intents SET status = ?, reason = COALESCE(?, reason), updated_at = ? WHERE id = ?').run(status, reason, nowIso(), intentId);
    });
  }

  /** Record what the broker says about an intent's order (and its fill), atomically. */
  recordOrder(intentId: number, broker: string, o: BrokerOrder): void {
    inWriteTransaction(this.db, () => {
      const now = nowIso();
      this.db.prepare("UPDATE order_intents SET status = 'submitted', updated_at = ? WHERE id = ?").run(now, intentId);
      this.db
        .prepare(
          `INSERT INTO orders (intent_id, broker, broker_order_id, client_order_id, status, filled_qty, filled_avg_price, submitted_at, filled_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(intent_id) DO UPDATE SET status = excluded.status, filled_qty = excluded.filled_qty,
             filled_avg_price = excluded.filled_avg_price, filled_at = excluded.filled_at, updated_at = excluded.updated_at`,
        )
        .run(intentId, broker, o.id, o.clientOrderId, o.status, o.filledQty, o.filledAvgPrice, o.submittedAt, o.filledAt, now);
      if (o.filledQty > 0 && o.filledAvgPrice !== null) {
        const orderId = (this.db.prepare('SELECT id FROM orders WHERE intent_id = ?').get(intentId) as { id: number }).id;
        this.db
          .prepare('INSERT INTO fills (order_id, qty, price, filled_at) VALUES (?, ?, ?, ?) ON CONFLICT(order_id) DO UPDATE SET qty = excluded.qty, price = excluded.price, filled_at = excluded.filled_at')
          .run(orderId, o.filledQty, o.filledAvgPrice, o.filledAt);
      }
    });
  }

  orders(deploymentId: number): (StoredOrder & { symbol: string; side: OrderSide; tradingDay: string; notional: number | null; qty: number | null })[] {
    return (
      this.db
        .prepare(
          `SELECT o.*, i.symbol, i.side, i.trading_day, i.notional, i.qty FROM orders o JOIN order_intents i ON i.id = o.intent_id
           WHERE i.deployment_id = ? ORDER BY o.id`,
        )
        .all(deploymentId) as Record<string, unknown>[]
    ).map((r) => ({
      intentId: r.intent_id as number,
      brokerOrderId: r.broker_order_id as string,
      clientOrderId: r.client_order_id as string,
      status: r.status as string,
      filledQty: r.filled_qty as number,
      filledAvgPrice: (r.filled_avg_price as number | null) ?? null,
      submittedAt: (r.submitted_at as string | null) ?? null,
      filledAt: (r.filled_at as string | null) ?? null,
      symbol: r.symbol as string,
      side: r.side as OrderSide,
      tradingDay: r.trading_day as string,
      notional: (r.notional as number | null) ?? null,
      qty: (r.qty as number | null) ?? null,
    }));
  }

  /** Positions implied by the fills we recorded: what the broker should hold for this deployment. */
  expectedPositions(deploymentId: number): Map<string, number> {
    const rows = this.db
      .prepare(
        `SELECT i.symbol, SUM(CASE WHEN i.side = 'buy' THEN f.qty ELSE -f.qty END) AS qty
         FROM fills f JOIN orders o ON o.id = f.order_id JOIN order_intents i ON i.id = o.intent_id
         WHERE i.deployment_id = ? GROUP BY i.symbol`,
      )
      .all(deploymentId) as { symbol: string; qty: number }[];
    return new Map(rows.filter((r) => Math.abs(r.qty) > 1e-9).map((r) => [r.symbol, r.qty]));
  }

  /** How far the deployment has traded: its latest planned session and its latest recorded close. */
  progress(deploymentId: number): { lastPlanned: string | null; lastClose: string | null } {
    const r = this.db
      .prepare(
        `SELECT (SELECT MAX(trading_day) FROM order_intents WHERE deployment_id = ?) AS planned,
                (SELECT MAX(date) FROM deployment_equity WHERE deployment_id = ?) AS close`,
      )
      .get(deploymentId, deploymentId) as { planned: string | null; close: string | null };
    return { lastPlanned: r.planned, lastClose: r.close };
  }

  // --- the track record -----------------------------------------------------------------------

  recordEquity(deploymentId: number, date: string, equity: number): void {
    inWriteTransaction(this.db, () => {
      this.db.prepare('INSERT OR REPLACE INTO deployment_equity (deployment_id, date, equity) VALUES (?, ?, ?)').run(deploymentId, date, equity);
    });
  }

  equity(deploymentId: number): { date: string; equity: number }[] {
    return this.db.prepare('SELECT date, equity FROM deployment_equity WHERE deployment_id = ? ORDER BY date').all(deploymentId) as { date: string; equity: number }[];
  }

  startRun(deploymentId: number | null, tradingDay: string | null): number {
    return inWriteTransaction(this.db, () =>
      Number(this.db.prepare("INSERT INTO deploy_runs (deployment_id, started_at, trading_day, outcome) VALUES (?, ?, ?, 'running')").run(deploymentId, nowIso(), tradingDay).lastInsertRowid),
    );
  }

  finishRun(runId: number, outcome: string, detail: string | null): void {
    inWriteTransaction(this.db, () => {
      this.db.prepare('UPDATE deploy_runs SET finished_at = ?, outcome = ?, detail = ? WHERE id = ?').run(nowIso(), outcome, detail, runId);
    });
  }

  // --- controls -------------------------------------------------------------------------------

  control(name: Control['name']): Control {
    const r = this.db.prepare('SELECT * FROM controls WHERE name = ?').get(name) as Record<string, unknown> | undefined;
    if (!r) return { name, state: name === 'breaker' ? 'closed' : 'off', failures: 0, since: nowIso(), reason: null };
    return { name, state: r.state as string, failures: r.failures as number, since: r.since as string, reason: (r.reason as string | null) ?? null };
  }

  setControl(c: Control): void {
    inWriteTransaction(this.db, () => {
      this.db
        .prepare('INSERT INTO controls (name, state, failures, since, reason) VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET state = excluded.state, failures = excluded.failures, since = excluded.since, reason = excluded.reason')
        .run(c.name, c.state, c.failures, c.since, c.reason);
    });
  }

  // --- the lease ------------------------------------------------------------------------------

  /**
   * Take the deploy lease, or throw LeaseBusyError (exit 75) when another run holds it. A lease
   * past its expiry is taken over, and so is one whose holder process no longer exists, when the
   * holder ran on this host (a pid means nothing on another machine): a killed run does not block
   * the next cron run for the whole expiry. Returns the holder token.
   */
  acquireLease(name: string, seconds: number, now = new Date()): string {
    const token = randomUUID();
    const host = hostname();
    return inWriteTransaction(this.db, () => {
      const held = this.db.prepare('SELECT holder, pid, host, expires_at FROM lease WHERE name = ?').get(name) as { holder: string; pid: number; host: string | null; expires_at: string } | undefined;
      if (held && held.expires_at > now.toISOString()) {
        if (held.host !== host || processAlive(held.pid)) {
          throw new LeaseBusyError(`another deploy holds the lease (pid ${held.pid} on ${held.host ?? 'an unknown host'}, until ${held.expires_at}); not trading`);
        }
        log().warn({ pid: held.pid }, 'taking over the deploy lease of a run that is no longer running (killed?)');
      }
      const expires = new Date(now.getTime() + seconds * 1000).toISOString();
      this.db
        .prepare(
          `INSERT INTO lease (name, holder, pid, host, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, pid = excluded.pid, host = excluded.host, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at`,
        )
        .run(name, token, process.pid, host, now.toISOString(), expires);
      return token;
    });
  }

  /**
   * Extend a lease this run holds, or throw a RefusalError when it no longer holds it (it expired
   * and another run took it over): called before every order, so a run that outlived its lease
   * stops instead of trading alongside its successor.
   */
  renewLease(name: string, token: string, seconds: number, now = new Date()): void {
    inWriteTransaction(this.db, () => {
      const expires = new Date(now.getTime() + seconds * 1000).toISOString();
      const r = this.db.prepare('UPDATE lease SET expires_at = ? WHERE name = ? AND holder = ?').run(expires, name, token);
      if (r.changes !== 1) throw new RefusalError(`this run lost the ${name} lease (it expired and another run took it over); stopping before the next order`);
    });
  }

  releaseLease(name: string, token: string): void {
    inWriteTransaction(this.db, () => void this.db.prepare('DELETE FROM lease WHERE name = ? AND holder = ?').run(name, token));
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function toDeployment(r: Record<string, unknown>): Deployment {
  return {
    id: r.id as number,
    createdAt: r.created_at as string,
    mode: r.mode as 'paper' | 'live',
    broker: r.broker as 'sim' | 'alpaca',
    status: r.status as 'active' | 'retired',
    backtestId: (r.backtest_id as number | null) ?? null,
    parentId: (r.parent_id as number | null) ?? null,
    portfolio: JSON.parse(r.portfolio as string) as Portfolio,
    symbols: (r.symbols as string).split(',').filter(Boolean),
    configHash: r.config_hash as string,
    forced: Boolean(r.forced),
    reason: (r.reason as string | null) ?? null,
    gate: JSON.parse(r.gate as string),
    accountId: (r.account_id as string | null) ?? null,
    orderTag: (r.order_tag as string | null) ?? null,
  };
}

function toIntent(r: Record<string, unknown>): OrderIntent {
  return {
    id: r.id as number,
    deploymentId: r.deployment_id as number,
    tradingDay: r.trading_day as string,
    symbol: r.symbol as string,
    side: r.side as OrderSide,
    notional: (r.notional as number | null) ?? null,
    qty: (r.qty as number | null) ?? null,
    clientOrderId: r.client_order_id as string,
    status: r.status as IntentStatus,
    reason: (r.reason as string | null) ?? null,
  };
}
