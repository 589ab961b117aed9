// Benchmarks: prints `key: value` lines. Run with `npm run bench` (it builds first).
// Each section measures the compiled code on the bundled real data; nothing here is a test.
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(join(root, 'dist', p));

const only = process.argv[2];
const sections = { ingest: benchIngest };

for (const [name, fn] of Object.entries(sections)) {
  if (!only || only === name) await fn();
}

async function benchIngest() {
  const { openDb } = await dist('store/db.js');
  const { MarketStore } = await dist('store/marketStore.js');
  const { CsvSource } = await dist('data/csvSource.js');
  const { ingest } = await dist('data/ingest.js');
  const dir = join(root, 'data', 'daily');
  const symbols = readdirSync(dir).filter((f) => f.endsWith('.csv.gz')).map((f) => f.replace('.csv.gz', '')).sort();
  const tmp = mkdtempSync(join(tmpdir(), 'aegis-bench-'));
  try {
    const db = openDb(join(tmp, 'bench.sqlite'));
    const t0 = performance.now();
    const r = await ingest(new MarketStore(db), new CsvSource(dir), {
      symbols, from: null, to: null, defaultFrom: '1990-01-01', quality: { maxDailyMove: 0.35, priceTolerance: 1e-6 },
    });
    const seconds = (performance.now() - t0) / 1000;
    db.close();
    const rows = r.symbols.reduce((s, x) => s + x.added, 0);
    console.log(`ingest_csv_symbols: ${symbols.length}`);
    console.log(`ingest_csv_rows: ${rows}`);
    console.log(`ingest_csv_seconds: ${seconds.toFixed(2)}`);
    console.log(`ingest_csv_rows_per_second: ${Math.round(rows / seconds)}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
