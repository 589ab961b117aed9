import type { Config } from '../config/schema.js';
import { AegisError, InputError, RefusalError } from '../domain/errors.js';
import { exchangeDate, isTradingDay, nextTradingDay, previousTradingDay } from '../domain/calendar.js';
import { checkLimits } from '../broker/limits.js';
import { clientOrderId, clientOrderIdPrefix } from '../broker/clientOrderId.js';
import { isTerminal, OrderRejectedError, OrderStateUnknownError, type Broker, type BrokerOrder, type BrokerPosition } from '../broker/types.js';
import type { MarketStore } from '../store/marketStore.js';
import { log } from '../log/logger.js';
import type { Alerts } from './alerts.js';
import { planOrders, type PlannedOrder } from './plan.js';
import type { Deployment, DeployStore, NewIntent, OrderIntent } from './store.js';
import { targetWeights } from './targets.js';

export interface DeployDeps {
  market: MarketStore;
  store: DeployStore;
  config: Readonly<Config>;
  alerts: Alerts;
  /** The broker of a deployment; for the sim broker, standing before `session`'s open. */
  makeBroker: (deployment: Deployment, session: string | null) => Promise<Broker>;
  now?: () => Date;
}

export interface DeployRequest {
  mode: 'paper' | 'live';
  brokerName: 'sim' | 'alpaca';
  deploymentId?: number;
  /** The session to trade (sim broker only); default: the session after the latest stored bar. */
  asOf?: string;
  dryRun: boolean;
}

export interface DeployResult {
  deploymentId: number;
  tradingDay: string;
  decidedAt: string;
  dryRun: boolean;
  account: { id: string; equity: number; cash: number };
  targets: Record<string, number>;
  reconciled: { clientOrderId: string; status: string; filledQty: number }[];
  planned: boolean;
  orders: { symbol: string; side: string; notional: number | null; qty: number | null; clientOrderId: string; status: string; reason: string | null }[];
  breaker: string;
}

const LEASE = 'deploy';

/**
 * One deploy cycle. The order of the steps is the safety argument:
 * 1. take the lease (one run at a time; a second exits with 75);
 * 2. refuse on the kill switch, an open circuit breaker, or stale data, before any request that
 *    could create an order;
 * 3. reconcile with the broker (the source of truth): every earlier intent is looked up by its
 *    client order id and its state and fills recorded; positions must match what the database
 *    expects, else stop before any order;
 * 4. compute the targets for the session from the deployment's rules and allocation, and the orders
 *    that move today's positions to them (once per trading day: the day's plan is then frozen) —
 *    but never while an order of this deployment from another day is still live at the broker
 *    (positions do not show it yet: planning again would double the exposure);
 * 5. check every order against the limits (a denied order is recorded, never sent);
 * 6. write every intent, with its deterministic client order id, in one transaction, THEN submit;
 *    a submission is never repeated blindly (the broker adapter looks the order up first); before
 *    each order the lease is renewed (a run that lost it stops) and the kill switch read again;
 * 7. record what the broker answered; consecutive broker failures open the circuit breaker.
 *
 * A dry run reads the broker and the database and writes nothing of its own (no run record, no
 * intent, no breaker change); the sim broker's exchange still settles earlier orders at the
 * session's open, as it would for any reader.
 */
