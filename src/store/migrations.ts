/**
 * Numbered schema migrations. The database records the number of the last one applied in
 * `PRAGMA user_version`; a database whose number is above the last one here was written by a newer
 * aegis and is refused. Append new migrations; never edit a published one.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'ingest',
    sql: `
      CREATE TABLE symbols (
        symbol      TEXT PRIMARY KEY,
        first_date  TEXT,
        last_date   TEXT,
        rows        INTEGER NOT NULL DEFAULT 0,
        source      TEXT,
        updated_at  TEXT NOT NULL
      ) STRICT;

      CREATE TABLE bars (
        symbol     TEXT NOT NULL REFERENCES symbols(symbol),
        date       TEXT NOT NULL,
        open       REAL NOT NULL,
        high       REAL NOT NULL,
        low        REAL NOT NULL,
        close      REAL NOT NULL,
        adj_close  REAL NOT NULL,
        volume     REAL NOT NULL,
        source     TEXT NOT NULL,
        PRIMARY KEY (symbol, date)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE corporate_actions (
        symbol  TEXT NOT NULL REFERENCES symbols(symbol),
        date    TEXT NOT NULL,
        kind    TEXT NOT NULL CHECK (kind IN ('split', 'dividend')),
        value   REAL NOT NULL,
        source  TEXT NOT NULL,
        PRIMARY KEY (symbol, date, kind)
      ) STRICT;

      CREATE TABLE data_issues (
        id        INTEGER PRIMARY KEY,
        symbol    TEXT NOT NULL,
        date      TEXT NOT NULL,
        kind      TEXT NOT NULL,
        severity  TEXT NOT NULL CHECK (severity IN ('rejected', 'flagged')),
        detail    TEXT NOT NULL,
        source    TEXT NOT NULL,
        found_at  TEXT NOT NULL,
        UNIQUE (symbol, date, kind, detail)
      ) STRICT;
      CREATE INDEX data_issues_symbol ON data_issues(symbol, date);

      CREATE TABLE ingest_runs (
        id           INTEGER PRIMARY KEY,
        started_at   TEXT NOT NULL,
        finished_at  TEXT,
        source       TEXT NOT NULL,
        symbols      TEXT NOT NULL,
        rows_added   INTEGER NOT NULL DEFAULT 0,
        outcome      TEXT NOT NULL CHECK (outcome IN ('running', 'ok', 'partial', 'failed')),
        detail       TEXT
      ) STRICT;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
