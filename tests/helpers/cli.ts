import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'aegis.js');
export const BUNDLED_DAILY = join(ROOT, 'data', 'daily');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the built CLI (dist/, built by `npm test`) as a user would, without a terminal. */
export function runAegis(args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, AEGIS_DB: undefined, ...opts.env } as NodeJS.ProcessEnv,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Same, asynchronously (for tests that serve HTTP in this process while the CLI runs). */
export function runAegisAsync(args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    const child = spawnAegis(args, opts);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}

export function spawnAegis(args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string } = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, AEGIS_DB: undefined, ...opts.env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'aegis-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Copy some bundled symbol files into a folder (as a user's CSV folder). */
export function copyBundled(symbols: string[], dest: string): string {
  mkdirSync(dest, { recursive: true });
  for (const s of symbols) copyFileSync(join(BUNDLED_DAILY, `${s}.csv.gz`), join(dest, `${s}.csv.gz`));
  return dest;
}