export async function runDeployCycle(deps: DeployDeps, req: DeployRequest): Promise<DeployResult> {
  const { store, config } = deps;
  const now = deps.now ?? (() => new Date());
  const token = store.acquireLease(LEASE, config.deploy.leaseSeconds, now());
  let runLog: number | null = null;
  try {
    const deployment = pickDeployment(store, req);
    if (deployment.broker !== req.brokerName) {
      throw new InputError(`deployment ${deployment.id} trades on the ${deployment.broker} broker; run with --broker ${deployment.broker}`);
    }
    if (req.asOf && req.brokerName !== 'sim') throw new InputError('--as-of replays history on the sim broker only');
    if (!req.dryRun) runLog = store.startRun(deployment.id, null);
    refuseIfHalted(deps, deployment);
    const breaker = new Breaker(store, config, deps.alerts, now, !req.dryRun);
    await breaker.admit();

    // The session to trade: the sim broker's clock, or the broker's.
    let broker: Broker | null = null;
    let tradingDay: string;
    if (req.brokerName === 'sim') {
      tradingDay = req.asOf ?? nextTradingDay(latestStored(deps.market, deployment));
      if (req.asOf) checkReplayDay(store, deployment, req.asOf);
    } else {
      broker = await deps.makeBroker(deployment, null);
      const clock = await breaker.call(() => broker!.clock());
      tradingDay = exchangeDate(new Date(clock.isOpen ? clock.timestamp : clock.nextOpen));
    }
    const lastClose = previousTradingDay(tradingDay);
    await refuseIfStale(deps, deployment, lastClose);
    broker ??= await deps.makeBroker(deployment, tradingDay);

    // Reconcile: the broker is the source of truth.
    const { reconciled, unrecordedFills } = await reconcile(deps, breaker, broker, deployment, tradingDay, req.dryRun);
    const account = await breaker.call(() => broker!.account());
    if (account.tradingBlocked) throw new RefusalError(`the broker says account ${account.id} may not trade now (${account.status}); nothing sent`);
    if (!deployment.accountId) {
      if (!req.dryRun) store.setAccount(deployment.id, account.id);
    }
    else if (deployment.accountId !== account.id) {
      throw new RefusalError(`deployment ${deployment.id} trades account ${deployment.accountId} but the broker answers for ${account.id}; nothing sent`);
    }
    const positions = await breaker.call(() => broker!.positions());
    checkPositions(store, deployment, positions, account.equity, config.deploy.reconcileTolerance, unrecordedFills, (s) => deps.market.barOnOrBefore(s, lastClose)?.adjClose ?? null);
    if (!req.dryRun) store.recordEquity(deployment.id, lastClose, account.equity);

    // Plan once per trading day; a rerun the same day submits what is pending and nothing new.
    const targets = targetWeights(deps.market, deployment.portfolio, config, lastClose);
    let intents = store.intents(deployment.id, tradingDay);
    const planned = intents.length === 0;
    if (planned) {
      await refuseIfOrdersLive(breaker, broker, deployment, intents);
      const orders = planOrders({ targets: targets.weights, positions, equity: account.equity, band: config.execution.rebalanceBand, minNotional: config.execution.minOrderNotional });
      const limits = checkLimits({
        orders,
        equity: account.equity,
        positions: positions.map((p) => ({ symbol: p.symbol, marketValue: p.marketValue })),
        // The plan is made once per trading day, so nothing was traded for this day before it.
        limits: { ...config.deploy.limits, alreadyTradedToday: 0 },
      });
      const toIntent = (o: PlannedOrder, status: 'pending' | 'denied', reason: string | null): NewIntent => ({
        symbol: o.symbol,
        side: o.side,
        notional: o.qty === null ? roundCents(o.notional) : null,
        qty: o.qty,
        clientOrderId: clientOrderId({ deploymentId: orderIdentity(deployment), tradingDay, symbol: o.symbol, side: o.side }),
        status,
        reason,
      });
      const fresh = [...limits.allowed.map((o) => toIntent(o, 'pending', null)), ...limits.denied.map((d) => toIntent(d.order, 'denied', `${d.limit}: ${d.reason}`))];
      if (req.dryRun) {
        return result(deployment, tradingDay, lastClose, true, account, targets.weights, reconciled, true, fresh, breaker.state());
      }
      store.writeIntents(deployment.id, tradingDay, fresh);
      crashPoint('after-intents');
      for (const d of limits.denied) await deps.alerts.send('refusal', `deployment ${deployment.id} ${tradingDay}: ${d.order.side} ${d.order.symbol} ${d.order.notional.toFixed(2)} denied by ${d.limit}: ${d.reason}`);
      intents = store.intents(deployment.id, tradingDay);
    } else if (req.dryRun) {
      return result(deployment, tradingDay, lastClose, true, account, targets.weights, reconciled, false, intents, breaker.state());
    }

    // Submit what is pending, sells first (they bring the cash in).
    const pending = intents.filter((i) => i.status === 'pending' || i.status === 'unknown').sort((a, b) => (a.side === b.side ? 0 : a.side === 'sell' ? -1 : 1));
    for (const intent of pending) {
      // Between two orders the lease could have lapsed or an operator halted trading: look again.
      store.renewLease(LEASE, token, config.deploy.leaseSeconds, now());
      refuseIfHalted(deps, deployment);
      await submit(deps, breaker, broker, intent);
    }
    const final = store.intents(deployment.id, tradingDay);
    const sent = final.filter((i) => i.status === 'submitted').length;
    if (sent) await deps.alerts.send('order', `deployment ${deployment.id} ${tradingDay}: ${sent} order(s) with the broker (${deployment.broker}, ${deployment.mode})`);
    if (runLog !== null) store.finishRun(runLog, 'ok', `${tradingDay}: ${final.length} intent(s), ${sent} with the broker`);
    return result(deployment, tradingDay, lastClose, false, account, targets.weights, reconciled, planned, final, breaker.state());
  } catch (err) {
    if (runLog !== null) store.finishRun(runLog, err instanceof RefusalError ? 'refused' : 'failed', (err as Error).message.split('\n')[0]);
    if (err instanceof RefusalError && !req.dryRun) await deps.alerts.send('refusal', err.message);
    throw err;
  } finally {
    store.releaseLease(LEASE, token);
  }
}

