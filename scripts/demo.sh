#!/usr/bin/env bash
# The whole pipeline, as far as it is built, offline, on the bundled real data, into a fresh
# demo database. Run it with `npm run demo` (after `npm ci`).
set -euo pipefail
cd "$(dirname "$0")/.."

DB=data/demo/aegis-demo.sqlite
rm -rf data/demo && mkdir -p data/demo
aegis() { node bin/aegis.js --db "$DB" "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

UNIVERSE=$(ls data/daily/*.csv.gz | xargs -n1 basename | sed 's/\.csv\.gz$//' | paste -sd, -)

step "ingest: the bundled universe from data/daily (offline CSV source)"
aegis ingest "$UNIVERSE" --source csv --csv-dir data/daily

step "data list: what is stored"
aegis data list

step "data check: quality findings (real market events above 35% are flagged for review)"
aegis data check || true

printf '\nDemo database: %s\n' "$DB"
