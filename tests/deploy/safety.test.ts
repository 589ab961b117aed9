import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDb, type Db } from '../../src/store/db.js';
import { MarketStore } from '../../src/store/marketStore.js';
import { DeployStore } from '../../src/deploy/store.js';
import { Alerts } from '../../src/deploy/alerts.js';
import { runDeployCycle, type DeployDeps } from '../../src/deploy/cycle.js';
import { SimBroker } from '../../src/broker/simBroker.js';
import { clientOrderId, clientOrderIdPrefix } from '../../src/broker/clientOrderId.js';
import type { Broker, OrderRequest } from '../../src/broker/types.js';
import { RefusalError } from '../../src/domain/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { runAegis, tempDir } from '../helpers/cli.js';
import { addDeployment, deployDb } from '../helpers/deploy.js';

/**
 * The deploy cycle in-process on the sim broker, with a broker wrapper that does something between
 * two orders (what an operator or a second run could do while a slow run is submitting).
 */
describe('deploy safety between orders and across sessions', () => {
  const t = tempDir();
  let dbFile = '';
  let configFile = '';
  let db: Db;
  beforeAll(() => {
    ({ db: dbFile, config: configFile } = deployDb(t.dir));
    db = openDb(dbFile);
  });
  afterAll(() => {
    db.close();
    t.cleanup();
  });

  /** Deps whose broker runs `between` after each order it accepts. */
  const depsWith = (between: (ordersSoFar: number) => void): { deps: DeployDeps; posted: OrderRequest[] } => {
    const config = loadConfig(configFile);
    const market = new MarketStore(db);
    const posted: OrderRequest[] = [];
    const deps: DeployDeps = {
      market,
      store: new DeployStore(db),
      config,
      alerts: new Alerts(null, 100),
      makeBroker: async (d, session) => {
        const sim: Broker = new SimBroker(db, market, d.id, session!, config.execution, config.deploy.sim.initialCash);
        return Object.assign(Object.create(sim) as Broker, {
          submitOrder: async (o: OrderRequest) => {
            const order = await sim.submitOrder(o);
            posted.push(o);
            between(posted.length);
            return order;
          },
        });
      },
    };
    return { deps, posted };
  };
  const intents = (deployment: number) => new DeployStore(db).intents(deployment, '2026-06-10');
  const simOrders = (deployment: number) => (db.prepare('SELECT COUNT(*) n FROM sim_orders WHERE deployment_id = ?').get(deployment) as { n: number }).n;

  it('a halt between two orders stops the run before the next one; after resume the rest is sent once', async () => {
    const id = addDeployment(dbFile, configFile, { broker: 'sim' });
    const store = new DeployStore(db);
    const { deps, posted } = depsWith((n) => {
      if (n === 1) store.setControl({ name: 'kill_switch', state: 'on', failures: 0, since: new Date().toISOString(), reason: 'operator' });
    });
    await expect(runDeployCycle(deps, { mode: 'paper', brokerName: 'sim', deploymentId: id, dryRun: false })).rejects.toThrow(/kill switch on/);
    expect(posted).toHaveLength(1);
    expect(simOrders(id)).toBe(1);
    const all = intents(id);
    expect(all.length).toBeGreaterThan(1);
    expect(all.filter((i) => i.status === 'pending')).toHaveLength(all.length - 1);

    store.setControl({ name: 'kill_switch', state: 'off', failures: 0, since: new Date().toISOString(), reason: null });
    const again = depsWith(() => {});
    const r = await runDeployCycle(again.deps, { mode: 'paper', brokerName: 'sim', deploymentId: id, dryRun: false });
    expect(r.planned).toBe(false);
    expect(again.posted).toHaveLength(all.length - 1);
    expect(simOrders(id)).toBe(all.length);
    expect(intents(id).every((i) => i.status === 'submitted')).toBe(true);
  });

  it('a run whose lease was taken over stops before its next order', async () => {
    const id = addDeployment(dbFile, configFile, { broker: 'sim' });
    const { deps, posted } = depsWith((n) => {
      // Another run took the lease over (as after an expiry): this run no longer holds it.
      if (n === 1) db.prepare("UPDATE lease SET holder = 'successor' WHERE name = 'deploy'").run();
    });
    const err = await runDeployCycle(deps, { mode: 'paper', brokerName: 'sim', deploymentId: id, dryRun: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusalError);
    expect((err as Error).message).toMatch(/lost the deploy lease/);
    expect(posted).toHaveLength(1);
    expect(simOrders(id)).toBe(1);
    // The successor's lease is not released by the run that lost it.
    expect((db.prepare("SELECT holder FROM lease WHERE name = 'deploy'").get() as { holder: string }).holder).toBe('successor');
    db.prepare("DELETE FROM lease WHERE name = 'deploy'").run();
  });

  it('the broker holding none of an expected position is refused, not valued at zero', () => {
    const id = addDeployment(dbFile, configFile, { broker: 'sim' });
    const aegis = (args: string[]) => runAegis([...args, '--db', dbFile, '--config', configFile]);
    for (const day of ['2026-06-01', '2026-06-02']) expect(aegis(['deploy', '--paper', '--broker', 'sim', '--deployment', String(id), '--as-of', day]).code).toBe(0);
    const held = db.prepare('SELECT symbol FROM sim_positions WHERE deployment_id = ?').all(id) as { symbol: string }[];
    expect(held.length).toBeGreaterThan(0);
    // The whole account's positions vanish at the broker (liquidated by hand, another tool...).
    db.prepare('DELETE FROM sim_positions WHERE deployment_id = ?').run(id);
    const before = simOrders(id);
    const r = aegis(['deploy', '--paper', '--broker', 'sim', '--deployment', String(id), '--as-of', '2026-06-03']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/positions differ from what aegis recorded \(.*holds 0 where [\d.]+ is expected/);
    expect(simOrders(id)).toBe(before);
  });

  it('a notional sell after a gap down stops at flat instead of opening a short', async () => {
    const id = addDeployment(dbFile, configFile, { broker: 'sim' });
    const config = loadConfig(configFile);
    const market = new MarketStore(db);
    const at = (session: string) => new SimBroker(db, market, id, session, config.execution, 100_000);
    // Bought at the open of 2020-03-13; SPY opened about 10% lower on 2020-03-16.
    await at('2020-03-13').submitOrder({ clientOrderId: 'gap-buy', symbol: 'SPY', side: 'buy', notional: 1_000, type: 'market', timeInForce: 'day' });
    const before = await at('2020-03-16').positions();
    const spy = before.find((p) => p.symbol === 'SPY')!;
    expect(spy.qty).toBeGreaterThan(0);
    // Sell 95% of its value at the last close: at the lower open that is more shares than held.
    const sell = 0.95 * spy.marketValue;
    const open = market.bars('SPY', '2020-03-16', '2020-03-16')[0];
    expect(sell / (open.open * (open.adjClose / open.close))).toBeGreaterThan(spy.qty);
    await at('2020-03-16').submitOrder({ clientOrderId: 'gap-sell', symbol: 'SPY', side: 'sell', notional: sell, type: 'market', timeInForce: 'day' });
    const after = await at('2020-03-17').positions();
    expect(after.find((p) => p.symbol === 'SPY')).toBeUndefined(); // flat, not short
    expect((await at('2020-03-17').getOrderByClientId('gap-sell'))!.filledQty).toBeCloseTo(spy.qty, 9);
  });

  it('client order ids of two databases never collide, and each deployment has its own prefix', () => {
    const a = openDb(join(t.dir, 'a.sqlite'));
    const b = openDb(join(t.dir, 'b.sqlite'));
    try {
      const make = (conn: Db) => {
        const s = new DeployStore(conn);
        const id = s.createDeployment({ mode: 'paper', broker: 'alpaca', backtestId: null, parentId: null, portfolio: { sleeves: [] }, symbols: ['SPY'], configHash: 'x', forced: true, reason: 't', gate: { passed: false, reasons: [] }, accountId: null });
        return s.deployment(id)!;
      };
      const da = make(a);
      const db2 = make(b);
      expect(da.id).toBe(db2.id); // both databases' first deployment
      expect(da.orderTag).toMatch(/^[0-9a-f]{8}$/);
      expect(da.orderTag).not.toBe(db2.orderTag);
      const idOf = (d: typeof da) => clientOrderId({ deploymentId: `${d.id}-${d.orderTag}`, tradingDay: '2026-06-10', symbol: 'SPY', side: 'buy' });
      expect(idOf(da)).not.toBe(idOf(db2));
      expect(idOf(da).startsWith(clientOrderIdPrefix(`${da.id}-${da.orderTag}`))).toBe(true);
      expect(idOf(db2).startsWith(clientOrderIdPrefix(`${da.id}-${da.orderTag}`))).toBe(false);
    } finally {
      a.close();
      b.close();
    }
  });
});