function pickDeployment(store: DeployStore, req: DeployRequest): Deployment {
  if (req.deploymentId !== undefined) {
    const d = store.deployment(req.deploymentId);
    if (!d) throw new InputError(`no deployment ${req.deploymentId}; see: aegis status`);
    if (d.mode !== req.mode) throw new InputError(`deployment ${d.id} is a ${d.mode} deployment; run with --${d.mode}`);
    if (d.status !== 'active') throw new InputError(`deployment ${d.id} is ${d.status}`);
    return d;
  }
  const d = store.active(req.mode);
  if (!d) {
    throw new InputError(
      req.mode === 'paper'
        ? 'no paper deployment: promote a backtest first (aegis promote --backtest ID --to paper)'
        : 'no live deployment: promote a paper deployment first (aegis promote --deployment ID --to live --confirm ACCOUNT)',
    );
  }
  return d;
}

function refuseIfHalted(deps: DeployDeps, d: Deployment): void {
  const kill = deps.store.control('kill_switch');
  if (kill.state === 'on') throw new RefusalError(`kill switch on since ${kill.since}${kill.reason ? ` (${kill.reason})` : ''}: deployment ${d.id} not trading (aegis resume to lift it)`);
}

/** What a deployment's client order ids are made from: its id and, when it has one, its random tag. */
function orderIdentity(d: Deployment): string {
  return d.orderTag ? `${d.id}-${d.orderTag}` : String(d.id);
}

/**
 * Refuse to plan while the broker holds a live order of this deployment that is not one of the
 * day's intents: an order from an earlier session still open (sent after the close and queued for
 * the next open, held, pending), or one the database does not know (restored from an old backup).
 * Its shares are not in the positions yet, so a new plan would buy them a second time.
 */
async function refuseIfOrdersLive(breaker: Breaker, broker: Broker, d: Deployment, today: readonly OrderIntent[]): Promise<void> {
  const prefix = clientOrderIdPrefix(orderIdentity(d));
  const mine = new Set(today.map((i) => i.clientOrderId));
  const live = (await breaker.call(() => broker.listOrders({ status: 'open' }))).filter((o) => o.clientOrderId.startsWith(prefix) && !mine.has(o.clientOrderId) && !isTerminal(o.status));
  if (live.length) {
    const list = live.map((o) => `${o.side} ${o.symbol} ${o.clientOrderId} (${o.rawStatus})`).join('; ');
    throw new RefusalError(`deployment ${d.id} still has ${live.length} live order(s) at the broker from another session: ${list}; not planning until they fill or expire; nothing sent`);
  }
}

