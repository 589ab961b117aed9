import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientOrderId } from '../../src/broker/clientOrderId.js';
import { OrderRejectedError, OrderStateUnknownError, type OrderRequest } from '../../src/broker/types.js';
import { AegisError, InputError } from '../../src/domain/errors.js';
import {
  answer,
  createdThenDropped,
  dropConnection,
  hang,
  on,
  processThen,
  rateLimited,
  serverError,
  type Fault,
} from '../helpers/fakeAlpaca.js';
import { failure, useFakeBroker } from './setup.js';

const ORDERS = '/v2/orders';
const LOOKUP = '/v2/orders:by_client_order_id';

function intent(symbol = 'SPY', side: 'buy' | 'sell' = 'buy', notional = 1000, deploymentId = 12): OrderRequest {
  return { clientOrderId: clientOrderId({ deploymentId, tradingDay: '2026-06-10', symbol, side }), symbol, side, notional, type: 'market', timeInForce: 'day' };
}

describe('AlpacaBroker orders: happy paths', () => {
  const h = useFakeBroker();

  it('submits a notional market day order that fills; the fill moves cash and positions', async () => {
    const o = intent('SPY', 'buy', 1000.129);
    const placed = await h.broker().submitOrder(o);
    expect(placed).toMatchObject({ clientOrderId: o.clientOrderId, symbol: 'SPY', side: 'buy', status: 'filled', rawStatus: 'filled', notional: 1000.12, qty: null, filledQty: 2.00024, filledAvgPrice: 500 });
    expect(placed.submittedAt).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);
    expect(placed.filledAt).not.toBeNull();
    // Notional is rounded down to the cent, never up past what the limits approved.
    expect(JSON.parse(h.calls('POST', ORDERS)[0].body)).toEqual({ client_order_id: o.clientOrderId, symbol: 'SPY', side: 'buy', type: 'market', time_in_force: 'day', notional: '1000.12' });
    expect(h.fake.account.cash).toBeCloseTo(100_000 - 1000.12, 6);
    expect(await h.broker().positions()).toEqual([{ symbol: 'SPY', qty: 2.00024, marketValue: 1000.12, avgEntryPrice: 500 }]);
  });

  it('submits a fractional qty order and a sell', async () => {
    const b = h.broker();
    const buy = await b.submitOrder({ ...intent('QQQ', 'buy'), notional: undefined, qty: 2.5 });
    expect(buy).toMatchObject({ qty: 2.5, notional: null, filledQty: 2.5, status: 'filled' });
    const sell = await b.submitOrder({ ...intent('QQQ', 'sell'), notional: 400 });
    expect(sell).toMatchObject({ side: 'sell', filledQty: 1, status: 'filled' });
    expect((await b.positions())[0]).toMatchObject({ symbol: 'QQQ', qty: 1.5 });
  });

  it('getOrderByClientId: the order, or null when the broker does not know it', async () => {
    const b = h.broker();
    const placed = await b.submitOrder(intent());
    expect(await b.getOrderByClientId(placed.clientOrderId)).toEqual(placed);
    expect(await b.getOrderByClientId('aegis-unknown')).toBeNull();
  });

  it('listOrders filters by status and after, oldest first, and pages past the page size without losing or repeating', async () => {
    h.fake.fillMode = 'manual';
    const b = h.broker({ listPageSize: 2 });
    const placed = [];
    for (const s of ['SPY', 'QQQ', 'TLT']) for (const side of ['buy'] as const) placed.push(await b.submitOrder(intent(s, side, 100)));
    for (const d of [13, 14]) placed.push(await b.submitOrder(intent('SPY', 'buy', 100, d)));
    h.fake.fill(placed[0].clientOrderId);
    h.fake.finish(placed[1].clientOrderId, 'expired');
    const ids = (xs: { clientOrderId: string }[]) => xs.map((x) => x.clientOrderId);
    expect(ids(await b.listOrders({ status: 'all' }))).toEqual(ids(placed));
    expect(ids(await b.listOrders({ status: 'open' }))).toEqual(ids(placed.slice(2)));
    expect(ids(await b.listOrders({ status: 'closed' }))).toEqual(ids(placed.slice(0, 2)));
    const closed = await b.listOrders({ status: 'closed' });
    expect(closed.map((o) => o.status)).toEqual(['filled', 'expired']);
    // `after` is exclusive; the fake stamps orders microseconds apart, several in one millisecond.
    const cut = h.fake.orders[2].submitted_at;
    expect(ids(await b.listOrders({ status: 'all', after: cut }))).toEqual(ids(placed.slice(3)));
  });

  it('cancelOrder cancels an open order, succeeds again on an already canceled one, refuses a filled one', async () => {
    h.fake.fillMode = 'manual';
    const b = h.broker();
    const open = await b.submitOrder(intent());
    expect(open.status).toBe('accepted');
    await b.cancelOrder(open.id);
    expect((await b.getOrderByClientId(open.clientOrderId))?.status).toBe('canceled');
    await b.cancelOrder(open.id); // a rerun, or a retry after a lost 204
    const filled = await b.submitOrder(intent('QQQ'));
    h.fake.fill(filled.id);
    expect((await failure(b.cancelOrder(filled.id))).message).toMatch(/is filled.*can no longer be canceled/);
    expect((await failure(b.cancelOrder('no-such-order'))).message).toMatch(/does not know this order/);
  });

  it('a partial fill reads as partially_filled with the filled quantity and price', async () => {
    h.fake.fillMode = 'manual';
    const b = h.broker();
    const o = await b.submitOrder({ ...intent(), notional: undefined, qty: 4 });
    h.fake.fill(o.id, { qty: 1, price: 501 });
    expect(await b.getOrderByClientId(o.clientOrderId)).toMatchObject({ status: 'partially_filled', filledQty: 1, filledAvgPrice: 501, qty: 4 });
  });
});

