import { describe, expect, it } from 'vitest';
import { TemporaryError } from '../../src/domain/errors.js';
import { hang, on, rateLimited, serverError } from '../helpers/fakeAlpaca.js';
import { failure, useFakeBroker } from './setup.js';

describe('AlpacaBroker reads (real SDK against the loopback fake)', () => {
  const h = useFakeBroker();

  it('account: numbers, not strings; id and status for the operator to confirm; keys sent as headers', async () => {
    h.fake.account.cash = 12345.67;
    const a = await h.broker().account();
    expect(a).toEqual({ id: 'acc-fake-0001', status: 'ACTIVE', tradingBlocked: false, cash: 12345.67, equity: 12345.67, buyingPower: 12345.67, currency: 'USD' });
    const req = h.calls('GET', '/v2/account')[0];
    expect(req.headers['apca-api-key-id']).toBe(h.fake.keyId);
    h.fake.account.trading_blocked = true;
    expect((await h.broker().account()).tradingBlocked).toBe(true);
  });

  it('clock: UTC ISO instants', async () => {
    expect(await h.broker().clock()).toEqual({
      timestamp: '2026-06-10T18:15:22.000Z',
      isOpen: true,
      nextOpen: '2026-06-11T13:30:00.000Z',
      nextClose: '2026-06-10T20:00:00.000Z',
    });
  });

  it('calendar: sessions between two dates inclusive, holidays absent, early closes kept', async () => {
    const days = await h.broker().calendar('2026-06-17', '2026-06-22');
    // 2026-06-19 is Juneteenth (a Friday); 20-21 a weekend.
    expect(days).toEqual([
      { date: '2026-06-17', open: '09:30', close: '16:00' },
      { date: '2026-06-18', open: '09:30', close: '16:00' },
      { date: '2026-06-22', open: '09:30', close: '16:00' },
    ]);
    h.fake.sessions = [
      { date: '2026-11-25', open: '09:30', close: '16:00' },
      { date: '2026-11-27', open: '09:30', close: '13:00' },
    ];
    expect(await h.broker().calendar('2026-11-27', '2026-11-27')).toEqual([{ date: '2026-11-27', open: '09:30', close: '13:00' }]);
  });

  it('positions: numbers, shorts negative', async () => {
    h.fake.positions.set('SPY', { qty: 10, avgEntryPrice: 450 });
    h.fake.positions.set('TLT', { qty: -5, avgEntryPrice: 100 });
    const ps = await h.broker().positions();
    expect(ps).toEqual([
      { symbol: 'SPY', qty: 10, marketValue: 5000, avgEntryPrice: 450 },
      { symbol: 'TLT', qty: -5, marketValue: -450, avgEntryPrice: 100 },
    ]);
  });

  it('a 429 on a read is retried after the server-given delay', async () => {
    h.fake.faults.push(on('GET', '/v2/account', rateLimited(1)));
    const t0 = Date.now();
    const a = await h.broker().account();
    expect(a.id).toBe('acc-fake-0001');
    const calls = h.calls('GET', '/v2/account');
    expect(calls).toHaveLength(2);
    // Retry-After: 1 is honoured (the backoff alone would be 10-50 ms).
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(900);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(h.logs.join('')).toMatch(/429.*retrying/);
  });

  it('a 500 on a read is retried with backoff', async () => {
    h.fake.faults.push(on('GET', '/v2/positions', serverError(500)), on('GET', '/v2/positions', serverError(503)));
    expect(await h.broker().positions()).toEqual([]);
    expect(h.calls('GET', '/v2/positions')).toHaveLength(3);
  });

  it('a persistent 500 gives up after the configured attempts with a temporary error', async () => {
    for (let i = 0; i < 3; i++) h.fake.faults.push(serverError(500));
    const err = await failure(h.broker().clock());
    expect(err).toBeInstanceOf(TemporaryError);
    expect(err.message).toMatch(/Alpaca answered 500.*gave up after 3 attempt/);
    expect(h.fake.requests).toHaveLength(3);
  });

  it('a hung read times out and is retried; a read that always hangs fails in bounded time', async () => {
    h.fake.faults.push(hang());
    const t0 = Date.now();
    expect((await h.broker().account()).id).toBe('acc-fake-0001');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);

    for (let i = 0; i < 3; i++) h.fake.faults.push(hang());
    const t1 = Date.now();
    const err = await failure(h.broker().account());
    expect(err).toBeInstanceOf(TemporaryError);
    expect(err.message).toMatch(/timed out/);
    expect(Date.now() - t1).toBeLessThan(5000);
  });

  it('pauses until X-RateLimit-Reset when the budget is spent', async () => {
    h.fake.rateLimitRemaining = 1; // the first answer says remaining=0
    const b = h.broker();
    await b.clock();
    await b.clock();
    const [first, second] = h.calls('GET', '/v2/clock');
    expect(second.at - first.at).toBeGreaterThanOrEqual(200); // the reset is the next whole second
    expect(h.logs.join('')).toMatch(/rate limit reached; waiting/);
  });
});
