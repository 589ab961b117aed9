import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAegis, runAegisAsync, tempDir } from '../helpers/cli.js';
import { addDeployment, deployDb } from '../helpers/deploy.js';
import { startFakeAlpaca, type FakeAlpaca } from '../helpers/fakeAlpaca.js';

const SESSIONS = ['2026-05-01', '2026-05-04', '2026-05-05', '2026-05-06', '2026-05-07', '2026-05-08', '2026-05-11'];

describe('paper -> live (gate G1)', () => {
  const t = tempDir();
  let fake: FakeAlpaca;
  let db = '';
  let config = '';
  let paper = 0;
  beforeAll(async () => {
    fake = await startFakeAlpaca({ keyId: 'AKLIVEKEY00000001', secret: 'live-secret-00000000000001' });
    ({ db, config } = deployDb(t.dir, { deploy: { g1: { minDays: 5, trackingTolerance: 0.005 } } }));
    paper = addDeployment(db, config, { broker: 'sim' });
    for (const day of SESSIONS) {
      const r = runAegis(['deploy', '--paper', '--broker', 'sim', '--deployment', String(paper), '--as-of', day, '--db', db, '--config', config, '--quiet']);
      expect(r.code, r.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    await fake.close();
    t.cleanup();
  });
  const promote = (args: string[], env: Record<string, string> = {}) =>
    runAegisAsync(['promote', '--to', 'live', '--deployment', String(paper), '--db', db, '--config', config, ...args], {
      env: { APCA_API_KEY_ID: fake.keyId, APCA_API_SECRET_KEY: fake.secret, APCA_API_BASE_URL: fake.url, ...env },
    });

  it('needs --confirm, and the confirmed id must be the live account the keys open', async () => {
    const missing = await promote([]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--confirm ACCOUNT-ID is required/);
    const wrong = await promote(['--confirm', 'someone-else']);
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/is not the live account the keys open \(acc-fake-0001\)/);
  });

  it('refuses a paper key against the live endpoint', async () => {
    const r = await promote(['--confirm', 'acc-fake-0001'], { APCA_API_KEY_ID: 'PKPAPERKEY0000001' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/deploy mode is live but APCA_API_KEY_ID is a paper key/);
  });

  it('promotes a paper record that tracks its backtest, under the same config', async () => {
    const r = await promote(['--confirm', 'acc-fake-0001', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ mode: 'live', accountId: 'acc-fake-0001' });
    expect(j.gate.join(' ')).toMatch(/6 trading day\(s\) on paper \(5 required\).*the same config as on paper/);
  });

  it('refuses when the config changed since paper trading began', async () => {
    const { writeFileSync, readFileSync } = await import('node:fs');
    const changed = `${config}.changed.json`;
    const base = JSON.parse(readFileSync(config, 'utf8'));
    writeFileSync(changed, JSON.stringify({ ...base, execution: { slippageBps: 9 } }));
    const r = await runAegisAsync(['promote', '--to', 'live', '--deployment', String(paper), '--db', db, '--config', changed, '--confirm', 'acc-fake-0001'], {
      env: { APCA_API_KEY_ID: fake.keyId, APCA_API_SECRET_KEY: fake.secret, APCA_API_BASE_URL: fake.url },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/the config changed since paper trading began/);
  });
});
