/**
 * The HTML research report: `renderReport(data)` turns a {@link ReportData} (plain data, read from
 * the database by the loaders) into one self-contained HTML page.
 */
export { renderReport } from './render.js';
export type * from './model.js';
export { drawdownCurve, monthlyReturns, monthlyTable, yearlyReturns } from './monthly.js';
export type { MonthlyReturn, MonthlyTableRow, YearlyReturn } from './monthly.js';