/** --as-of must be an exchange session, and paper time only moves forward. */
function checkReplayDay(store: DeployStore, d: Deployment, day: string): void {
  if (!isTradingDay(day)) throw new InputError(`--as-of ${day} is not an NYSE trading session`);
  const { lastPlanned, lastClose } = store.progress(d.id);
  const sessions = [lastPlanned, lastClose && nextTradingDay(lastClose)].filter((x): x is string => Boolean(x));
  const last = sessions.sort().at(-1);
  if (last && day < last) throw new InputError(`--as-of ${day} is before session ${last}, which deployment ${d.id} already traded: paper time only moves forward`);
}

/** The latest bar of the deployment's symbols. */
function latestStored(market: MarketStore, d: Deployment): string {
  let latest = '';
  for (const s of d.symbols) {
    const last = market.summary(s)?.last;
    if (last && last > latest) latest = last;
  }
  if (!latest) throw new InputError(`no bars stored for ${d.symbols.join(', ')}; run aegis ingest first`);
  return latest;
}

/** Refuse when any of the deployment's symbols has no bar for the last close before the session. */
async function refuseIfStale(deps: DeployDeps, d: Deployment, lastClose: string): Promise<void> {
  for (const s of d.symbols) {
    const bar = deps.market.barOnOrBefore(s, lastClose);
    if (!bar || bar.date < lastClose) {
      const have = bar ? `the latest ${s} bar is ${bar.date}` : `no ${s} bar is stored on or before ${lastClose}`;
      throw new RefusalError(`stale data: ${have}, trading needs ${lastClose} (run aegis ingest first); nothing sent`);
    }
  }
}

/**
 * Look up every intent not final in our records by its client order id, and record what the broker
 * says. A dry run records nothing and alerts nothing: the fills it learns of are returned instead
 * (signed shares per symbol), so the position check can count them.
 */
async function reconcile(deps: DeployDeps, breaker: Breaker, broker: Broker, d: Deployment, tradingDay: string, dryRun: boolean) {
  const out: DeployResult['reconciled'] = [];
  const unrecordedFills = new Map<string, number>();
  const alert: Alerts['send'] = dryRun ? async () => {} : (kind, text) => deps.alerts.send(kind, text);
  for (const intent of deps.store.openIntents(d.id)) {
    const o = await breaker.call(() => broker.getOrderByClientId(intent.clientOrderId));
    if (o) {
      const before = deps.store.orders(d.id).find((x) => x.clientOrderId === o.clientOrderId);
      const newlyFilled = o.filledQty - (before?.filledQty ?? 0);
      if (!dryRun) deps.store.recordOrder(intent.id, broker.name, o);
      else if (newlyFilled !== 0) unrecordedFills.set(o.symbol, (unrecordedFills.get(o.symbol) ?? 0) + (o.side === 'buy' ? newlyFilled : -newlyFilled));
      out.push({ clientOrderId: o.clientOrderId, status: o.status, filledQty: o.filledQty });
      if (newlyFilled > 0) {
        await alert('fill', `${o.side} ${o.symbol}: ${o.filledQty.toFixed(4)} at ${o.filledAvgPrice?.toFixed(2)} (${o.status}, ${o.clientOrderId})`);
      }
      if (isTerminal(o.status) && o.status !== 'filled') {
        // The broker ended it short of a full fill (expired, canceled, rejected after acceptance).
        await alert('refusal', `${o.side} ${o.symbol} ended ${o.rawStatus} with ${o.filledQty.toFixed(4)} filled (${o.clientOrderId}); the next session's plan trades the difference`);
      }
    } else if (intent.tradingDay < tradingDay && (intent.status === 'pending' || intent.status === 'unknown')) {
      // Never reached the broker, and its session is over: it must not be sent late.
      if (!dryRun) deps.store.setIntentStatus(intent.id, 'rejected', `never reached the broker; its session ${intent.tradingDay} is over`);
      out.push({ clientOrderId: intent.clientOrderId, status: 'lapsed', filledQty: 0 });
    }
  }
  return { reconciled: out, unrecordedFills };
}

