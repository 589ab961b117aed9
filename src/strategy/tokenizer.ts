/**
 * Tokenizer of the rule language. Tokens are identifiers, numeric literals, `(`, `)` and `,`;
 * whitespace (including newlines, so pretty-printed rules read back) separates tokens and is
 * otherwise ignored.
 */

export type TokenKind = 'ident' | 'number' | '(' | ')' | ',' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Source text of the token ('' for eof). */
  readonly text: string;
  /** Offset of the token's first character in the source. */
  readonly offset: number;
}

export type TokenizeResult =
  | { readonly ok: true; readonly tokens: readonly Token[] }
  | { readonly ok: false; readonly error: string };

/**
 * "column C" for one-line sources, "line L, column C" otherwise (both 1-based), so messages about
 * hand-written multi-line rules point at the right place.
 */
export function describePosition(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  const column = offset - lineStart + 1;
  return text.includes('\n') ? `line ${line}, column ${column}` : `column ${column}`;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isIdentStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c);
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

/**
 * Split `text` into tokens. Numbers are `-?digits(.digits)?` (no exponent, no leading `.`), so
 * every literal is written the way the canonical printer writes it.
 */
export function tokenize(text: string): TokenizeResult {
  const tokens: Token[] = [];
  const fail = (offset: number, msg: string): TokenizeResult => ({
    ok: false,
    error: `${describePosition(text, offset)}: ${msg}`,
  });
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === 40 || c === 41 || c === 44) {
      tokens.push({ kind: text[i] as '(' | ')' | ',', text: text[i], offset: i });
      i++;
    } else if (isIdentStart(c)) {
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      tokens.push({ kind: 'ident', text: text.slice(start, i), offset: start });
    } else if (isDigit(c) || c === 45 /* - */ || c === 46 /* . */) {
      if (c === 45) {
        i++;
        if (i >= n || !isDigit(text.charCodeAt(i))) return fail(start, "expected a digit after '-'");
      }
      if (text.charCodeAt(i) === 46) return fail(i, "a number needs a digit before '.' (write 0.5)");
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      if (i < n && text.charCodeAt(i) === 46) {
        i++;
        if (i >= n || !isDigit(text.charCodeAt(i))) return fail(i - 1, "expected a digit after '.'");
        while (i < n && isDigit(text.charCodeAt(i))) i++;
      }
      if (i < n && (isIdentPart(text.charCodeAt(i)) || text.charCodeAt(i) === 46)) {
        return fail(start, `malformed number '${text.slice(start, i + 1)}'`);
      }
      const lexeme = text.slice(start, i);
      if (!Number.isFinite(Number(lexeme))) return fail(start, `number '${lexeme}' is out of range`);
      tokens.push({ kind: 'number', text: lexeme, offset: start });
    } else {
      const ch = String.fromCodePoint(text.codePointAt(i)!);
      return fail(start, `unexpected character '${ch}'`);
    }
  }
  tokens.push({ kind: 'eof', text: '', offset: n });
  return { ok: true, tokens };
}
