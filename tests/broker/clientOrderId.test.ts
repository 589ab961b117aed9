import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientOrderId, isAegisClientOrderId, MAX_CLIENT_ORDER_ID_LENGTH, type OrderIntent } from '../../src/broker/clientOrderId.js';
import { InputError } from '../../src/domain/errors.js';

const base: OrderIntent = { deploymentId: 12, tradingDay: '2026-06-10', symbol: 'SPY', side: 'buy' };

const intentArb = fc.record({
  deploymentId: fc.oneof(fc.nat(), fc.string({ minLength: 1, maxLength: 60 })),
  tradingDay: fc.date({ min: new Date('1990-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  symbol: fc.oneof(fc.constantFrom('SPY', 'BRK.B', 'BRK-B', 'BRK/B', 'brk.b', 'QQQ'), fc.string({ minLength: 1, maxLength: 40 })),
  side: fc.constantFrom('buy' as const, 'sell' as const),
  attempt: fc.option(fc.nat({ max: 1_000_000 }), { nil: undefined }),
});

describe('clientOrderId', () => {
  it('is readable: prefix, deployment, day, symbol, side, then 8 hex', () => {
    expect(clientOrderId(base)).toMatch(/^aegis-d12-20260610-SPY-buy-[0-9a-f]{8}$/);
    expect(clientOrderId({ ...base, attempt: 2 })).toMatch(/^aegis-d12-20260610-SPY-buy-r2-[0-9a-f]{8}$/);
    expect(isAegisClientOrderId(clientOrderId(base))).toBe(true);
    expect(isAegisClientOrderId('5680c4bc-9ac1-4a12-a44c-df427ba53032')).toBe(false);
  });

  it('is pure: the same intent gives the same id (attempt 0 is the default)', () => {
    expect(clientOrderId(base)).toBe(clientOrderId({ ...base }));
    expect(clientOrderId({ ...base, attempt: 0 })).toBe(clientOrderId(base));
    fc.assert(fc.property(intentArb, (i) => clientOrderId(i) === clientOrderId(structuredClone(i))));
  });

  it('differs when any part differs, including symbols that read alike once sanitised', () => {
    const ids = new Set(
      [
        base,
        { ...base, deploymentId: 13 },
        { ...base, deploymentId: '12' }, // "12" and 12 are the same deployment
        { ...base, tradingDay: '2026-06-11' },
        { ...base, symbol: 'QQQ' },
        { ...base, side: 'sell' as const },
        { ...base, attempt: 1 },
        { ...base, symbol: 'BRK.B' },
        { ...base, symbol: 'BRK/B' },
        { ...base, symbol: 'BRK-B' },
      ].map(clientOrderId),
    );
    expect(ids.size).toBe(9);
    expect(clientOrderId({ ...base, deploymentId: '12' })).toBe(clientOrderId(base));
    fc.assert(
      fc.property(intentArb, intentArb, (a, b) => {
        const same = String(a.deploymentId) === String(b.deploymentId) && a.tradingDay === b.tradingDay && a.symbol === b.symbol && a.side === b.side && (a.attempt ?? 0) === (b.attempt ?? 0);
        return same === (clientOrderId(a) === clientOrderId(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('differs when exactly one field changes (near-collisions, not just random pairs)', () => {
    const fields = ['deploymentId', 'tradingDay', 'symbol', 'side', 'attempt'] as const;
    fc.assert(
      fc.property(intentArb, fc.constantFrom(...fields), intentArb, (a, field, other) => {
        const b = { ...a, [field]: other[field] } as OrderIntent;
        const norm = (i: OrderIntent) => JSON.stringify([String(i.deploymentId), i.tradingDay, i.symbol, i.side, i.attempt ?? 0]);
        return (norm(a) === norm(b)) === (clientOrderId(a) === clientOrderId(b));
      }),
      { numRuns: 3000 },
    );
  });

  it('always fits Alpaca limit of 128 characters, in plain characters', () => {
    fc.assert(
      fc.property(intentArb, (i) => {
        const id = clientOrderId(i);
        return id.length <= MAX_CLIENT_ORDER_ID_LENGTH && /^[A-Za-z0-9._-]+$/.test(id);
      }),
    );
  });

  it('refuses malformed intents', () => {
    for (const bad of [
      { ...base, tradingDay: '20260610' },
      { ...base, symbol: '' },
      { ...base, deploymentId: '' },
      { ...base, side: 'short' as never },
      { ...base, attempt: -1 },
      { ...base, attempt: 1.5 },
    ]) {
      expect(() => clientOrderId(bad)).toThrow(InputError);
    }
  });
});