/**
 * Positions must be what our recorded fills imply, within the tolerance (a fraction of equity).
 * A gap is valued at the broker's price, or the last stored close when the broker holds none of
 * the symbol; a gap that cannot be valued at all is refused.
 */
function checkPositions(
  store: DeployStore,
  d: Deployment,
  positions: readonly BrokerPosition[],
  equity: number,
  tolerance: number,
  unrecordedFills: ReadonlyMap<string, number>,
  storedClose: (symbol: string) => number | null,
): void {
  const expected = store.expectedPositions(d.id);
  for (const [symbol, qty] of unrecordedFills) expected.set(symbol, (expected.get(symbol) ?? 0) + qty);
  const held = new Map(positions.map((p) => [p.symbol, p]));
  let gap = 0;
  const lines: string[] = [];
  for (const symbol of new Set([...expected.keys(), ...held.keys()])) {
    const want = expected.get(symbol) ?? 0;
    const p = held.get(symbol);
    const have = p?.qty ?? 0;
    if (Math.abs(have - want) <= 1e-6) continue;
    lines.push(`${symbol} holds ${have} where ${want} is expected`);
    const price = p && p.qty !== 0 ? Math.abs(p.marketValue / p.qty) : storedClose(symbol);
    if (price === null || !(price > 0)) {
      throw new RefusalError(`positions differ from what aegis recorded (${symbol} holds ${have} where ${want} is expected) and ${symbol} has no price to value the gap; nothing sent`);
    }
    gap += Math.abs(have - want) * price;
  }
  if (!(equity > 0) && lines.length) {
    throw new RefusalError(`positions differ from what aegis recorded (${lines.join('; ')}) and the account has no equity to judge the gap by; nothing sent`);
  }
  if (equity > 0 && gap / equity > tolerance) {
    throw new RefusalError(`positions differ from what aegis recorded (${lines.join('; ')}): ${((gap / equity) * 100).toFixed(2)}% of equity, above ${(tolerance * 100).toFixed(2)}%; nothing sent`);
  }
  if (lines.length) log().warn({ deployment: d.id }, `positions differ within tolerance: ${lines.join('; ')}`);
}

async function submit(deps: DeployDeps, breaker: Breaker, broker: Broker, intent: OrderIntent): Promise<void> {
  let order: BrokerOrder;
  try {
    order = await breaker.call(
      () =>
        broker.submitOrder({
          clientOrderId: intent.clientOrderId,
          symbol: intent.symbol,
          side: intent.side,
          ...(intent.qty !== null ? { qty: intent.qty } : { notional: intent.notional! }),
          type: 'market',
          timeInForce: 'day',
        }),
      (err) => !(err instanceof OrderRejectedError),
    );
  } catch (err) {
    if (err instanceof OrderRejectedError) {
      deps.store.setIntentStatus(intent.id, 'rejected', err.message.split('\n')[0]);
      await deps.alerts.send('refusal', `broker rejected ${intent.side} ${intent.symbol} (${intent.clientOrderId}): ${err.message.split('\n')[0]}`);
      return;
    }
    // Ambiguous: the next run looks it up by client order id before doing anything with it.
    deps.store.setIntentStatus(intent.id, 'unknown', (err as Error).message.split('\n')[0]);
    if (err instanceof BreakerOpenError) throw err;
    if (err instanceof OrderStateUnknownError) return;
    throw err;
  }
  crashPoint('after-post');
  deps.store.recordOrder(intent.id, broker.name, order);
  crashPoint('between-orders');
}

