/**
 * The report in a real browser: every chart drawn and not blank, no console or page errors, no
 * request but the file itself, the expected sections and nothing else, escaping that holds.
 * Screenshots land in test-artifacts/report-*.png for a human look.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { renderReport } from '../../src/report/render.js';
import type { ReportData } from '../../src/report/model.js';
import { chartPixels, embeddedData, scrollToTop, headings, injectionProbe, launchChromium, openReport, screenshot, type OpenedReport } from './browser.js';
import { dataOnlyReport, fullReport, sparseReport } from './fixtures.js';

let browser: Browser;
let launchError: unknown = null;

beforeAll(async () => {
  // Caught here and rethrown by the first test, so a missing Chromium shows as a FAILED test
  // with the install command, not as a suite of skipped ones.
  try {
    browser = await launchChromium();
  } catch (err) {
    launchError = err;
  }
});

afterAll(async () => {
  await browser?.close();
});

/** The browser, or the launch error (with the install command) for every test that needs it. */
function requireBrowser(): Browser {
  if (launchError) throw launchError;
  return browser;
}

it('runs in a real Chromium (never skipped: install Debian chromium if this fails)', () => {
  if (launchError) throw launchError;
  expect(browser.isConnected()).toBe(true);
});

/** Asserts the page loaded cleanly: no errors of any kind, no request beyond the file. */
function expectClean(opened: OpenedReport): void {
  expect(opened.pageErrors, 'page errors').toEqual([]);
  expect(opened.consoleErrors, 'console errors and warnings').toEqual([]);
  expect(opened.requests, 'network requests').toEqual([opened.url]);
}

