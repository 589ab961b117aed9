/**
 * The chart library's files, read from node_modules at render time so the report inlines exactly
 * the installed version and opens without any network access.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** uPlot's browser build (defines the global `uPlot`) and its stylesheet. */
export interface ChartLibrary {
  script: string;
  css: string;
  version: string;
}

let cached: ChartLibrary | null = null;

/**
 * Loads uPlot's IIFE build and CSS. uplot's package.json has no "exports" map, so its dist files
 * are reachable by resolving the main entry and looking next to it.
 */
export function chartLibrary(): ChartLibrary {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('uplot'));
  const pkg = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')) as { version: string };
  cached = {
    script: readFileSync(join(dist, 'uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(join(dist, 'uPlot.min.css'), 'utf8'),
    version: pkg.version,
  };
  return cached;
}
