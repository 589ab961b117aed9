import { styleText } from 'node:util';

export interface Column<T> {
  header: string;
  value: (row: T) => string | number | null | undefined;
  align?: 'left' | 'right';
  /** Colour a cell on a terminal (never in pipes). */
  colour?: (row: T) => Parameters<typeof styleText>[0] | undefined;
}

/** An aligned plain-text table; colours only when stdout is a terminal. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const useColour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const cells = rows.map((r) => columns.map((c) => formatCell(c.value(r))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i].length)));
  const pad = (s: string, i: number) => (columns[i].align === 'right' ? s.padStart(widths[i]) : s.padEnd(widths[i]));
  const header = columns.map((c, i) => pad(c.header, i)).join('  ').trimEnd();
  const lines = [useColour ? styleText('bold', header) : header];
  rows.forEach((r, ri) => {
    const line = columns
      .map((c, i) => {
        const text = pad(cells[ri][i], i);
        const colour = useColour ? c.colour?.(r) : undefined;
        return colour ? styleText(colour, text) : text;
      })
      .join('  ');
    lines.push(line.trimEnd());
  });
  return lines.join('\n');
}

function formatCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3);
  return v;
}
