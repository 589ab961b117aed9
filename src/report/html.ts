/**
 * Escaping-by-default HTML building. Every section is written with the {@link html} tag, which
 * escapes each interpolated value unless it is already {@link SafeHtml}; so a rule text, a symbol,
 * a broker message or a finding's detail can never inject markup — forgetting to escape is not
 * possible, only deliberately marking something as safe is.
 */

/** A fragment of HTML that is already escaped (or is trusted markup written in this module's callers). */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What may be interpolated into {@link html}: text (escaped), numbers, fragments, lists of them. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and for quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Renders an interpolated value: null/undefined/false vanish (handy for conditionals), arrays concatenate. */
function renderValue(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(renderValue).join('');
  return escapeHtml(String(value));
}

/**
 * Tagged template that escapes every interpolation: `html\`<td>${name}</td>\``.
 * The literal parts are trusted markup; the values are text unless they are {@link SafeHtml}.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += renderValue(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

/** Marks a string as trusted markup. Only for markup produced by code, never for data. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/**
 * JSON for a `<script type="application/json">` element. JSON.stringify leaves `<`, `>` and `&`
 * as they are, so a string containing `</script>` would end the element early and the rest would
 * be parsed as markup; escaping them as \u003c etc. keeps the JSON identical after JSON.parse.
 * U+2028/U+2029 are escaped too, for any consumer that evaluates the text as JavaScript.
 */
export function jsonForScript(value: unknown): SafeHtml {
  const json = JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return new SafeHtml(json);
}

/**
 * Inline `<script>` or `<style>` text from a trusted file (the chart library). Such text is
 * not parsed as markup except for its closing tag, so a literal `</script` inside a string of
 * the library would end the element; it is split so the browser does not see it.
 */
export function inlineCode(code: string, tag: 'script' | 'style'): SafeHtml {
  const closing = new RegExp(`</(${tag})`, 'gi');
  return new SafeHtml(code.replace(closing, '<\\/$1'));
}
