import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { answer, startFakeAlpaca, type FakeAlpaca, type FakeBar } from '../helpers/fakeAlpaca.js';
import { BUNDLED_DAILY, runAegisAsync, tempDir } from '../helpers/cli.js';

function bundledBars(symbol: string, from: string, to: string): FakeBar[] {
  const text = gunzipSync(readFileSync(join(BUNDLED_DAILY, `${symbol}.csv.gz`))).toString('utf8');
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','))
    .filter((c) => c[0] >= from && c[0] <= to)
    .map((c) => ({ date: c[0], o: +c[1], h: +c[2], l: +c[3], c: +c[4], v: +c[6] }));
}

describe('aegis ingest --source alpaca (real SDK, loopback server)', () => {
  let fake: FakeAlpaca;
  const t = tempDir();
  const spy = bundledBars('SPY', '2019-01-01', '2020-12-31');
  const qqq = bundledBars('QQQ', '2019-01-01', '2020-12-31');
  beforeAll(async () => {
    fake = await startFakeAlpaca();
    fake.bars.set('SPY', spy);
    fake.bars.set('QQQ', qqq);
  });
  beforeEach(() => {
    fake.requests.length = 0;
    fake.faults.length = 0;
    fake.pageSize = 300;
    fake.rateLimitRemaining = 200;
  });
  afterAll(async () => {
    await fake.close();
    t.cleanup();
  });

  const env = () => ({ APCA_API_KEY_ID: fake.keyId, APCA_API_SECRET_KEY: fake.secret, APCA_API_DATA_URL: fake.url });
  const cfg = join(t.dir, 'fast-retry.json');
  writeFileSync(cfg, JSON.stringify({ data: { retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 }, timeoutMs: 3000 } }));
  const ingest = (db: string, extra: string[] = []) =>
    runAegisAsync(['ingest', 'SPY,QQQ', '--source', 'alpaca', '--from', '2019-01-01', '--to', '2020-12-31', '--db', db, '--config', cfg, '--json', ...extra], { env: env() });

  it('fetches many symbols per request, follows next_page_token to the end, stores every bar', async () => {
    const db = join(t.dir, 'a.sqlite');
    const r = await ingest(db);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout).symbols;
    expect(out).toEqual([
      { symbol: 'SPY', added: spy.length, first: spy[0].date, last: spy.at(-1)!.date, issues: 0, error: null },
      { symbol: 'QQQ', added: qqq.length, first: qqq[0].date, last: qqq.at(-1)!.date, issues: 0, error: null },
    ]);
    const pages = Math.ceil((spy.length + qqq.length) / 300);
    expect(fake.requests).toHaveLength(pages);
    const first = new URL(fake.requests[0].url, 'http://x');
    expect(first.searchParams.get('symbols')).toBe('SPY,QQQ');
    expect(first.searchParams.get('adjustment')).toBe('all');
    expect(first.searchParams.get('timeframe')).toBe('1Day');
    expect(new URL(fake.requests[1].url, 'http://x').searchParams.get('page_token')).toBe('300');
    // Exchange dates, not UTC dates of the timestamps: the stored close of a date is that date's close.
    const conn = new Database(db, { readonly: true });
    const row = conn.prepare("SELECT close FROM bars WHERE symbol='SPY' AND date=?").get(spy[100].date) as { close: number };
    expect(row.close).toBe(spy[100].c);
    conn.close();
  });

  it('retries scripted 429 and 500 answers and still stores everything', async () => {
    fake.faults.push(
      answer(429, { code: 42910000, message: 'rate limit exceeded' }, { 'retry-after': '0', 'x-ratelimit-remaining': '0' }),
      answer(500, { code: 50010000, message: 'internal server error' }),
    );
    const db = join(t.dir, 'b.sqlite');
    const r = await ingest(db);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).symbols.map((s: { added: number }) => s.added)).toEqual([spy.length, qqq.length]);
    expect(r.stderr).toMatch(/429.*retrying/);
    expect(r.stderr).toMatch(/500.*retrying/);
  });

  it('waits for X-RateLimit-Reset when the remaining budget is spent', async () => {
    fake.rateLimitRemaining = 1; // the first page answers remaining=0
    const db = join(t.dir, 'c.sqlite');
    const r = await ingest(db);
    expect(r.code, r.stderr).toBe(0);
    const gap = fake.requests[1].at - fake.requests[0].at;
    expect(gap).toBeGreaterThanOrEqual(200); // reset is the next whole second
    expect(r.stderr).toMatch(/rate limit reached; waiting/);
  });

  it('a persistent 500 fails the symbols with a clear error (exit 1) and stores nothing', async () => {
    for (let i = 0; i < 3; i++) fake.faults.push(answer(500, { code: 50010000, message: 'internal server error' }));
    const db = join(t.dir, 'd.sqlite');
    const r = await ingest(db);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout).symbols;
    expect(out[0].error).toMatch(/Alpaca answered 500.*gave up after 3 attempt/);
    const conn = new Database(db, { readonly: true });
    expect(conn.prepare('SELECT COUNT(*) n FROM bars').get()).toEqual({ n: 0 });
    conn.close();
  });

  it('refused keys are reported without revealing them', async () => {
    const db = join(t.dir, 'e.sqlite');
    const r = await runAegisAsync(['ingest', 'SPY', '--source', 'alpaca', '--db', db, '--json'], {
      env: { ...env(), APCA_API_SECRET_KEY: 'wrong-secret-canary-123' },
    });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).symbols[0].error).toMatch(/refused the credentials/);
    expect(r.stdout + r.stderr).not.toContain('wrong-secret-canary-123');
  });

  it('missing keys are an input error', async () => {
    const r = await runAegisAsync(['ingest', 'SPY', '--source', 'alpaca', '--db', join(t.dir, 'f.sqlite')], {
      env: { APCA_API_KEY_ID: undefined, APCA_API_SECRET_KEY: undefined, APCA_API_DATA_URL: fake.url },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('set APCA_API_KEY_ID and APCA_API_SECRET_KEY');
  });
});
