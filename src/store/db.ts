import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AegisError, InputError } from '../domain/errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';

export type Db = Database.Database;

export interface OpenOptions {
  /** Open without creating or migrating (for read-only commands on a missing file). */
  readonly?: boolean;
}

/**
 * Open the one database file: WAL, synchronous=FULL (a committed transaction survives power loss),
 * foreign keys on, a 10 s busy timeout (cron runs may overlap with an interactive command), then
 * bring the schema up to date. A database written by a newer aegis is refused, never downgraded.
 */
export function openDb(path: string, opts: OpenOptions = {}): Db {
  if (path !== ':memory:' && !opts.readonly) mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path, { readonly: Boolean(opts.readonly), fileMustExist: Boolean(opts.readonly) });
  } catch (err) {
    throw new InputError(`${path}: cannot open the database (${(err as Error).message})`);
  }
  let version: number;
  try {
    db.pragma('busy_timeout = 10000');
    if (!opts.readonly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    version = db.pragma('user_version', { simple: true }) as number;
  } catch (err) {
    db.close();
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') throw new InputError(`${path}: not an SQLite database (${(err as Error).message})`);
    throw err;
  }
  if (version > SCHEMA_VERSION) {
    db.close();
    throw new AegisError(
      `${path}: this database has schema version ${version}, written by a newer aegis; this aegis knows up to ${SCHEMA_VERSION}. Upgrade aegis.`,
    );
  }
  if (version < SCHEMA_VERSION) {
    if (opts.readonly) {
      db.close();
      throw new AegisError(`${path}: the database needs a schema upgrade; run any writing command (e.g. aegis ingest) first`);
    }
    migrate(db);
  }
  return db;
}

function migrate(db: Db): void {
  for (const m of MIGRATIONS) {
    // Each migration and its version bump commit together: a crash leaves the previous version.
    inWriteTransaction(db, () => {
      const now = db.pragma('user_version', { simple: true }) as number;
      if (now >= m.version) return;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    });
  }
}

/** Run `fn` inside one BEGIN IMMEDIATE transaction (the write lock is taken up front). */
export function inWriteTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}

export function nowIso(): string {
  return new Date().toISOString();
}
