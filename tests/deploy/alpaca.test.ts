import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runAegisAsync, spawnAegis, tempDir } from '../helpers/cli.js';
import { addDeployment, deployDb, SYMBOLS } from '../helpers/deploy.js';
import { createdThenDropped, hang, on, serverError, startFakeAlpaca, type FakeAlpaca } from '../helpers/fakeAlpaca.js';
import { startLoopback, type Loopback } from '../helpers/loopback.js';

const CANARY_KEY = 'PKCANARY7777777777';
const CANARY_SECRET = 'canary-secret-do-not-leak-1234567890';

describe('deploy on Alpaca (the real SDK against a loopback fake)', () => {
  let fake: FakeAlpaca;
  const t = tempDir();
  let db = '';
  let config = '';
  let deployment = 0;
  beforeAll(async () => {
    fake = await startFakeAlpaca({ keyId: CANARY_KEY, secret: CANARY_SECRET });
    ({ db, config } = deployDb(t.dir));
  });
  afterAll(async () => {
    await fake.close();
    t.cleanup();
  });
  beforeEach(() => {
    fake.resetTrading({ cash: 100_000 });
    for (const [s, p] of [['SPY', 500], ['QQQ', 400], ['TLT', 90], ['GLD', 200]] as const) fake.prices.set(s, p);
    fake.requests.length = 0;
    fake.faults.length = 0;
    deployment = addDeployment(db, config, { broker: 'alpaca' });
  });

  const env = { APCA_API_KEY_ID: CANARY_KEY, APCA_API_SECRET_KEY: CANARY_SECRET, APCA_API_BASE_URL: '' };
  const deploy = (extraEnv: Record<string, string> = {}, extra: string[] = []) =>
    runAegisAsync(['deploy', '--paper', '--broker', 'alpaca', '--deployment', String(deployment), '--db', db, '--config', config, '--json', ...extra], {
      env: { ...env, APCA_API_BASE_URL: fake.url, ...extraEnv },
    });
  const posts = () => fake.requests.filter((r) => r.method === 'POST' && r.url.startsWith('/v2/orders'));
  const dbIntents = () => {
    const c = new Database(db, { readonly: true });
    const rows = c.prepare('SELECT i.client_order_id AS cid, i.status, o.broker_order_id AS bid FROM order_intents i LEFT JOIN orders o ON o.intent_id = i.id WHERE i.deployment_id = ?').all(deployment) as { cid: string; status: string; bid: string | null }[];
    c.close();
    return rows;
  };
  /** Exactly one order at the broker per intent, and the database agrees with the broker. */
  const expectOneOrderPerIntent = () => {
    const intents = dbIntents().filter((i) => i.status !== 'denied');
    expect(intents.length).toBeGreaterThan(0);
    const byClient = fake.ordersByClientId();
    for (const i of intents) {
      expect(byClient.get(i.cid)?.length, i.cid).toBe(1);
      expect(i.status).toBe('submitted');
      expect(i.bid).toBe(byClient.get(i.cid)![0].id);
    }
    expect(fake.orders.length).toBe(intents.length);
  };

  it('trades the session the broker clock gives; a rerun sends nothing new', async () => {
    const a = await deploy();
    expect(a.code, a.stderr).toBe(0);
    const j = JSON.parse(a.stdout);
    expect(j.tradingDay).toBe('2026-06-10');
    expect(j.account.id).toBe('acc-fake-0001');
    expectOneOrderPerIntent();
    const sent = posts().length;
    const b = await deploy();
    expect(b.code, b.stderr).toBe(0);
    expect(posts().length).toBe(sent);
    expectOneOrderPerIntent();
  });

  // Where the kill lands, and how many orders the broker has by then.
  for (const [point, atBroker] of [['after-intents', 0], ['after-post:1', 1], ['between-orders:1', 1], ['after-post:2', 2]] as const) {
    it(`SIGKILL at ${point}, rerun: the broker holds exactly one order per intent`, async () => {
      const killed = await deploy({ AEGIS_TEST_CRASH: point });
      expect(killed.code).toBe(-1); // killed by the signal, no exit code
      expect(fake.orders).toHaveLength(atBroker);
      expect(dbIntents().length).toBeGreaterThan(atBroker); // every intent was written before the first order
      const rerun = await deploy();
      expect(rerun.code, rerun.stderr).toBe(0);
      expectOneOrderPerIntent();
      // Not one POST more than intents: the rerun looked up what was sent instead of re-posting it
      // (the fake would refuse a duplicate id, so only the count shows a blind resend).
      expect(posts()).toHaveLength(dbIntents().filter((i) => i.status !== 'denied').length);
    });
  }

  const sessionOf = (date: string) => ({ timestamp: `${date}T09:00:00-04:00`, is_open: false, next_open: `${date}T09:30:00-04:00`, next_close: `${date}T16:00:00-04:00` });

  it('an order of an earlier session still live at the broker: no new plan until it fills or expires', async () => {
    // 06-09: the orders are accepted but never fill (queued past the close, held...).
    fake.fillMode = 'manual';
    fake.clock = sessionOf('2026-06-09');
    const first = await deploy();
    expect(first.code, first.stderr).toBe(0);
    const sent = fake.orders.length;
    expect(sent).toBeGreaterThan(0);
    // 06-10: positions show nothing yet, but planning again would buy everything a second time.
    fake.clock = sessionOf('2026-06-10');
    const second = await deploy();
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(/still has \d+ live order\(s\) at the broker from another session/);
    expect(fake.orders).toHaveLength(sent);
    // The day orders expire unfilled: the 06-10 plan goes ahead, and the expiries are reported.
    for (const o of [...fake.orders]) fake.finish(o.id, 'expired');
    fake.fillMode = 'immediate';
    const third = await deploy(undefined, ['--verbose']);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stderr).toMatch(/ended expired with 0\.0000 filled/);
    const j = JSON.parse(third.stdout);
    expect(j.tradingDay).toBe('2026-06-10');
    expect(j.orders.length).toBeGreaterThan(0);
    expect(fake.orders).toHaveLength(sent + j.orders.filter((o: { status: string }) => o.status === 'submitted').length);
  });

  it('intents of an earlier session that never reached the broker lapse; they are never sent late', async () => {
    fake.clock = sessionOf('2026-06-09');
    const killed = await deploy({ AEGIS_TEST_CRASH: 'after-intents' });
    expect(killed.code).toBe(-1);
    expect(fake.orders).toHaveLength(0);
    const stranded = dbIntents().map((i) => i.cid);
    expect(stranded.length).toBeGreaterThan(0);
    fake.clock = sessionOf('2026-06-10');
    const r = await deploy();
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.reconciled.filter((x: { status: string }) => x.status === 'lapsed').map((x: { clientOrderId: string }) => x.clientOrderId).sort()).toEqual([...stranded].sort());
    const byClient = fake.ordersByClientId();
    for (const cid of stranded) expect(byClient.has(cid), cid).toBe(false);
    expect(dbIntents().filter((i) => stranded.includes(i.cid)).every((i) => i.status === 'rejected')).toBe(true);
    expect(fake.orders.every((o) => o.client_order_id.includes('-20260610-'))).toBe(true);
  });

  it('an order created and then the connection dropped is found, not sent twice', async () => {
    fake.faults.push(on('POST', '/v2/orders', createdThenDropped()));
    const r = await deploy();
    expect(r.code, r.stderr).toBe(0);
    expectOneOrderPerIntent();
  });

  it('a 500 on a POST: looked up by client order id, then sent once', async () => {
    fake.faults.push(on('POST', '/v2/orders', serverError(500)));
    const r = await deploy();
    expect(r.code, r.stderr).toBe(0);
    expectOneOrderPerIntent();
  });

  it('two deploys started together: one trades, one exits 75', async () => {
    // The first run's clock request hangs until its timeout: it holds the lease meanwhile.
    fake.faults.push(on('GET', '/v2/clock', hang()));
    const first = spawnAegis(['deploy', '--paper', '--broker', 'alpaca', '--deployment', String(deployment), '--db', db, '--config', config], { env: { ...env, APCA_API_BASE_URL: fake.url } });
    const firstDone = new Promise<number>((r) => first.on('exit', (c) => r(c ?? -1)));
    for (let i = 0; i < 200; i++) {
      await new Promise((r) => setTimeout(r, 25));
      const c = new Database(db, { readonly: true });
      const held = c.prepare("SELECT COUNT(*) n FROM lease WHERE name = 'deploy'").get() as { n: number };
      c.close();
      if (held.n) break;
    }
    const second = await deploy();
    expect(second.code).toBe(75);
    expect(await firstDone).toBe(0);
    expectOneOrderPerIntent();
  });

  it('stale data, the kill switch, an open breaker: no request that could create an order', async () => {
    // Kill switch: refused before any broker request at all.
    expect((await runAegisAsync(['halt', '--db', db])).code).toBe(0);
    const halted = await deploy();
    expect(halted.code).toBe(3);
    expect(fake.requests).toHaveLength(0);
    expect((await runAegisAsync(['resume', '--db', db])).code).toBe(0);

    // Stale data: the broker's session is two weeks after the last bar.
    fake.clock = { timestamp: '2026-06-24T10:00:00-04:00', is_open: false, next_open: '2026-06-24T09:30:00-04:00', next_close: '2026-06-24T16:00:00-04:00' };
    const stale = await deploy();
    expect(stale.code).toBe(3);
    expect(JSON.stringify(stale.stderr)).toMatch(/stale data/);
    expect(posts()).toHaveLength(0);
    fake.resetTrading({ cash: 100_000 });

    // Broker failures open the breaker (2 in the test config); then nothing is even asked.
    for (let i = 0; i < 8; i++) fake.faults.push(on('GET', '/v2/clock', serverError(500)));
    expect((await deploy()).code).toBe(1);
    const opened = await deploy();
    expect(opened.code).toBe(3);
    expect(opened.stderr).toMatch(/circuit breaker opened after 2 consecutive broker failure/);
    fake.requests.length = 0;
    fake.faults.length = 0;
    const refused = await deploy();
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/circuit breaker open since/);
    expect(fake.requests).toHaveLength(0);
    expect(posts()).toHaveLength(0);
    expect((await runAegisAsync(['resume', '--db', db])).code).toBe(0);
  });

  it('the keys never appear in logs, output or the database', async () => {
    fake.faults.push(on('POST', '/v2/orders', serverError(500)));
    const r = await deploy({}, ['--verbose']);
    const status = await runAegisAsync(['status', '--db', db, '--json', '--verbose']);
    const all = r.stdout + r.stderr + status.stdout + status.stderr + readFileSync(db).toString('latin1') + (existsSync(`${db}-wal`) ? readFileSync(`${db}-wal`).toString('latin1') : '');
    expect(all).not.toContain(CANARY_SECRET);
    expect(all).not.toContain(CANARY_KEY);
  });

  describe('alerts', () => {
    let hook: Loopback;
    const received: string[] = [];
    beforeAll(async () => {
      hook = await startLoopback((_req, res, body) => {
        received.push(body);
        res.writeHead(204);
        res.end();
      });
    });
    afterAll(() => hook.close());

    it('a webhook hears about the orders (Discord JSON); a dead webhook never stops trading', async () => {
      const withHook = join(t.dir, 'hook.json');
      const dead = join(t.dir, 'dead.json');
      const base = JSON.parse(readFileSync(config, 'utf8'));
      const { writeFileSync } = await import('node:fs');
      writeFileSync(withHook, JSON.stringify({ ...base, deploy: { ...base.deploy, alerts: { webhookUrl: `${hook.url}/hook`, timeoutMs: 2000 } } }));
      writeFileSync(dead, JSON.stringify({ ...base, deploy: { ...base.deploy, alerts: { webhookUrl: 'http://127.0.0.1:9/unreachable', timeoutMs: 500 } } }));
      const r = await runAegisAsync(['deploy', '--paper', '--broker', 'alpaca', '--deployment', String(deployment), '--db', db, '--config', withHook], { env: { ...env, APCA_API_BASE_URL: fake.url } });
      expect(r.code, r.stderr).toBe(0);
      expect(received.some((b) => /"content":"aegis order: deployment \d+ 2026-06-10: \d+ order\(s\) with the broker/.test(b))).toBe(true);
      const other = addDeployment(db, config, { broker: 'alpaca' });
      fake.resetTrading({ cash: 100_000 });
      for (const [s, p] of [['SPY', 500], ['QQQ', 400], ['TLT', 90], ['GLD', 200]] as const) fake.prices.set(s, p);
      const d = await runAegisAsync(['deploy', '--paper', '--broker', 'alpaca', '--deployment', String(other), '--db', db, '--config', dead], { env: { ...env, APCA_API_BASE_URL: fake.url } });
      expect(d.code, d.stderr).toBe(0);
      expect(d.stderr).toMatch(/alert webhook unreachable \(trading goes on\)/);
    });
  });

  void SYMBOLS;
});
