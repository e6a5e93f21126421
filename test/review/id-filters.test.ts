import { dataFixture, type DataFixture } from '../data/setup';

/** List filters by id used to pass any run of digits to Postgres, which fails beyond its integer range. */
let f: DataFixture;
let item: { id: number };

beforeAll(async () => {
  f = await dataFixture();
  item = (await f.call('post', '/items/', { name: { en: 'Ticket' }, default_price: '10.00' })).body;
  await f.call('post', '/waitinglistentries/', { item: item.id, email: 'wait@example.org' }).expect(201);
});
afterAll(() => f.ctx.close());

describe('an id filter beyond Postgres integers matches nothing instead of failing', () => {
  test.each(['/items/?category=99999999999999999999', '/waitinglistentries/?item=99999999999999999999'])(
    'GET %s',
    async (path) => {
      const res = await f.call('get', path);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ count: 0, results: [] });
    },
  );

  test('the same filters with a real id still match', async () => {
    const res = await f.call('get', `/waitinglistentries/?item=${item.id}`);
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(1);
  });
});
