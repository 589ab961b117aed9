import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createLogger } from '../../src/log/logger.js';
import { BIN, copyBundled, ROOT, tempDir } from '../helpers/cli.js';

/**
 * On a terminal the CLI logs readable lines and draws progress bars; every other test runs it
 * without one. `script` (util-linux) gives the command a real pseudo-terminal.
 */
describe('on a terminal', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('the logger writes readable lines, not JSON, to a TTY stream', () => {
    const lines: string[] = [];
    const logger = createLogger({ stream: { write: (s: string) => lines.push(s), isTTY: true } });
    logger.info({ symbols: 2 }, 'ingest finished');
    const text = lines.join('');
    expect(text).toMatch(/INFO/);
    expect(text).toMatch(/ingest finished/);
    expect(() => JSON.parse(text.trim())).toThrow();
  });

  it('aegis ingest runs with a progress bar and exits 0', () => {
    const csv = copyBundled(['SPY', 'QQQ'], join(t.dir, 'csv'));
    const cmd = [process.execPath, BIN, 'ingest', 'SPY,QQQ', '--source', 'csv', '--csv-dir', csv, '--db', join(t.dir, 'tty.sqlite')].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, AEGIS_DB: undefined } as NodeJS.ProcessEnv });
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/ingest \[█+\] 2\/2/);
    expect(r.stdout).toMatch(/SPY +\d+ +2000-01-03/);
    expect(r.stdout).not.toMatch(/is not a function/);
  });
});
