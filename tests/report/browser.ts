/**
 * Opens a rendered report in real headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core) and records everything the page does: console errors, page errors, every
 * network request.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/*
 * The callbacks given to page.evaluate run in the page, but the project compiles without the DOM
 * library (it is a Node program); the few browser globals they use are declared here, for this
 * module only, so that no other file sees DOM types.
 */
interface PageElement {
  id: string;
  textContent: string | null;
}
interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: '2d', options: { willReadFrequently: boolean }): PageContext2D | null;
}
interface PageContext2D {
  canvas: PageCanvas;
  drawImage(image: PageCanvas, sx: number, sy: number, sw: number, sh: number, dx: number, dy: number, dw: number, dh: number): void;
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
}
declare const document: {
  title: string;
  documentElement: { hasAttribute(name: string): boolean };
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement> & { length: number };
  getElementById(id: string): PageElement | null;
  createElement(tag: 'canvas'): PageCanvas;
};
declare const window: { scrollTo(x: number, y: number): void };

/*
 * Without the background-networking flags Chromium contacts Google's hosts on start, which would
 * break the "no network" rule of the test suite and show up as requests.
 */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Chromium, or fails (never skips) with the command that installs it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}. The report tests render in a real browser and are never skipped: ` +
        'install it with `apt-get update && apt-get install -y chromium` (CI does this).',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

/** A report opened in a page, with what the page did while loading. */
export interface OpenedReport {
  page: Page;
  url: string;
  consoleErrors: string[];
  pageErrors: string[];
  requests: string[];
  close(): Promise<void>;
}

/** Writes the HTML to a temporary file and opens it with file://, waiting until the charts are drawn. */
export async function openReport(browser: Browser, htmlText: string, name: string): Promise<OpenedReport> {
  const dir = mkdtempSync(join(tmpdir(), 'aegis-report-'));
  const file = join(dir, `${name}.html`);
  writeFileSync(file, htmlText);
  const url = pathToFileURL(file).href;
  // Keep a copy next to the screenshots, to open by hand.
  mkdirSync('test-artifacts', { recursive: true });
  writeFileSync(join('test-artifacts', `report-${name}.html`), htmlText);
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url, { waitUntil: 'load' });
  try {
    await page.waitForFunction(() => document.documentElement.hasAttribute('data-charts-ready'), undefined, { timeout: 10_000 });
  } catch (err) {
    // Say why: a script error is far more useful than "timeout".
    throw new Error(`the page script did not finish: ${[...pageErrors, ...consoleErrors].join('; ') || String(err)}`);
  }
  return {
    page,
    url,
    consoleErrors,
    pageErrors,
    requests,
    close: async () => {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What a chart's canvas holds inside its plot area. */
export interface ChartPixels {
  id: string;
  /** Pixels in the plot area drawn in a saturated (series) colour: grid, axes and shading are grey. */
  colored: number;
  /** Plot-area size in canvas pixels. */
  area: number;
  points: number;
  distr: number;
}

/**
 * Reads every uPlot canvas's plot area and counts the pixels in a series colour. The grid, the
 * reference lines and the fold shading are all grey (channel spread below 50), so a chart whose
 * series failed to draw counts ~0 even though its axes are there.
 */
export async function chartPixels(page: Page): Promise<ChartPixels[]> {
  return page.evaluate(() => {
    type U = { ctx: PageContext2D; bbox: { left: number; top: number; width: number; height: number }; data: number[][]; scales: Record<string, { distr: number }> };
    const charts = (window as unknown as { __aegisCharts: Record<string, U> }).__aegisCharts;
    return Object.entries(charts).map(([id, u]) => {
      const { left, top, width, height } = u.bbox;
      // Read a copy, not the chart's own canvas: repeated readbacks of a canvas made without
      // willReadFrequently make Chromium log a performance warning, which the tests count.
      const copy = document.createElement('canvas');
      copy.width = Math.round(width);
      copy.height = Math.round(height);
      const ctx = copy.getContext('2d', { willReadFrequently: true })!;
      ctx.drawImage(u.ctx.canvas, Math.round(left), Math.round(top), copy.width, copy.height, 0, 0, copy.width, copy.height);
      const img = ctx.getImageData(0, 0, copy.width, copy.height).data;
      let colored = 0;
      for (let i = 0; i < img.length; i += 4) {
        const r = img[i];
        const g = img[i + 1];
        const b = img[i + 2];
        if (img[i + 3] > 60 && Math.max(r, g, b) - Math.min(r, g, b) > 50) colored++;
      }
      return { id, colored, area: Math.round(width) * Math.round(height), points: u.data[0].length, distr: u.scales.y.distr };
    });
  });
}

/** Saves a full-page screenshot under test-artifacts/ (git-ignored) and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync('test-artifacts', { recursive: true });
  const path = join('test-artifacts', `report-${name}.png`);
  // Off the charts, so no legend shows hover values in the picture.
  await page.mouse.move(0, 0);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The page's title, its section headings and its table of contents. */
export async function headings(page: Page): Promise<{ h1: string; h2: string[]; toc: string[] }> {
  return page.evaluate(() => ({
    h1: document.querySelector('h1')?.textContent ?? '',
    h2: [...document.querySelectorAll('section.report > h2')].map((h) => h.textContent ?? ''),
    toc: [...document.querySelectorAll('nav.toc a')].map((a) => a.textContent ?? ''),
  }));
}

/** The report data embedded in the page, parsed. */
export async function embeddedData(page: Page): Promise<unknown> {
  return page.evaluate(() => JSON.parse(document.getElementById('aegis-data')?.textContent ?? 'null') as unknown);
}

/** What an injection would have changed: a global, extra elements, the document title. */
export async function injectionProbe(page: Page): Promise<{ pwned: unknown; scripts: number; images: number; nestedBold: number; title: string }> {
  return page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: unknown }).__pwned,
    scripts: document.querySelectorAll('script').length,
    images: document.querySelectorAll('img').length,
    nestedBold: document.querySelectorAll('td b b').length,
    title: document.title,
  }));
}

/** Scrolls the page back to its top. */
export async function scrollToTop(page: Page): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
}
