import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/**
 * The folder holding aegis' package.json, found by walking up from this module, so bundled files
 * (configs/, grammars/, data/) resolve the same from src/ (tests) and dist/ (the CLI).
 */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'configs'))) return (cachedRoot = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the aegis package root above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** A path relative to the package root. */
export function bundled(...parts: string[]): string {
  return resolve(packageRoot(), ...parts);
}
