import request from 'supertest';
import { dataFixture, type DataFixture } from '../data/setup';

/** NUL characters used to reach Postgres (text and jsonb cannot hold them) and answer 500. */
let f: DataFixture;
let item: { id: number };

beforeAll(async () => {
  f = await dataFixture();
  item = (await f.call('post', '/items/', { name: { en: 'Ticket' }, default_price: '10.00' })).body;
  await f.call('post', '/waitinglistentries/', { item: item.id, email: 'wait@example.org' }).expect(201);
});
afterAll(() => f.ctx.close());

const NULL_CHARACTERS = ['Null characters are not allowed.'];

describe('a NUL character in a query parameter answers 400 keyed by the parameter', () => {
  test.each([
    ['/orders/?email=a%00b', 'email'],
    ['/orders/?code=%00', 'code'],
    ['/waitinglistentries/?email=%00', 'email'],
  ])('GET %s', async (path, param) => {
    const res = await f.call('get', path);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ [param]: NULL_CHARACTERS });
  });

  test.each([
    ['search', 'search'],
    ['sales_channel', 'sales_channel'],
  ])('GET events/?%s=%%00', async (param) => {
    const res = await request(f.ctx.app)
      .get(`/api/v1/organizers/${f.organizer.slug}/events/?${param}=%00`)
      .set('Authorization', f.admin);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ [param]: NULL_CHARACTERS });
  });
});

describe('a NUL character in a body answers 400 keyed by the field and writes nothing', () => {
  test('POST items/ with a NUL in a nested i18n string', async () => {
    const res = await f.call('post', '/items/', { name: { en: 'Tic\u0000ket' }, default_price: '10.00' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ name: { en: NULL_CHARACTERS } });
    const names = await f.ctx.runtime.db('items').where('event_id', f.event.id).pluck('name');
    expect(names).toEqual([{ en: 'Ticket' }]);
  });

  test('POST waitinglistentries/ with a NUL in the email', async () => {
    const res = await f.call('post', '/waitinglistentries/', { item: item.id, email: 'a\u0000@example.org' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ email: NULL_CHARACTERS });
  });

  test('PATCH events/{e}/ with a NUL inside a list', async () => {
    const res = await request(f.ctx.app)
      .patch(`${f.base}/`)
      .set('Authorization', f.admin)
      .send({ plugins: ['pretix.plugins.banktransfer\u0000'] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ plugins: { 0: NULL_CHARACTERS } });
  });
});

describe('a NUL character in a path segment answers 404', () => {
  test.each(['/orders/AB%00C/', '/items/%00/'])('GET %s', async (path) => {
    const res = await f.call('get', path);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Not found.' });
  });

  test('an event slug with a NUL', async () => {
    const res = await request(f.ctx.app)
      .get(`/api/v1/organizers/${f.organizer.slug}/events/x%00y/`)
      .set('Authorization', f.admin);
    expect(res.status).toBe(404);
  });
});
