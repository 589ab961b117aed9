#!/usr/bin/env bash
# The whole pipeline, as far as it is built, offline, on the bundled real data, into a fresh
# demo database. Run it with `npm run demo` (after `npm ci`); it takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

DB=data/demo/aegis-demo.sqlite
rm -rf data/demo && mkdir -p data/demo
aegis() { node bin/aegis.js --db "$DB" "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

UNIVERSE=$(ls data/daily/*.csv.gz | xargs -n1 basename | sed 's/\.csv\.gz$//' | paste -sd, -)
SYMBOLS=SPY,QQQ,IWM,TLT,GLD,XLE,XLK,XLV

step "ingest: the bundled universe from data/daily (offline CSV source)"
aegis ingest "$UNIVERSE" --source csv --csv-dir data/daily

step "data list: what is stored"
aegis data list

step "data check: quality findings (real market events above 35% are flagged for review)"
aegis data check || true

step "grammar check: the default grammar"
aegis grammar check default

step "evolve: readable rules by grammatical evolution on $SYMBOLS, 2005-2018 (small budget)"
aegis evolve --grammar default --symbols "$SYMBOLS" --from 2005-01-01 --to 2018-12-31 \
  --population 150 --generations 12 --seed 7 --top 5

step "backtest the run's pick, including the years after its search window (out of sample)"
aegis backtest --run 1 --check-lookahead

step "walk-forward: search on 5 years, trade the next 2, stitch the test windows; gate G0"
aegis backtest --walk-forward --train 5y --test 2y --from 2006-01-01 --symbols "$SYMBOLS" \
  --population 100 --generations 8 --seed 11

step "runs"
aegis runs

printf '\nDemo database: %s\n' "$DB"
