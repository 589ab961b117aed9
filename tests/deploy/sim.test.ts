import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { hostname } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runAegis, tempDir } from '../helpers/cli.js';
import { addDeployment, deployDb, PORTFOLIO } from '../helpers/deploy.js';

const SESSIONS = ['2026-04-01', '2026-04-02', '2026-04-06', '2026-04-07', '2026-04-08', '2026-04-09', '2026-04-10', '2026-04-13', '2026-04-14', '2026-04-15', '2026-04-16', '2026-04-17'];

describe('deploy on the local sim broker (CLI)', () => {
  const t = tempDir();
  let db = '';
  let config = '';
  const aegis = (args: string[]) => runAegis([...args, '--db', db, '--config', config]);
  const count = (sql: string) => {
    const c = new Database(db, { readonly: true });
    const n = (c.prepare(sql).get() as { n: number }).n;
    c.close();
    return n;
  };
  beforeAll(() => {
    ({ db, config } = deployDb(t.dir, { deploy: { g1: { minDays: 5, trackingTolerance: 0.005 } } }));
  });
  afterAll(() => t.cleanup());

  it('runs a cycle; a second run the same trading day sends nothing new', () => {
    const id = addDeployment(db, config, { broker: 'sim' });
    const a = aegis(['deploy', '--paper', '--broker', 'sim', '--deployment', String(id), '--json']);
    expect(a.code, a.stderr).toBe(0);
    const ja = JSON.parse(a.stdout);
    expect(ja.tradingDay).toBe('2026-06-10'); // the session after the last bundled bar (2026-06-09)
    expect(ja.orders.length).toBeGreaterThan(0);
    expect(ja.orders.every((o: { status: string }) => o.status === 'submitted')).toBe(true);
    const orders = count('SELECT COUNT(*) n FROM orders');
    const b = aegis(['deploy', '--paper', '--broker', 'sim', '--deployment', String(id), '--json']);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout).planned).toBe(false);
    expect(count('SELECT COUNT(*) n FROM orders')).toBe(orders);
    expect(count('SELECT COUNT(*) n FROM sim_orders')).toBe(orders);
  });

  it('--dry-run prints the orders and writes nothing', () => {
    const id = addDeployment(db, config, { broker: 'sim' });
    const before = count('SELECT COUNT(*) n FROM order_intents');
    const r = aegis(['deploy', '--paper', '--broker', 'sim', '--deployment', String(id), '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.dryRun).toBe(true);
    expect(j.orders.length).toBeGreaterThan(0);
    expect(j.orders.every((o: { status: string }) => o.status === 'would send')).toBe(true);
    expect(count('SELECT COUNT(*) n FROM order_intents')).toBe(before);
    expect(count(`SELECT COUNT(*) n FROM sim_orders WHERE deployment_id = ${id}`)).toBe(0);
    expect(count(`SELECT COUNT(*) n FROM deploy_runs WHERE deployment_id = ${id}`)).toBe(0);
    expect(count(`SELECT COUNT(*) n FROM deployments WHERE id = ${id} AND account_id IS NOT NULL`)).toBe(0);
  });

  it('--dry-run after earlier orders filled shows what the real run then sends', () => {
    const id = addDeployment(db, config, { broker: 'sim' });
    const run = (day: string, extra: string[] = []) => aegis(['deploy', '--paper', '--broker', 'sim', '--deployment', String(id), '--as-of', day, '--json', ...extra]);
    expect(run('2026-05-06').code).toBe(0);
    // The 05-06 orders fill at that open: the dry run learns of the fills without recording them.
    const dry = run('2026-05-07', ['--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout).reconciled.length).toBeGreaterThan(0);
    expect(count(`SELECT COUNT(*) n FROM orders o JOIN order_intents i ON i.id = o.intent_id WHERE i.deployment_id = ${id} AND o.status = 'filled'`)).toBe(0);
    const real = run('2026-05-07');
    expect(real.code, real.stderr).toBe(0);
    const shape = (j: { orders: { symbol: string; side: string; notional: number | null; qty: number | null }[] }) => j.orders.map((o) => [o.symbol, o.side, o.notional, o.qty]);
    expect(shape(JSON.parse(real.stdout))).toEqual(shape(JSON.parse(dry.stdout)));
  });

  it('--as-of takes trading sessions only, and never steps back before a session already traded', () => {
    const id = addDeployment(db, config, { broker: 'sim' });
    const run = (day: string) => aegis(['deploy', '--paper', '--broker', 'sim', '--deployment', String(id), '--as-of', day]);
    const weekend = run('2026-05-09');
    expect(weekend.code).toBe(2);
    expect(weekend.stderr).toMatch(/--as-of 2026-05-09 is not an NYSE trading session/);
    expect(run('2026-05-08').code).toBe(0);
    expect(run('2026-05-08').code).toBe(0); // the same session again is a rerun
    const back = run('2026-05-01');
    expect(back.code).toBe(2);
    expect(back.stderr).toMatch(/before session 2026-05-08, which deployment \d+ already traded/);
  });

  it('replays paper trading through history with --as-of, and the record tracks the backtest', () => {
    const id = addDeployment(db, config, { broker: 'sim' });
    for (const day of SESSIONS) {
      const r = aegis(['deploy', '--paper', '--broker', 'sim', '--deployment', String(id), '--as-of', day, '--quiet']);
      expect(r.code, `${day}: ${r.stderr}`).toBe(0);
    }
    const s = JSON.parse(aegis(['status', '--deployment', String(id), '--json']).stdout).deployments[0];
    expect(s.track.days).toBe(SESSIONS.length);
    // One date for the table: positions and targets both at the last recorded close, not the latest bar.
    expect(s.asOf).toBe(s.track.to);
    expect(s.asOf < '2026-06-09').toBe(true);
    expect(s.positions.some((p: { qty: number }) => p.qty > 0)).toBe(true);
    // Paper trading on the sim broker is the backtest: same rules, bars, costs and fills.
    expect(s.track.trackingGap).toBeLessThan(0.001);
    expect(count(`SELECT COUNT(*) n FROM sim_orders WHERE deployment_id = ${id} AND status = 'filled'`)).toBeGreaterThan(0);
  });

  it('a rule whose state depends on how far back it is evaluated tracks its backtest too', () => {
    // Set on SPY's deep dips (the last one in June 2022), never reset: on with the whole history,
    // off when evaluation starts after mid-2022. Deploy and the track record must agree on it.
    const latch = 'latch(lt(close,mul(sma(close,200),0.85)),gt(close,mul(sma(close,200),2)))';
    const id = addDeployment(db, config, { broker: 'sim', portfolio: { sleeves: [{ expr: latch, strategyId: null, weights: { SPY: 0.3 } }, ...PORTFOLIO.sleeves] } });
    for (const day of SESSIONS.slice(0, 5)) expect(aegis(['deploy', '--paper', '--broker', 'sim', '--deployment', String(id), '--as-of', day, '--quiet']).code).toBe(0);
    const s = JSON.parse(aegis(['status', '--deployment', String(id), '--json']).stdout).deployments[0];
    expect(s.positions.find((p: { symbol: string }) => p.symbol === 'SPY').target).toBeGreaterThanOrEqual(0.3 - 1e-9); // the latch is on
    expect(s.track.trackingGap).toBeLessThan(0.001);
  });

  it('refuses stale data, and honours the kill switch (exit 3, nothing sent)', () => {
    const id = addDeployment(db, config, { broker: 'sim' });
    const stale = aegis(['deploy', '--paper', '--broker', 'sim', '--deployment', String(id), '--as-of', '2026-06-22']);
    expect(stale.code).toBe(3);
    expect(stale.stderr).toMatch(/stale data: the latest \w+ bar is 2026-06-09, trading needs 2026-06-18/);
    expect(aegis(['halt', '--reason', 'maintenance']).code).toBe(0);
    const halted = aegis(['deploy', '--paper', '--broker', 'sim', '--deployment', String(id)]);
    expect(halted.code).toBe(3);
    expect(halted.stderr).toMatch(/kill switch on .*maintenance/);
    expect(count(`SELECT COUNT(*) n FROM order_intents WHERE deployment_id = ${id}`)).toBe(0);
    expect(JSON.parse(aegis(['status', '--json']).stdout).killSwitch.on).toBe(true);
    expect(aegis(['resume']).code).toBe(0);
    expect(aegis(['deploy', '--paper', '--broker', 'sim', '--deployment', String(id)]).code).toBe(0);
  });

  it('a lease held by a live run stops a second deploy (75); an expired one, or a dead holder\'s, is taken over', () => {
    const id = addDeployment(db, config, { broker: 'sim' });
    const c = new Database(db);
    const future = new Date(Date.now() + 60_000).toISOString();
    // Held by a live process (this test runner) until a minute from now.
    c.prepare("INSERT OR REPLACE INTO lease (name, holder, pid, host, acquired_at, expires_at) VALUES ('deploy', 'other', ?, ?, ?, ?)").run(process.pid, hostname(), new Date().toISOString(), future);
    c.close();
    const busy = aegis(['deploy', '--paper', '--broker', 'sim', '--deployment', String(id)]);
    expect(busy.code).toBe(75);
    expect(busy.stderr).toMatch(/another deploy holds the lease/);
    const c2 = new Database(db);
    c2.prepare("UPDATE lease SET expires_at = ? WHERE name = 'deploy'").run(new Date(Date.now() - 1000).toISOString());
    c2.close();
    expect(aegis(['deploy', '--paper', '--broker', 'sim', '--deployment', String(id)]).code).toBe(0);
    // Unexpired, held by pid 2^22 - 1 on another machine: that pid means nothing here, so wait.
    const c3 = new Database(db);
    c3.prepare("INSERT OR REPLACE INTO lease (name, holder, pid, host, acquired_at, expires_at) VALUES ('deploy', 'remote', 4194303, 'another-host', ?, ?)").run(new Date().toISOString(), future);
    c3.close();
    expect(aegis(['deploy', '--paper', '--broker', 'sim', '--deployment', String(id)]).code).toBe(75);
    // Unexpired, but its holder on this host is gone: no process 2^22 - 1 here.
    const c4 = new Database(db);
    c4.prepare("UPDATE lease SET host = ? WHERE name = 'deploy'").run(hostname());
    c4.close();
    expect(aegis(['deploy', '--paper', '--broker', 'sim', '--deployment', String(id)]).code).toBe(0);
  });

  it('promotion gates: G0 refuses a failed backtest unless forced with a reason; live is never forced', () => {
    expect(aegis(['promote', '--to', 'paper', '--backtest', '999']).code).toBe(2);
    expect(aegis(['promote', '--to', 'live', '--deployment', '1', '--force', '--confirm', 'X']).code).toBe(2);
    const g1 = aegis(['promote', '--to', 'live', '--deployment', '1', '--confirm', 'X']);
    expect(g1.code).toBe(3);
    expect(g1.stderr).toMatch(/failed gate G1: \d+ trading day\(s\) on paper \(5 required\)/);
  });

  it('schedule prints crontab lines for ingest after the close and deploy before the open under flock', () => {
    const r = aegis(['schedule']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/CRON_TZ=America\/New_York/);
    expect(r.stdout).toMatch(/^15 18 \* \* 1-5 .*flock -n .*ingest SPY,QQQ,TLT,GLD|^15 18 \* \* 1-5 .*flock -n .*ingest GLD,QQQ,SPY,TLT/m);
    expect(r.stdout).toMatch(/^0 9 \* \* 1-5 .*flock -n .*deploy --paper --broker alpaca/m);
    // A line deploy would refuse is refused here.
    const simLive = aegis(['schedule', '--broker', 'sim', '--live']);
    expect(simLive.code).toBe(2);
    expect(simLive.stderr).toMatch(/--live trades on alpaca only/);
    // Before any database exists the schedule is still printed (with placeholder symbols).
    const fresh = runAegis(['schedule', '--db', join(t.dir, 'not-yet.sqlite')]);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).toMatch(/ingest SPY,QQQ --source/);
    expect(existsSync(join(t.dir, 'not-yet.sqlite'))).toBe(false);
  });
});
