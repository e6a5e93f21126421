import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { dataFixture, type DataFixture } from '../data/setup';
import { uniqueSlug } from '../support/factories';

/**
 * Inputs JavaScript accepts but Postgres (or pretix's clients) cannot hold used to answer 500 or be stored
 * wrongly. Each is a 400 with the field's message, and nothing is written.
 */
let f: DataFixture;
let item: { id: number };
const events = () => `/api/v1/organizers/${f.organizer.slug}/events/`;
const FORMAT = [
  'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
];
const OUT_OF_RANGE = ['-271821-04-20T00:00:00Z', '+010000-01-01T00:00:00Z', '0000-06-01T00:00:00Z'];

beforeAll(async () => {
  f = await dataFixture();
  item = (await f.call('post', '/items/', { name: { en: 'Ticket' }, default_price: '10.00' }).expect(201))
    .body;
});
afterAll(() => f.ctx.close());

async function eventCount(): Promise<number> {
  const [row] = await f.ctx.runtime.db('events').where('organizer_id', f.organizer.id).count({ n: '*' });
  return Number(row!.n);
}

describe('a date-time outside years 1 to 9999 answers 400 with the field message', () => {
  test.each(OUT_OF_RANGE)('POST events/ with date_from %s writes no event', async (date) => {
    const before = await eventCount();
    const res = await request(f.ctx.app)
      .post(events())
      .set('Authorization', f.admin)
      .send({ name: { en: 'Far' }, slug: uniqueSlug('far'), date_from: date });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ date_from: FORMAT });
    expect(await eventCount()).toBe(before);
  });

  test.each(OUT_OF_RANGE)('PATCH events/{e}/ with presale_end %s', async (date) => {
    const res = await request(f.ctx.app)
      .patch(`${f.base}/`)
      .set('Authorization', f.admin)
      .send({ presale_end: date });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ presale_end: FORMAT });
  });

  test.each(OUT_OF_RANGE)('POST orders/ with payment_date %s writes no order', async (date) => {
    const res = await f.call('post', '/orders/', {
      email: 'far@example.org',
      positions: [{ item: item.id }],
      payment_date: date,
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ payment_date: FORMAT });
    expect(await f.ctx.runtime.db('orders').where('event_id', f.event.id).count({ n: '*' })).toEqual([
      { n: 0 },
    ]);
  });

  test.each(OUT_OF_RANGE)('GET events/?date_from_after=%s', async (date) => {
    const res = await request(f.ctx.app)
      .get(`${events()}?date_from_after=${encodeURIComponent(date)}`)
      .set('Authorization', f.admin);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ date_from_after: ['Enter a valid date/time.'] });
  });

  test.each(OUT_OF_RANGE)('GET orders/?modified_since=%s', async (date) => {
    const res = await f.call('get', `/orders/?modified_since=${encodeURIComponent(date)}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ modified_since: ['Enter a valid date/time.'] });
  });

  test.each(['+010000-01-01', '0000-01-01'])(
    'PATCH settings/ with the date setting payment_term_last %s',
    async (date) => {
      const res = await f.call('patch', '/settings/', { payment_term_last: date });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ payment_term_last: ['Invalid relative date'] });
    },
  );

  test('a date frame in year 0 is an invalid date frame and starts no export', async () => {
    const res = await f.call('post', '/exporters/orderlist/run/', {
      _format: 'xlsx',
      date_range: '0000-01-01/2030-01-01',
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ date_range: ['Invalid date frame'] });
  });

  test('years 1 and 9999 are still accepted', async () => {
    const res = await request(f.ctx.app)
      .post(events())
      .set('Authorization', f.admin)
      .send({
        name: { en: 'Edges' },
        slug: uniqueSlug('edge'),
        date_from: '0001-01-01T00:00:00Z',
        date_to: '9999-12-31T23:59:59Z',
      });
    expect(res.status).toBe(201);
    expect([res.body.date_from, res.body.date_to]).toEqual(['0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z']);
  });
});

describe('compressed bodies', () => {
  let server: Server;
  beforeAll(async () => {
    server = f.ctx.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  /** Sent with fetch: superagent would serialise a Buffer under a JSON Content-Type as JSON. */
  async function postGzip(body: Buffer): Promise<{ status: number; body: Record<string, unknown> }> {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}${events()}`, {
      method: 'POST',
      headers: { Authorization: f.admin, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  test('a gzip body is inflated and accepted', async () => {
    const slug = uniqueSlug('gz');
    const res = await postGzip(
      gzipSync(JSON.stringify({ name: { en: 'Zipped' }, slug, date_from: '2030-01-01T10:00:00Z' })),
    );
    expect(res.status).toBe(201);
    expect(res.body.slug).toBe(slug);
  });

  test('a gzip body that inflates beyond the 5 MB limit answers 413 and writes nothing', async () => {
    const before = await eventCount();
    const padding = ' '.repeat(6 * 1024 * 1024);
    const bomb = gzipSync(
      `{"name": {"en": "Bomb"}, "slug": "${uniqueSlug('bomb')}",${padding} "date_from": "2030-01-01T10:00:00Z"}`,
    );
    expect(bomb.length).toBeLessThan(64 * 1024);
    const res = await postGzip(bomb);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ detail: 'Request body too large.' });
    expect(await eventCount()).toBe(before);
  });

  /** An event whose English name is `escapedName`, a JSON string body as a client would write it. */
  const eventWithName = (escapedName: string) =>
    request(f.ctx.app)
      .post(events())
      .set('Authorization', f.admin)
      .set('Content-Type', 'application/json')
      .send(
        `{"name": {"en": "${escapedName}"}, "slug": "${uniqueSlug('s')}", "date_from": "2030-01-01T10:00:00Z"}`,
      );

  test('a lone surrogate in a stored field writes nothing', async () => {
    const before = await eventCount();
    const res = await eventWithName('\\ud83d');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ name: { en: ['Surrogate characters are not allowed: U+D83D.'] } });
    expect(await eventCount()).toBe(before);
  });

  test('a surrogate pair (an emoji) is stored as sent', async () => {
    const res = await eventWithName('\\ud83c\\udf89 Party');
    expect(res.status).toBe(201);
    expect(res.body.name).toEqual({ en: '🎉 Party' });
  });
});
