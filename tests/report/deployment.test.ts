import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { runAegis, tempDir } from '../helpers/cli.js';
import { addDeployment, deployDb } from '../helpers/deploy.js';
import { chartPixels, launchChromium, openReport, screenshot } from './browser.js';

const SESSIONS = ['2026-05-01', '2026-05-04', '2026-05-05', '2026-05-06', '2026-05-07', '2026-05-08'];

describe('the report of a paper deployment (real database, real Chromium)', () => {
  const t = tempDir();
  let browser: Browser;
  let db = '';
  let config = '';
  let id = 0;
  beforeAll(async () => {
    ({ db, config } = deployDb(t.dir));
    id = addDeployment(db, config, { broker: 'sim' });
    for (const day of SESSIONS) {
      const r = runAegis(['deploy', '--paper', '--broker', 'sim', '--deployment', String(id), '--as-of', day, '--db', db, '--config', config, '--quiet']);
      expect(r.code, r.stderr).toBe(0);
    }
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    t.cleanup();
  });

  it('draws positions, orders and realised against expected equity; show deployment agrees', async () => {
    const out = join(t.dir, 'deployment.html');
    const r = runAegis(['report', '--deployment', String(id), '--out', out, '--db', db, '--config', config, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).sections).toEqual(['deployment', 'data']);
    const opened = await openReport(browser, readFileSync(out, 'utf8'), 'deployment');
    try {
      expect(opened.pageErrors).toEqual([]);
      expect(opened.consoleErrors).toEqual([]);
      expect(opened.requests).toEqual([opened.url]);
      const charts = await chartPixels(opened.page);
      const equity = charts.find((c) => c.id === 'deploy-equity')!;
      expect(equity.points).toBe(SESSIONS.length);
      expect(equity.colored).toBeGreaterThan(50);
      const text = await opened.page.textContent('body');
      expect(text).toMatch(/FORCED/);
      expect(text).toMatch(/aegis-d\d+_[0-9a-f]{8}-20260501-\w+-buy-/);
      await screenshot(opened.page, 'deployment');
    } finally {
      await opened.close();
    }
    const show = runAegis(['show', 'deployment', String(id), '--db', db, '--config', config, '--json']);
    expect(show.code, show.stderr).toBe(0);
    const s = JSON.parse(show.stdout);
    expect(s.deployment.id).toBe(id);
    expect(s.track.days).toBe(SESSIONS.length);
  });
});