describe('full report (every section present)', () => {
  let opened: OpenedReport;
  const data = fullReport();

  beforeAll(async () => {
    opened = await openReport(requireBrowser(), renderReport(data), 'full');
  });
  afterAll(async () => {
    await opened?.close();
  });

  it('loads without errors and without any network request', () => {
    expectClean(opened);
  });

  it('shows every section, in pipeline order, with a table of contents', async () => {
    const h = await headings(opened.page);
    const expected = ['At a glance', 'Evolution', 'EM loop', 'Strategies', 'Backtest', 'Deployment', 'Data'];
    expect(h.h1).toBe('Aegis research report');
    expect(h.h2).toEqual(expected);
    expect(h.toc).toEqual(expected);
  });

  it('draws every chart, and none is blank', async () => {
    const containers = await opened.page.$$eval('[data-chart]', (els) => els.map((e) => e.id));
    const pixels = await chartPixels(opened.page);
    const expectedIds = ['evo-fitness-0', 'evo-invalid-0', 'evo-trials-0', 'em-objective', 'em-weights', 'bt-equity', 'bt-drawdown', 'bt-folds', 'deploy-equity'];
    expect(containers.sort()).toEqual([...expectedIds].sort());
    expect(pixels.map((p) => p.id).sort()).toEqual([...expectedIds].sort());
    for (const p of pixels) {
      expect(p.points, `${p.id} has data`).toBeGreaterThan(1);
      // A drawn series covers far more than this; axes and grid alone cover 0.
      expect(p.colored, `${p.id} coloured pixels in the plot area`).toBeGreaterThan(Math.max(200, p.area * 0.002));
    }
  });

  it('switches the equity chart to a log scale and back', async () => {
    const toggle = opened.page.locator('input[data-log-for="bt-equity"]');
    await toggle.check();
    await expect.poll(() => opened.page.getAttribute('#bt-equity', 'data-drawn')).toBe('log');
    let equity = (await chartPixels(opened.page)).find((p) => p.id === 'bt-equity')!;
    expect(equity.distr).toBe(3);
    expect(equity.colored).toBeGreaterThan(200);
    await toggle.uncheck();
    await expect.poll(() => opened.page.getAttribute('#bt-equity', 'data-drawn')).toBe('linear');
    equity = (await chartPixels(opened.page)).find((p) => p.id === 'bt-equity')!;
    expect(equity.distr).toBe(1);
    expectClean(opened);
  });

  it('shows the verdict, the heat map, the folds, the trades and the forced deployment', async () => {
    const page = opened.page;
    expect(await page.getAttribute('[data-testid="gate-verdict"]', 'data-passed')).toBe('false');
    expect(await page.textContent('[data-testid="gate-verdict"]')).toContain('DSR 0.912 is below the 0.95 required');
    // 2016..2025: ten calendar years, one row each.
    expect(await page.locator('[data-testid="monthly-heatmap"] tbody tr').count()).toBe(10);
    expect(await page.locator('[data-testid="folds"] tbody tr').count()).toBe(5);
    expect(await page.locator('[data-testid="stress"] tbody tr').count()).toBe(3);
    expect(await page.locator('[data-testid="trades"] tbody tr').count()).toBe(500);
    expect(await page.textContent('[data-testid="trade-count"]')).toContain('620 trades');
    expect(await page.locator('[data-testid="rule"]').count()).toBe(5);
    expect(await page.locator('[data-testid="orders"] tbody tr').count()).toBe(48);
    expect(await page.locator('[data-testid="positions"] tbody tr').count()).toBe(4);
    expect(await page.isVisible('[data-testid="forced-badge"]')).toBe(true);
    // The rule text keeps its line breaks and indentation.
    const pre = await page.locator('[data-testid="rule"] pre').first().textContent();
    expect(pre).toBe(data.strategies![0].pretty);
  });

  it('embeds the report data as JSON that parses back to the input', async () => {
    expect(await embeddedData(opened.page)).toEqual(JSON.parse(JSON.stringify(data)));
  });

  it('saves a full-page screenshot, and one per section for a closer look', async () => {
    const path = await screenshot(opened.page, 'full');
    expect(path).toBe('test-artifacts/report-full.png');
    // The sticky table of contents would otherwise sit on top of every section shot.
    await opened.page.addStyleTag({ content: 'nav.toc { position: static !important; }' });
    await opened.page.mouse.move(0, 0);
    for (const id of await opened.page.$$eval('section.report', (els) => els.map((e) => e.id))) {
      await opened.page.locator(`section#${id}`).screenshot({ path: `test-artifacts/report-full-${id}.png` });
    }
    await scrollToTop(opened.page);
    await opened.page.screenshot({ path: 'test-artifacts/report-full-top.png' });
  });

  it('prints: a PDF with the print stylesheet, still without errors or requests', async () => {
    const pdf = await opened.page.pdf({ path: 'test-artifacts/report-full.pdf', format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(50_000);
    await opened.page.emulateMedia({ media: 'print' });
    await opened.page.setViewportSize({ width: 794, height: 1123 });
    await screenshot(opened.page, 'full-print');
    await opened.page.emulateMedia({ media: 'screen' });
    expectClean(opened);
  });
});

describe('data-only report (a database with only ingested data)', () => {
  let opened: OpenedReport;

  beforeAll(async () => {
    opened = await openReport(requireBrowser(), renderReport(dataOnlyReport()), 'data-only');
  });
  afterAll(async () => {
    await opened?.close();
  });

  it('renders only the Data section, cleanly', async () => {
    expectClean(opened);
    const h = await headings(opened.page);
    expect(h.h1).toBe('Aegis research report');
    expect(h.h2).toEqual(['Data']);
    expect(h.toc).toEqual(['Data']);
    expect(await opened.page.locator('[data-chart]').count()).toBe(0);
    expect(await opened.page.locator('[data-testid="symbols"] tbody tr').count()).toBe(6);
    expect(await opened.page.locator('[data-testid="findings"] tbody tr').count()).toBe(24);
    expect(await opened.page.textContent('header.page')).toContain('data/aegis.sqlite');
    await screenshot(opened.page, 'data-only');
  });
});

describe('sparse report (every section, each as thin as the model allows)', () => {
  it('renders every section and chart cleanly without benchmark, folds, trades, trials or orders', async () => {
    const opened = await openReport(requireBrowser(), renderReport(sparseReport()), 'sparse');
    try {
      expectClean(opened);
      expect((await headings(opened.page)).h2).toEqual(['At a glance', 'Evolution', 'EM loop', 'Strategies', 'Backtest', 'Deployment', 'Data']);
      const pixels = await chartPixels(opened.page);
      expect(pixels.map((p) => p.id).sort()).toEqual(['bt-drawdown', 'bt-equity', 'deploy-equity', 'em-objective', 'em-weights', 'evo-fitness-0', 'evo-invalid-0']);
      // The invalid share is 0 throughout: its line lies on the axis, but diversity is drawn.
      // One EM iteration is two dots; the rest are lines and areas.
      for (const p of pixels) expect(p.colored, p.id).toBeGreaterThan(p.id === 'em-objective' ? 40 : 200);
      expect(await opened.page.getAttribute('[data-testid="gate-verdict"]', 'data-passed')).toBe('true');
      expect(await opened.page.textContent('[data-testid="trade-count"]')).toContain('0 trades');
      await screenshot(opened.page, 'sparse');
    } finally {
      await opened.close();
    }
  });
});

describe('escaping', () => {
  const EVIL = '</script><script>window.__pwned = 1</script><img src="https://example.invalid/x.png" onerror="window.__pwned = 2">';

  function evilReport(): ReportData {
    const data = fullReport(3);
    const s = data.strategies![0];
    s.expr = `and(gt(close, 1), lt(rsi(close, 14), 30)) ${EVIL}`;
    s.pretty = `and(\n  gt(close, 1),\n  <script>alert("x")</script>\n) ${EVIL}`;
    data.meta.title = `Report <script>window.__pwned = 3</script>`;
    data.backtest!.gate.reasons.push(EVIL);
    data.backtest!.folds[0].expr = EVIL;
    data.data!.findings[0].detail = EVIL;
    data.data!.symbols[0].symbol = '<b>SPY</b>';
    data.deployment!.orders[0].clientOrderId = EVIL;
    data.em!.dropped[0].because = EVIL;
    return data;
  }

  it('shows rule text containing <script> and </script> as text, injects nothing, requests nothing', async () => {
    const data = evilReport();
    const opened = await openReport(requireBrowser(), renderReport(data), 'escaping');
    try {
      expectClean(opened);
      const page = opened.page;
      const state = await injectionProbe(page);
      expect(state.pwned).toBeUndefined();
      // uPlot, the page script, and the two JSON blocks: nothing injected.
      expect(state.scripts).toBe(4);
      expect(state.images).toBe(0);
      expect(state.nestedBold).toBe(0);
      expect(state.title).toBe(data.meta.title);
      expect(await page.locator('[data-testid="rule"] pre').first().textContent()).toBe(data.strategies![0].pretty);
      expect(await page.textContent('[data-testid="best-rule"]')).toBe(data.strategies![0].expr);
      expect(await page.textContent('[data-testid="gate-verdict"]')).toContain(EVIL);
      expect(await page.textContent('[data-testid="symbols"]')).toContain('<b>SPY</b>');
      expect(await embeddedData(page)).toEqual(JSON.parse(JSON.stringify(data)));
      // Every chart still draws.
      const pixels = await chartPixels(page);
      expect(pixels).toHaveLength(9);
      for (const p of pixels) expect(p.colored, p.id).toBeGreaterThan(200);
    } finally {
      await opened.close();
    }
  });

  it('forbids the page any network access by its Content-Security-Policy (defence in depth)', async () => {
    const opened = await openReport(requireBrowser(), renderReport(dataOnlyReport()), 'csp');
    try {
      // A loopback URL: if the policy failed, the attempt still would not leave the machine.
      const outcome = await opened.page.evaluate(() =>
        fetch('http://127.0.0.1:9/probe').then(
          () => 'fetched',
          (e: unknown) => `blocked: ${String(e)}`,
        ),
      );
      expect(outcome).toMatch(/^blocked/);
      expect(opened.consoleErrors.join('\n')).toMatch(/Content Security Policy/);
      expect(opened.requests).toEqual([opened.url]);
    } finally {
      await opened.close();
    }
  });
});
