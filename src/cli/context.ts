import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../domain/errors.js';
import type { Config } from '../config/schema.js';
import { loadConfig } from '../config/load.js';
import { openDb, type Db } from '../store/db.js';
import { createLogger, registerSecret, setLogger, type Logger } from '../log/logger.js';

/** The global flags every command sees. */
export interface GlobalFlags {
  db?: string;
  config?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/** What a command needs from the world: config, logger, database, how to print. */
export class CommandContext {
  readonly config: Readonly<Config>;
  readonly log: Logger;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly dbPath: string;
  private dbHandle?: Db;

  constructor(flags: GlobalFlags) {
    this.json = Boolean(flags.json);
    this.quiet = Boolean(flags.quiet);
    this.verbose = Boolean(flags.verbose);
    this.log = createLogger({ quiet: this.quiet, verbose: this.verbose });
    setLogger(this.log);
    this.config = loadConfig(flags.config);
    registerSecret(this.config.deploy.alerts.webhookUrl);
    this.dbPath = resolve(flags.db ?? process.env.AEGIS_DB ?? 'data/aegis.sqlite');
  }

  /**
   * The database, opened (and migrated) on first use. Only a command that fills it (ingest) may
   * create it: everywhere else a missing file is a mistyped --db or AEGIS_DB, not an empty store.
   */
  db(opts: { create?: boolean } = {}): Db {
    if (!this.dbHandle && !opts.create && this.dbPath !== ':memory:' && !existsSync(this.dbPath)) {
      throw new InputError(`${this.dbPath}: no database here (check --db or AEGIS_DB); aegis ingest creates one`);
    }
    return (this.dbHandle ??= openDb(this.dbPath));
  }

  /** Whether interactive decorations (progress bars, colours) belong on stderr. */
  get interactive(): boolean {
    return Boolean(process.stderr.isTTY) && !this.quiet;
  }

  /** The command's result: JSON on stdout with --json, else the human rendering. */
  output(result: unknown, human: () => string): void {
    if (this.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else {
      const text = human();
      if (text) process.stdout.write(text.endsWith('\n') ? text : text + '\n');
    }
  }

  close(): void {
    this.dbHandle?.close();
    this.dbHandle = undefined;
  }
}
