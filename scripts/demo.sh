#!/usr/bin/env bash
# The whole pipeline, offline, on the bundled real data, into a fresh demo database:
# ingest -> evolve (with the EM allocation loop) -> backtest -> walk-forward -> promote -> paper
# trading on the local sim broker (replayed through the last weeks of history) -> status -> report.
# Run it with `npm run demo` (after `npm ci`); it takes a few minutes.
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

step "evolve: readable rules by grammatical evolution on $SYMBOLS, 2005-2018, alternating with allocation (EM loop)"
aegis evolve --grammar default --symbols "$SYMBOLS" --from 2005-01-01 --to 2018-12-31 \
  --population 150 --generations 10 --em-iterations 2 --seed 7 --top 5

step "allocate: weigh run 1's rules again with another method"
aegis allocate --run 1 --method min-variance

step "backtest the run's allocation, including the years after its search window (out of sample)"
aegis backtest --run 1 --check-lookahead

step "walk-forward: search on 5 years, trade the next 2, stitch the test windows; gate G0"
aegis backtest --walk-forward --train 5y --test 2y --from 2006-01-01 --symbols "$SYMBOLS" \
  --population 100 --generations 6 --seed 11

step "promote the walk-forward's portfolio to paper (forced if it failed G0: paper trading gathers evidence)"
aegis promote --backtest 2 --to paper ||
  aegis promote --backtest 2 --to paper --force --reason "demo: gather paper evidence"

step "paper trading on the local sim broker, replayed session by session through May 2026"
for day in $(node -e "import('./dist/domain/calendar.js').then(c => console.log(c.tradingDaysBetween('2026-05-01', '2026-06-09').join(' ')))"); do
  aegis deploy --paper --broker sim --as-of "$day" --quiet >/dev/null
done
echo "replayed $(node -e "import('./dist/domain/calendar.js').then(c => console.log(c.tradingDaysBetween('2026-05-01', '2026-06-09').length))") sessions"

step "deploy: the next session after the latest bar (what the cron job does before the open)"
aegis deploy --paper --broker sim

step "status"
aegis status

step "report: one self-contained HTML page"
aegis report --out data/demo/aegis-report.html

printf '\nDemo database: %s\nReport: %s\n' "$DB" "$(pwd)/data/demo/aegis-report.html"