function result(
  d: Deployment,
  tradingDay: string,
  lastClose: string,
  dryRun: boolean,
  account: { id: string; equity: number; cash: number },
  targets: Map<string, number>,
  reconciled: DeployResult['reconciled'],
  planned: boolean,
  intents: readonly (NewIntent | OrderIntent)[],
  breaker: string,
): DeployResult {
  return {
    deploymentId: d.id,
    tradingDay,
    decidedAt: lastClose,
    dryRun,
    account: { id: account.id, equity: account.equity, cash: account.cash },
    targets: Object.fromEntries(targets),
    reconciled,
    planned,
    orders: intents.map((i) => ({ symbol: i.symbol, side: i.side, notional: i.notional, qty: i.qty, clientOrderId: i.clientOrderId, status: dryRun && i.status === 'pending' ? 'would send' : i.status, reason: i.reason })),
    breaker,
  };
}

function roundCents(x: number): number {
  return Math.floor(x * 100) / 100;
}

export class BreakerOpenError extends RefusalError {}

/**
 * The persisted circuit breaker: K consecutive broker failures open it (a new cron run sees it);
 * after the cool-down it half-opens and lets one run try; a success closes it, a failure opens it
 * again.
 */
class Breaker {
  constructor(
    private readonly store: DeployStore,
    private readonly config: Readonly<Config>,
    private readonly alerts: Alerts,
    private readonly now: () => Date,
    /** False on a dry run: the breaker still guards, but its state is not written. */
    private readonly persist: boolean,
  ) {}

  state(): string {
    return this.store.control('breaker').state;
  }

  async admit(): Promise<void> {
    const b = this.store.control('breaker');
    if (b.state !== 'open') return;
    const reopen = new Date(Date.parse(b.since) + this.config.deploy.breaker.cooldownMinutes * 60_000);
    if (this.now() < reopen) {
      throw new BreakerOpenError(`circuit breaker open since ${b.since} after ${b.failures} consecutive broker failure(s) (${b.reason ?? ''}); it half-opens at ${reopen.toISOString()}; nothing sent`);
    }
    if (this.persist) this.store.setControl({ ...b, state: 'half-open', since: this.now().toISOString() });
    await this.alerts.send('breaker', 'circuit breaker half-open: this run tries the broker again');
  }

  /** A broker call: successes close the breaker, failures (those `counts` accepts) count toward opening it. */
  async call<T>(fn: () => Promise<T>, counts: (err: unknown) => boolean = () => true): Promise<T> {
    try {
      const value = await fn();
      const b = this.store.control('breaker');
      if (this.persist && (b.state !== 'closed' || b.failures !== 0)) {
        this.store.setControl({ name: 'breaker', state: 'closed', failures: 0, since: this.now().toISOString(), reason: null });
        if (b.state !== 'closed') await this.alerts.send('breaker', 'circuit breaker closed: the broker answers again');
      }
      return value;
    } catch (err) {
      if (!counts(err) || (err instanceof AegisError && err.exitCode === 2) || !this.persist) throw err;
      const b = this.store.control('breaker');
      const failures = b.failures + 1;
      const open = b.state === 'half-open' || failures >= this.config.deploy.breaker.failures;
      const reason = (err as Error).message.split('\n')[0];
      this.store.setControl({ name: 'breaker', state: open ? 'open' : 'closed', failures, since: open ? this.now().toISOString() : b.since, reason });
      if (open) {
        await this.alerts.send('breaker', `circuit breaker OPEN after ${failures} consecutive broker failure(s): ${reason}`);
        throw new BreakerOpenError(`circuit breaker opened after ${failures} consecutive broker failure(s): ${reason}; stopping`, { cause: err });
      }
      throw err;
    }
  }
}

/**
 * Fault injection for the crash-safety tests: AEGIS_TEST_CRASH=point[:n] kills this process with
 * SIGKILL the n-th time (default the first) execution passes `point`. Off unless the variable is set.
 */
const crashCounts = new Map<string, number>();
function crashPoint(point: string): void {
  const spec = process.env.AEGIS_TEST_CRASH;
  if (!spec) return;
  const [name, nth] = spec.split(':');
  if (name !== point) return;
  const n = (crashCounts.get(point) ?? 0) + 1;
  crashCounts.set(point, n);
  if (n === Number(nth ?? 1)) process.kill(process.pid, 'SIGKILL');
}
