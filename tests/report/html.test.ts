import { describe, expect, it } from 'vitest';
import { escapeHtml, html, inlineCode, jsonForScript, raw } from '../../src/report/html.js';
import { CLIENT_SCRIPT } from '../../src/report/client.js';
import { renderReport } from '../../src/report/render.js';
import { highlightRule } from '../../src/report/ruleText.js';
import { fmt, metricKeys } from '../../src/report/format.js';
import { dataOnlyReport, fullReport } from './fixtures.js';

describe('html escaping', () => {
  it('escapes the five HTML metacharacters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('escapes every interpolation of the html tag unless it is SafeHtml', () => {
    const name = '<script>alert(1)</script>';
    expect(html`<td>${name}</td>`.value).toBe('<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>');
    expect(html`<td>${raw('<b>ok</b>')}</td>`.value).toBe('<td><b>ok</b></td>');
    expect(html`${[name, html`<i>${'&'}</i>`, null, undefined, false, 3]}`.value).toBe('&lt;script&gt;alert(1)&lt;/script&gt;<i>&amp;</i>3');
  });

  it('highlights a rule without letting markup through', () => {
    const out = highlightRule('and(gt(close, 1.5), </script><img src=x onerror=alert(1)>)').value;
    expect(out).not.toMatch(/<(?!\/?span)/);
    expect(out).toContain('<span class="fn">and</span>(');
    expect(out).toContain('<span class="num">1.5</span>');
    expect(out).not.toContain('</script>');
    // Stripping the highlighting gives back the escaped text.
    expect(out.replace(/<\/?span[^>]*>/g, '')).toBe(escapeHtml('and(gt(close, 1.5), </script><img src=x onerror=alert(1)>)'));
  });
});

describe('jsonForScript', () => {
  it('cannot close its script element and parses back to the same value', () => {
    const value = { rule: '</script><script>alert(1)</script>', amp: 'a & b', sep: '\u2028\u2029', nested: [1, null, 'x>y'] };
    const text = jsonForScript(value).value;
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('inlineCode', () => {
  it('splits a closing tag inside inlined code', () => {
    expect(inlineCode('var s = "</script>";', 'script').value).toBe('var s = "<\\/script>";');
    expect(inlineCode('a{} </STYLE>', 'style').value).toBe('a{} <\\/STYLE>');
  });
});

describe('the page script', () => {
  it('is valid JavaScript', () => {
    expect(() => new Function(CLIENT_SCRIPT)).not.toThrow();
  });
});

describe('format', () => {
  it('writes missing and non-finite numbers as a dash', () => {
    expect(fmt(null, 'pct')).toBe('—');
    expect(fmt(Number.NaN, 'ratio')).toBe('—');
    expect(fmt(0.1234, 'pct')).toBe('12.34 %');
    expect(fmt(-0.05, 'signedPct')).toBe('-5.0 %');
    expect(fmt(1234567, 'int')).toBe('1,234,567');
  });

  it('lists core metrics first, then extras in first-seen order', () => {
    expect(metricKeys({ sharpe: 1, sortino: 1, cagr: 0, maxDrawdown: 0, trades: 0, exposure: 0, zeta: 1 }, { alpha: 2 } as never)).toEqual([
      'sharpe', 'sortino', 'cagr', 'maxDrawdown', 'trades', 'exposure', 'zeta', 'alpha',
    ]);
  });
});

describe('renderReport (string level)', () => {
  it('is one self-contained document: no external URL in src or href, a CSP that forbids fetching', () => {
    const page = renderReport(fullReport());
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).not.toMatch(/\s(src|href)="(?!#)/);
    expect(page).toMatch(/Content-Security-Policy" content="default-src 'none'/);
    expect(page).not.toMatch(/@import|url\(\s*['"]?https?:/);
  });

  it('renders only meta and data for a data-only database', () => {
    const page = renderReport(dataOnlyReport());
    expect(page).toContain('id="data"');
    for (const id of ['summary', 'evolution', 'em', 'strategies', 'backtest', 'deployment']) expect(page).not.toContain(`id="${id}"`);
  });

  it('renders a page even with no data at all', () => {
    const data = dataOnlyReport();
    data.data = null;
    expect(renderReport(data)).toContain('holds nothing to report yet');
  });

  it('refuses a backtest whose dates and equity do not pair up, naming it', () => {
    const data = fullReport();
    data.backtest!.equity.pop();
    expect(() => renderReport(data)).toThrow(/backtest 3: \d+ dates but \d+ equity values/);
  });
});
