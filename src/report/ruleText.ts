/**
 * Rule text for the page: monospace, lightly highlighted (functions, numbers, fields). The text is
 * split into tokens first and every token is escaped on its own, so highlighting can never let a
 * `<` through, whatever the rule contains.
 */
import { html, type SafeHtml } from './html.js';

const TOKEN = /([A-Za-z_][A-Za-z0-9_.]*)(\s*\()|(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_.]*)/g;

/** The rule as highlighted, escaped HTML (to go inside a `<pre>` or `<code>`). */
export function highlightRule(text: string): SafeHtml {
  const parts: SafeHtml[] = [];
  let at = 0;
  for (const m of text.matchAll(TOKEN)) {
    const index = m.index ?? 0;
    if (index > at) parts.push(html`${text.slice(at, index)}`);
    if (m[1] !== undefined) parts.push(html`<span class="fn">${m[1]}</span>${m[2]}`);
    else if (m[3] !== undefined) parts.push(html`<span class="num">${m[3]}</span>`);
    else parts.push(html`<span class="field">${m[4]}</span>`);
    at = index + m[0].length;
  }
  if (at < text.length) parts.push(html`${text.slice(at)}`);
  return html`${parts}`;
}
