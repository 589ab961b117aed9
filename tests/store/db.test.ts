import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDb } from '../../src/store/db.js';
import { SCHEMA_VERSION } from '../../src/store/migrations.js';
import { tempDir } from '../helpers/cli.js';

describe('the store', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('opens with WAL, synchronous=FULL, foreign keys and a busy timeout, at the latest schema', () => {
    const db = openDb(join(t.dir, 'a.sqlite'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(5000);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
    // Reopening applies nothing twice.
    openDb(join(t.dir, 'a.sqlite')).close();
  });

  it('refuses a database written by a newer aegis', () => {
    const file = join(t.dir, 'newer.sqlite');
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openDb(file)).toThrow(`schema version ${SCHEMA_VERSION + 1}, written by a newer aegis; this aegis knows up to ${SCHEMA_VERSION}`);
  });

  it('enforces foreign keys (no bar without its symbol)', () => {
    const db = openDb(':memory:');
    expect(() =>
      db.prepare("INSERT INTO bars (symbol, date, open, high, low, close, adj_close, volume, source) VALUES ('X','2020-01-02',1,1,1,1,1,1,'t')").run(),
    ).toThrow(/FOREIGN KEY/);
    db.close();
  });
});
