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
  {
    version: 2,
    name: 'evolve',
    sql: `
      CREATE TABLE runs (
        id               INTEGER PRIMARY KEY,
        created_at       TEXT NOT NULL,
        finished_at      TEXT,
        status           TEXT NOT NULL CHECK (status IN ('running', 'finished', 'interrupted', 'failed')),
        purpose          TEXT NOT NULL DEFAULT 'evolve',
        config           TEXT NOT NULL,
        config_hash      TEXT NOT NULL,
        seed             INTEGER NOT NULL,
        grammar          TEXT NOT NULL,
        grammar_hash     TEXT NOT NULL,
        symbols          TEXT NOT NULL,
        train_from       TEXT NOT NULL,
        train_to         TEXT NOT NULL,
        valid_from       TEXT NOT NULL,
        valid_to         TEXT NOT NULL,
        data_hash        TEXT NOT NULL,
        code_version     TEXT NOT NULL,
        metric           TEXT NOT NULL,
        trials           INTEGER NOT NULL DEFAULT 0,
        evaluations      INTEGER NOT NULL DEFAULT 0,
        invalid          INTEGER NOT NULL DEFAULT 0,
        generations_done INTEGER NOT NULL DEFAULT 0,
        stopped_early    INTEGER NOT NULL DEFAULT 0,
        sharpe_mean      REAL,
        sharpe_variance  REAL,
        observations     INTEGER,
        pid              INTEGER,
        detail           TEXT
      ) STRICT;

      CREATE TABLE generations (
        run_id           INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        em_iteration     INTEGER NOT NULL,
        generation       INTEGER NOT NULL,
        species          INTEGER NOT NULL,
        best_train       REAL NOT NULL,
        median_train     REAL NOT NULL,
        best_validation  REAL NOT NULL,
        invalid_share    REAL NOT NULL,
        diversity        REAL NOT NULL,
        trials           INTEGER NOT NULL,
        PRIMARY KEY (run_id, em_iteration, generation, species)
      ) STRICT;

      CREATE TABLE strategies (
        id                  INTEGER PRIMARY KEY,
        run_id              INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        em_iteration        INTEGER NOT NULL,
        rank                INTEGER NOT NULL,
        expr                TEXT NOT NULL,
        genome              TEXT NOT NULL,
        species             INTEGER NOT NULL,
        nodes               INTEGER NOT NULL,
        fitness             REAL NOT NULL,
        validation_fitness  REAL NOT NULL,
        train               TEXT NOT NULL,
        validation          TEXT NOT NULL,
        UNIQUE (run_id, em_iteration, expr)
      ) STRICT;
      CREATE INDEX strategies_run ON strategies(run_id, em_iteration, rank);

      -- Every distinct candidate scored is a trial: its train Sharpe ratio (per observation) feeds
      -- the Deflated Sharpe Ratio of later backtests.
      CREATE TABLE trials (
        run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        seq      INTEGER NOT NULL,
        sharpe   REAL NOT NULL,
        PRIMARY KEY (run_id, seq)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'backtest',
    sql: `
      CREATE TABLE backtests (
        id               INTEGER PRIMARY KEY,
        created_at       TEXT NOT NULL,
        finished_at      TEXT,
        status           TEXT NOT NULL CHECK (status IN ('running', 'finished', 'interrupted', 'failed')),
        kind             TEXT NOT NULL CHECK (kind IN ('single', 'walk-forward')),
        source           TEXT NOT NULL,
        config           TEXT NOT NULL,
        config_hash      TEXT NOT NULL,
        symbols          TEXT NOT NULL,
        date_from        TEXT NOT NULL,
        date_to          TEXT NOT NULL,
        portfolio        TEXT,
        trials           INTEGER NOT NULL DEFAULT 0,
        result           TEXT,
        gate_passed      INTEGER,
        pid              INTEGER,
        detail           TEXT
      ) STRICT;

      CREATE TABLE folds (
        backtest_id  INTEGER NOT NULL REFERENCES backtests(id) ON DELETE CASCADE,
        fold         INTEGER NOT NULL,
        run_id       INTEGER REFERENCES runs(id),
        train_from   TEXT NOT NULL,
        train_to     TEXT NOT NULL,
        test_from    TEXT NOT NULL,
        test_to      TEXT NOT NULL,
        portfolio    TEXT NOT NULL,
        is_metrics   TEXT NOT NULL,
        oos_metrics  TEXT NOT NULL,
        trials       INTEGER NOT NULL,
        PRIMARY KEY (backtest_id, fold)
      ) STRICT;

      -- The daily equity of the strategy (out-of-sample for walk-forward) and of the benchmark.
      CREATE TABLE equity (
        backtest_id  INTEGER NOT NULL REFERENCES backtests(id) ON DELETE CASCADE,
        date         TEXT NOT NULL,
        equity       REAL NOT NULL,
        benchmark    REAL,
        PRIMARY KEY (backtest_id, date)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE trades (
        id           INTEGER PRIMARY KEY,
        backtest_id  INTEGER NOT NULL REFERENCES backtests(id) ON DELETE CASCADE,
        fold         INTEGER,
        symbol       TEXT NOT NULL,
        side         TEXT NOT NULL CHECK (side IN ('long', 'short')),
        entry_date   TEXT NOT NULL,
        exit_date    TEXT,
        entry_price  REAL NOT NULL,
        exit_price   REAL NOT NULL,
        return       REAL NOT NULL,
        bars         INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX trades_backtest ON trades(backtest_id, entry_date);
    `,
  },
  {
    version: 4,
    name: 'allocation',
    sql: `
      -- Weights over (strategy, asset) sleeves: from an EM iteration or from aegis allocate.
      CREATE TABLE allocations (
        id                    INTEGER PRIMARY KEY,
        run_id                INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        em_iteration          INTEGER,
        created_at            TEXT NOT NULL,
        source                TEXT NOT NULL CHECK (source IN ('em', 'allocate')),
        method                TEXT NOT NULL,
        sleeves               TEXT NOT NULL,
        dropped               TEXT NOT NULL,
        train_objective       REAL NOT NULL,
        validation_objective  REAL NOT NULL,
        train                 TEXT NOT NULL,
        validation            TEXT NOT NULL,
        diagnostics           TEXT
      ) STRICT;
      CREATE INDEX allocations_run ON allocations(run_id, id);

      ALTER TABLE runs ADD COLUMN final_allocation_id INTEGER REFERENCES allocations(id);

      CREATE TABLE em_iterations (
        run_id                INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        iteration             INTEGER NOT NULL,
        allocation_id         INTEGER REFERENCES allocations(id),
        strategies            TEXT NOT NULL,
        train_objective       REAL NOT NULL,
        validation_objective  REAL NOT NULL,
        trials                INTEGER NOT NULL,
        PRIMARY KEY (run_id, iteration)
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: 'deploy',
    sql: `
      CREATE TABLE deployments (
        id               INTEGER PRIMARY KEY,
        created_at       TEXT NOT NULL,
        mode             TEXT NOT NULL CHECK (mode IN ('paper', 'live')),
        broker           TEXT NOT NULL CHECK (broker IN ('sim', 'alpaca')),
        status           TEXT NOT NULL CHECK (status IN ('active', 'retired')),
        backtest_id      INTEGER REFERENCES backtests(id),
        parent_id        INTEGER REFERENCES deployments(id),
        portfolio        TEXT NOT NULL,
        symbols          TEXT NOT NULL,
        config_hash      TEXT NOT NULL,
        forced           INTEGER NOT NULL DEFAULT 0,
        reason           TEXT,
        gate             TEXT NOT NULL,
        account_id       TEXT
      ) STRICT;

      -- What a deploy cycle decided to do, written (one transaction per cycle) before anything is
      -- sent. The client order id is deterministic: a rerun finds the intent and never sends twice.
      CREATE TABLE order_intents (
        id               INTEGER PRIMARY KEY,
        deployment_id    INTEGER NOT NULL REFERENCES deployments(id),
        trading_day      TEXT NOT NULL,
        symbol           TEXT NOT NULL,
        side             TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
        notional         REAL,
        qty              REAL,
        client_order_id  TEXT NOT NULL UNIQUE,
        status           TEXT NOT NULL,
        reason           TEXT,
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL,
        UNIQUE (deployment_id, trading_day, symbol, side)
      ) STRICT;
      CREATE INDEX order_intents_day ON order_intents(deployment_id, trading_day);

      -- Orders as the broker reported them (one per intent that reached the broker).
      CREATE TABLE orders (
        id                INTEGER PRIMARY KEY,
        intent_id         INTEGER NOT NULL UNIQUE REFERENCES order_intents(id),
        broker            TEXT NOT NULL,
        broker_order_id   TEXT NOT NULL,
        client_order_id   TEXT NOT NULL UNIQUE,
        status            TEXT NOT NULL,
        filled_qty        REAL NOT NULL DEFAULT 0,
        filled_avg_price  REAL,
        submitted_at      TEXT,
        filled_at         TEXT,
        updated_at        TEXT NOT NULL
      ) STRICT;

      CREATE TABLE fills (
        order_id   INTEGER NOT NULL REFERENCES orders(id),
        qty        REAL NOT NULL,
        price      REAL NOT NULL,
        filled_at  TEXT,
        PRIMARY KEY (order_id)
      ) STRICT;

      -- The paper/live track record: account equity at each cycle's last close.
      CREATE TABLE deployment_equity (
        deployment_id  INTEGER NOT NULL REFERENCES deployments(id),
        date           TEXT NOT NULL,
        equity         REAL NOT NULL,
        PRIMARY KEY (deployment_id, date)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE deploy_runs (
        id             INTEGER PRIMARY KEY,
        deployment_id  INTEGER REFERENCES deployments(id),
        started_at     TEXT NOT NULL,
        finished_at    TEXT,
        trading_day    TEXT,
        outcome        TEXT NOT NULL,
        detail         TEXT
      ) STRICT;

      -- One row per control: the kill switch and the circuit breaker survive across cron runs.
      CREATE TABLE controls (
        name        TEXT PRIMARY KEY CHECK (name IN ('kill_switch', 'breaker')),
        state       TEXT NOT NULL,
        failures    INTEGER NOT NULL DEFAULT 0,
        since       TEXT NOT NULL,
        reason      TEXT
      ) STRICT;

      -- One deploy at a time: a row taken in a BEGIN IMMEDIATE transaction, with an expiry.
      CREATE TABLE lease (
        name        TEXT PRIMARY KEY,
        holder      TEXT NOT NULL,
        pid         INTEGER NOT NULL,
        acquired_at TEXT NOT NULL,
        expires_at  TEXT NOT NULL
      ) STRICT;

      -- The local paper broker: its account, orders and positions per deployment.
      CREATE TABLE sim_accounts (
        deployment_id  INTEGER PRIMARY KEY REFERENCES deployments(id),
        cash           REAL NOT NULL,
        initial_cash   REAL NOT NULL,
        created_at     TEXT NOT NULL
      ) STRICT;
      CREATE TABLE sim_orders (
        id                TEXT PRIMARY KEY,
        deployment_id     INTEGER NOT NULL REFERENCES deployments(id),
        client_order_id   TEXT NOT NULL UNIQUE,
        symbol            TEXT NOT NULL,
        side              TEXT NOT NULL,
        notional          REAL,
        qty               REAL,
        session           TEXT NOT NULL,
        status            TEXT NOT NULL,
        filled_qty        REAL NOT NULL DEFAULT 0,
        filled_avg_price  REAL,
        submitted_at      TEXT NOT NULL,
        filled_at         TEXT
      ) STRICT;
      CREATE TABLE sim_positions (
        deployment_id     INTEGER NOT NULL REFERENCES deployments(id),
        symbol            TEXT NOT NULL,
        qty               REAL NOT NULL,
        avg_entry_price   REAL NOT NULL,
        PRIMARY KEY (deployment_id, symbol)
      ) STRICT;
    `,
  },
  {
    version: 6,
    name: 'deploy-identity',
    sql: `
      -- A random tag per deployment in its client order ids: two databases (the demo's and the real
      -- one, or a database recreated from scratch) trading one broker account never share an id.
      ALTER TABLE deployments ADD COLUMN order_tag TEXT;
      -- The host of the lease holder: whether its process is alive can only be told on its own host.
      ALTER TABLE lease ADD COLUMN host TEXT;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