describe('AlpacaBroker orders: never duplicated, never lost', () => {
  const h = useFakeBroker();
  const posts = () => h.calls('POST', ORDERS).length;
  const lookups = () => h.calls('GET', LOOKUP).length;
  const heldFor = (cid: string) => h.fake.ordersByClientId().get(cid) ?? [];

  it('500 on POST (not created) -> lookup -> not found -> resubmitted once with the same id -> exactly one order', async () => {
    const o = intent();
    h.fake.faults.push(on('POST', ORDERS, serverError(500)));
    const placed = await h.broker().submitOrder(o);
    expect(placed.status).toBe('filled');
    expect(heldFor(o.clientOrderId)).toHaveLength(1);
    expect(h.fake.requests.map((r) => `${r.method} ${new URL(r.url, 'http://x').pathname}`)).toEqual([`POST ${ORDERS}`, `GET ${LOOKUP}`, `POST ${ORDERS}`]);
    expect(h.calls('POST', ORDERS).map((r) => JSON.parse(r.body).client_order_id)).toEqual([o.clientOrderId, o.clientOrderId]);
    expect(h.logs.join('')).toMatch(/submitting again with the same client_order_id/);
  });

  it('created, then the connection dropped -> lookup finds it -> exactly one order, no second POST', async () => {
    const o = intent();
    h.fake.faults.push(on('POST', ORDERS, createdThenDropped()));
    const placed = await h.broker().submitOrder(o);
    expect(heldFor(o.clientOrderId)).toHaveLength(1);
    expect(placed.id).toBe(heldFor(o.clientOrderId)[0].id);
    expect(posts()).toBe(1);
    expect(lookups()).toBe(1);
  });

  it('created, then a 502 from a gateway -> lookup finds it -> no second POST', async () => {
    const o = intent();
    h.fake.faults.push(on('POST', ORDERS, processThen(serverError(502))));
    await h.broker().submitOrder(o);
    expect(heldFor(o.clientOrderId)).toHaveLength(1);
    expect(posts()).toBe(1);
  });

  it('created, then no answer until the client times out -> lookup finds it -> no second POST', async () => {
    const o = intent();
    h.fake.faults.push(on('POST', ORDERS, processThen(hang())));
    const t0 = Date.now();
    await h.broker().submitOrder(o);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    expect(heldFor(o.clientOrderId)).toHaveLength(1);
    expect(posts()).toBe(1);
  });

  it('a POST that hangs without creating, or loses its connection, is looked up and resubmitted once', async () => {
    for (const [i, fault] of [hang(), dropConnection()].entries()) {
      h.fake.requests.length = 0;
      const o = intent('SPY', 'buy', 100, 100 + i);
      h.fake.faults.push(on('POST', ORDERS, fault));
      await h.broker().submitOrder(o);
      expect(heldFor(o.clientOrderId)).toHaveLength(1);
      expect(posts()).toBe(2);
      expect(lookups()).toBe(1);
    }
  });

  it('a duplicate 422 means the order exists: it is looked up and returned (a rerun after a crash)', async () => {
    const o = intent();
    const first = await h.broker().submitOrder(o);
    // A new process (new broker instance) runs the same intent again.
    const again = await h.broker().submitOrder(o);
    expect(again.id).toBe(first.id);
    expect(heldFor(o.clientOrderId)).toHaveLength(1);
    expect(posts()).toBe(2); // the second was refused by the broker as a duplicate
    expect(h.logs.join('')).toMatch(/already holds this client_order_id/);
  });

  it('a 429 on POST waits as told, then looks up, then submits', async () => {
    const o = intent();
    h.fake.faults.push(on('POST', ORDERS, rateLimited(1)));
    const t0 = Date.now();
    await h.broker().submitOrder(o);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(heldFor(o.clientOrderId)).toHaveLength(1);
    expect(posts()).toBe(2);
    expect(lookups()).toBe(1);
  });

  it('bounded: POSTs that keep failing end in OrderStateUnknownError after submitAttempts, nothing placed', async () => {
    const o = intent();
    for (let i = 0; i < 5; i++) h.fake.faults.push(on('POST', ORDERS, serverError(503)));
    const err = await failure(h.broker({ submitAttempts: 3 }).submitOrder(o));
    expect(err).toBeInstanceOf(OrderStateUnknownError);
    expect((err as OrderStateUnknownError).clientOrderId).toBe(o.clientOrderId);
    expect(err.message).toMatch(/3 submission\(s\) failed.*reconcile by client_order_id/);
    expect(posts()).toBe(3);
    expect(lookups()).toBe(3);
    expect(heldFor(o.clientOrderId)).toHaveLength(0);
  });

  it('when the POST fails and the lookup fails too, nothing more is sent', async () => {
    const o = intent();
    h.fake.faults.push(on('POST', ORDERS, createdThenDropped()));
    for (let i = 0; i < 3; i++) h.fake.faults.push(on('GET', LOOKUP, serverError(500)));
    const err = await failure(h.broker().submitOrder(o));
    expect(err).toBeInstanceOf(OrderStateUnknownError);
    expect(err.message).toMatch(/lookup failed too/);
    expect(posts()).toBe(1);
    expect(lookups()).toBe(3); // the lookup is a read: retried
    // The next run finds the order instead of placing another.
    const rerun = await h.broker().submitOrder(o);
    expect(rerun.id).toBe(heldFor(o.clientOrderId)[0].id);
    expect(heldFor(o.clientOrderId)).toHaveLength(1);
  });

  it('a definitive refusal is not retried and not looked up', async () => {
    h.fake.account.cash = 500;
    const err = await failure(h.broker().submitOrder(intent('SPY', 'buy', 1000)));
    expect(err).toBeInstanceOf(OrderRejectedError);
    expect(err.message).toMatch(/refused the order \(403, code 40310000\): insufficient buying power/);
    expect(posts()).toBe(1);
    expect(lookups()).toBe(0);
    // Alpaca uses 40010001 for many validation errors: only the message says "duplicate".
    h.fake.faults.push(on('POST', ORDERS, answer(422, { code: 40010001, message: 'qty must be > 0' })));
    const err2 = await failure(h.broker().submitOrder(intent('QQQ', 'buy', 10)));
    expect(err2).toBeInstanceOf(OrderRejectedError);
    expect(lookups()).toBe(0);
    const err3 = await failure(h.broker().submitOrder(intent('NOPE', 'buy', 10)));
    expect(err3.message).toMatch(/asset "NOPE" not found/);
  });

  it('malformed requests are refused locally, before anything is sent', async () => {
    const b = h.broker();
    const bad: OrderRequest[] = [
      { ...intent(), qty: 1 },
      { ...intent(), notional: undefined },
      { ...intent(), notional: -5 },
      { ...intent(), notional: Number.NaN },
      { ...intent(), notional: 0.004 },
      { ...intent(), clientOrderId: 'x'.repeat(129) },
      { ...intent(), symbol: '' },
    ];
    for (const o of bad) expect(await failure(b.submitOrder(o))).toBeInstanceOf(InputError);
    expect(h.fake.requests).toHaveLength(0);
  });

  it('an existing order under the id that is another intent is refused, not taken for this one', async () => {
    const o = intent('SPY');
    await h.broker().submitOrder(o);
    const err = await failure(h.broker().submitOrder({ ...o, symbol: 'QQQ' }));
    expect(err).toBeInstanceOf(AegisError);
    expect(err.message).toMatch(/is buy SPY; refusing/);
    expect(h.fake.orders).toHaveLength(1);
  });

  it('chaos: any scripted faults on POST and lookup, then a rerun: exactly one order per intent', async () => {
    type Kind = 'ok' | '500' | 'drop' | 'createdDrop' | 'created502' | 'hang' | 'createdHang' | '429';
    const make: Record<Kind, () => Fault | undefined> = {
      ok: () => undefined,
      '500': () => serverError(500),
      drop: () => dropConnection(),
      createdDrop: () => createdThenDropped(),
      created502: () => processThen(serverError(502)),
      hang: () => hang(),
      createdHang: () => processThen(hang()),
      '429': () => rateLimited(0),
    };
    const kinds = Object.keys(make) as Kind[];
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ route: fc.constantFrom(ORDERS, LOOKUP), kind: fc.constantFrom(...kinds) }), { maxLength: 6 }),
        async (script) => {
          h.fake.faults.length = 0;
          const o = intent('SPY', 'buy', 50, 1000 + n++);
          const before = h.fake.orders.length;
          for (const { route, kind } of script) {
            const f = make[kind]();
            if (f) h.fake.faults.push(on(route === ORDERS ? 'POST' : 'GET', route, f));
          }
          const broker = h.broker({ timeoutMs: 150, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 } });
          const first = await broker.submitOrder(o).catch((e: unknown) => e);
          if (first instanceof Error) expect(first).toBeInstanceOf(OrderStateUnknownError);
          // Counted over everything the broker holds, not per id: a retry under a new id would show.
          expect(h.fake.orders.length - before).toBeLessThanOrEqual(1);
          // The crash/rerun: a new process, the network healthy again.
          h.fake.faults.length = 0;
          const rerun = await h.broker().submitOrder(o);
          expect(h.fake.orders.length - before).toBe(1);
          expect(heldFor(o.clientOrderId)).toHaveLength(1);
          expect(rerun.id).toBe(heldFor(o.clientOrderId)[0].id);
          if (!(first instanceof Error)) expect((first as { id: string }).id).toBe(rerun.id);
        },
      ),
      { numRuns: 40, seed: 20260610 },
    );
    // Every intent of the property ended as exactly one order at the broker.
    for (const list of h.fake.ordersByClientId().values()) expect(list).toHaveLength(1);
  }, 120_000);
});
