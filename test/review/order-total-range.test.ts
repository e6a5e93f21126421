import { dataFixture, orderDataCounts, type DataFixture } from '../data/setup';

/** Prices and fees each fit numeric(13,2), but their sum could overflow the order total and answered 500. */
let f: DataFixture;
let item: { id: number };

beforeAll(async () => {
  f = await dataFixture();
  item = (await f.call('post', '/items/', { name: 'Ticket', default_price: '10.00' })).body;
  await f.call('post', '/quotas/', { name: 'All', size: null, items: [item.id] }).expect(201);
});
afterAll(() => f.ctx.close());

const TOO_LARGE = {
  non_field_errors: ['The order total is too large: it must stay below 100000000000.00.'],
};

test.each([
  ['a fee', { positions: [{}], fees: [{ fee_type: 'payment', value: '99999999999' }] }],
  ['two positions', { positions: [{ price: '99999999999.00' }, { price: '1.00' }] }],
])('an order whose total overflows through %s answers 400 and writes nothing', async (_label, body) => {
  const before = await orderDataCounts(f);
  const positions = (body.positions as object[]).map((position) => ({ item: item.id, ...position }));
  const res = await f.call('post', '/orders/', { email: 'a@example.org', ...body, positions });
  expect(res.status).toBe(400);
  expect(res.body).toEqual(TOO_LARGE);
  expect(await orderDataCounts(f)).toEqual(before);
});

test('the largest total that fits is still accepted', async () => {
  const res = await f.call('post', '/orders/', {
    email: 'a@example.org',
    positions: [{ item: item.id, price: '99999999998.99' }],
    fees: [{ fee_type: 'payment', value: '1.00' }],
  });
  expect(res.status).toBe(201);
  expect(res.body.total).toBe('99999999999.99');
});
