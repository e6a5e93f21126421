import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { makeOrganizer, makeTeamWithToken, uniqueSlug } from '../support/factories';
import { expectedDummy, makeDummy } from './fixtures';

let ctx: TestContext;
const db = () => ctx.runtime.db;

beforeAll(() => {
  ctx = createTestContext();
});
afterAll(() => ctx.close());

describe("GET …/events/ on pretix's fixture (cases 1–3)", () => {
  let dummy: Awaited<ReturnType<typeof makeDummy>>;
  let ev: ReturnType<typeof expectedDummy>;
  const list = (query = '') =>
    request(ctx.app)
      .get(`/api/v1/organizers/${dummy.organizer.slug}/events/${query}`)
      .set('Authorization', dummy.authorization);
  const results = async (query: string) => {
    const res = await list(query);
    expect(res.status).toBe(200);
    return res.body.results;
  };

  beforeAll(async () => {
    dummy = await makeDummy(db());
    ev = expectedDummy(dummy.organizer.slug, dummy.event.slug);
  });

  test('lists the event without valid_keys', async () => {
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ count: 1, next: null, previous: null, results: [ev] });
  });

  test.each([
    ['?live=true', false],
    ['?live=false', true],
    ['?testmode=true', false],
    ['?testmode=false', true],
    ['?is_public=false', false],
    ['?is_public=true', true],
    ['?has_subevents=true', false],
    ['?has_subevents=false', true],
    ['?ends_after=2017-12-27T10:01:00Z', false],
    ['?ends_after=2017-12-27T09:59:59Z', true],
    ['?attr[type]=Conference', true],
    ['?attr[type]=', true],
    ['?attr[type]=Unknown', false],
    ['?date_from_after=2017-12-27T10:00:00Z', true],
    ['?date_from_after=2017-12-27T10:00:01Z', false],
    ['?search=Dummy', true],
    ['?search=notdummy', false],
  ])('%s → %s', async (query, found) => {
    expect(await results(query)).toEqual(found ? [ev] : []);
  });

  test('with_availability_for=web adds best_availability_state null while there are no quotas', async () => {
    expect(await results('?with_availability_for=web')).toEqual([{ ...ev, best_availability_state: null }]);
  });

  test('an unknown sales channel for with_availability_for → 404', async () => {
    const res = await list('?with_availability_for=nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'No SalesChannel matches the given query.' });
  });
});

describe('GET …/events/ filters with boundary values', () => {
  let organizer: { id: number; slug: string };
  let authorization: string;
  const ids = new Map<string, number>();
  const hour = 3600 * 1000;
  const now = Date.now();
  const at = (offset: number) => new Date(now + offset).toISOString();

  const add = async (key: string, fields: Record<string, unknown>) => {
    const [row] = await db()('events')
      .insert({
        organizer_id: organizer.id,
        slug: `${key}`,
        name: JSON.stringify({ en: `Event ${key}` }),
        date_from: '2020-01-01T10:00:00Z',
        ...fields,
      })
      .returning('id');
    ids.set(key, row.id);
  };

  beforeAll(async () => {
    organizer = await makeOrganizer(db());
    ({ authorization } = await makeTeamWithToken(db(), organizer.id, { permissions: [] }));
    await add('past', { date_from: at(-48 * hour), date_to: at(-24 * hour) });
    await add('past-open', { date_from: at(-24 * hour) });
    await add('running', { date_from: at(-hour), date_to: at(hour) });
    await add('future-open', { date_from: at(24 * hour) });
    await add('series', { date_from: at(24 * hour), has_subevents: true });
    await add('fixed-a', {
      date_from: '2020-01-01T10:00:00Z',
      date_to: '2020-01-02T10:00:00Z',
      name: JSON.stringify({ en: 'Jazz night', de: 'Jazzabend' }),
      location: JSON.stringify({ en: 'Town Hall' }),
      all_sales_channels: false,
      limit_sales_channels: ['web'],
      is_public: false,
    });
    await add('fixed-b', {
      date_from: '2020-01-01T10:00:00Z',
      name: JSON.stringify('100% Rock'),
      live: true,
    });
  });

  const slugs = async (query: string) => {
    const res = await request(ctx.app)
      .get(`/api/v1/organizers/${organizer.slug}/events/${query}`)
      .set('Authorization', authorization);
    expect(res.status).toBe(200);
    return (res.body.results as { slug: string }[]).map((event) => event.slug).sort();
  };

  test.each([
    ['?is_future=true', ['future-open', 'running']],
    ['?is_future=false', ['fixed-a', 'fixed-b', 'past', 'past-open', 'series']],
    ['?is_past=true', ['fixed-a', 'fixed-b', 'past', 'past-open']],
    ['?is_past=false', ['future-open', 'running', 'series']],
    ['?is_future=maybe', ['fixed-a', 'fixed-b', 'future-open', 'past', 'past-open', 'running', 'series']],
    ['?is_future=TRUE', ['future-open', 'running']],
    ['?live=1', ['fixed-b']],
    ['?is_public=0', ['fixed-a']],
    ['?has_subevents=true', ['series']],
  ])('%s → %j', async (query, expected) => {
    expect(await slugs(query)).toEqual(expected);
  });

  test.each([
    // bounds are inclusive; an open end counts with its start; series never match ends_after
    [
      '?ends_after=2020-01-01T10:00:00Z',
      ['fixed-a', 'fixed-b', 'future-open', 'past', 'past-open', 'running'],
    ],
    ['?ends_after=2020-01-02T10:00:00Z', ['fixed-a', 'future-open', 'past', 'past-open', 'running']],
    ['?ends_after=2020-01-02T10:00:01Z', ['future-open', 'past', 'past-open', 'running']],
    ['?ends_after=2020-01-02T11:00:00%2B01:00', ['fixed-a', 'future-open', 'past', 'past-open', 'running']],
    ['?date_from_after=2020-01-01T10:00:00Z&date_from_before=2020-01-01T10:00:00Z', ['fixed-a', 'fixed-b']],
    ['?date_from_before=2020-01-01T09:59:59Z', []],
    ['?date_to_after=2020-01-02T10:00:00Z&date_to_before=2020-01-02T10:00:00Z', ['fixed-a']],
    ['?date_to_before=2020-01-02T09:59:59Z', []],
  ])('%s → %j', async (query, expected) => {
    expect(await slugs(query)).toEqual(expected);
  });

  test('date_to filters leave out events without an end', async () => {
    expect(await slugs('?date_to_after=2000-01-01T00:00:00Z')).toEqual(['fixed-a', 'past', 'running']);
  });

  test.each(['ends_after', 'date_from_after', 'date_from_before', 'date_to_after', 'date_to_before'])(
    'an unparseable %s → 400 keyed by the parameter',
    async (param) => {
      const res = await request(ctx.app)
        .get(`/api/v1/organizers/${organizer.slug}/events/?${param}=tomorrow`)
        .set('Authorization', authorization);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ [param]: ['Enter a valid date/time.'] });
    },
  );

  test('sales_channel matches events on all channels or with the channel in their list', async () => {
    const all = ['fixed-b', 'future-open', 'past', 'past-open', 'running', 'series'];
    expect(await slugs('?sales_channel=web')).toEqual(['fixed-a', ...all].sort());
    expect(await slugs('?sales_channel=pretixpos')).toEqual(all);
  });

  test.each([
    ['?search=jazzABEND', ['fixed-a']],
    ['?search=town%20hall', ['fixed-a']],
    ['?search=past-op', ['past-open']],
    ['?search=100%25', ['fixed-b']],
    ['?search=_', []],
  ])('search %s → %j (translations, slug, location; wildcards are literal)', async (query, expected) => {
    expect(await slugs(query)).toEqual(expected);
  });

  test('ordering: default slug, date_from, descending, comma lists, ties broken by newest first', async () => {
    const ordered = async (query: string) => {
      const res = await request(ctx.app)
        .get(`/api/v1/organizers/${organizer.slug}/events/${query}`)
        .set('Authorization', authorization);
      return (res.body.results as { slug: string }[]).map((event) => event.slug);
    };
    const all = ['fixed-a', 'fixed-b', 'future-open', 'past', 'past-open', 'running', 'series'];
    expect(await ordered('')).toEqual(all);
    expect(await ordered('?ordering=-slug')).toEqual([...all].reverse());
    expect(await ordered('?ordering=unknown')).toEqual(all);
    // fixed-a and fixed-b start at the same moment: the later-created one comes first
    expect((await ordered('?ordering=date_from')).slice(0, 2)).toEqual(['fixed-b', 'fixed-a']);
    expect((await ordered('?ordering=date_from,slug')).slice(0, 2)).toEqual(['fixed-a', 'fixed-b']);
    expect((await ordered('?ordering=-date_from,-slug')).slice(-2)).toEqual(['fixed-b', 'fixed-a']);
    expect(await ordered('?ordering=date_from,slug')).toEqual([
      'fixed-a',
      'fixed-b',
      'past',
      'past-open',
      'running',
      'future-open',
      'series',
    ]);
  });

  test('pages of the list keep the filters in next/previous', async () => {
    const res = await request(ctx.app)
      .get(`/api/v1/organizers/${organizer.slug}/events/?page_size=2&is_past=true`)
      .set('Authorization', authorization);
    expect(res.body.count).toBe(4);
    expect(res.body.next).toBe(
      `http://tixport.test/api/v1/organizers/${organizer.slug}/events/?page_size=2&is_past=true&page=2`,
    );
  });

  test('a token limited to some events sees only those', async () => {
    const limited = await makeTeamWithToken(db(), organizer.id, { permissions: [], events: ['running'] });
    const res = await request(ctx.app)
      .get(`/api/v1/organizers/${organizer.slug}/events/`)
      .set('Authorization', limited.authorization);
    expect(res.status).toBe(200);
    expect(res.body.results.map((event: { slug: string }) => event.slug)).toEqual(['running']);
  });

  describe('attr[…]', () => {
    beforeAll(async () => {
      const [format] = await db()('event_meta_properties')
        .insert({ organizer_id: organizer.id, name: 'Format', default: 'Seminar' })
        .returning('id');
      const [secret] = await db()('event_meta_properties')
        .insert({ organizer_id: organizer.id, name: 'secret', filter_allowed: false })
        .returning('id');
      await db()('event_meta_values').insert([
        { event_id: ids.get('fixed-a'), property_id: format.id, value: 'Workshop' },
        { event_id: ids.get('fixed-b'), property_id: format.id, value: 'Seminar' },
        { event_id: ids.get('fixed-a'), property_id: secret.id, value: 'x' },
      ]);
    });

    test.each([
      ['?attr[Format]=Workshop', ['fixed-a']],
      // the default counts for every event without a value of its own
      ['?attr[Format]=Seminar', ['fixed-b', 'future-open', 'past', 'past-open', 'running', 'series']],
      ['?attr[Format]=%20', ['fixed-a', 'fixed-b', 'future-open', 'past', 'past-open', 'running', 'series']],
      ['?attr[secret]=nope', ['fixed-a', 'fixed-b', 'future-open', 'past', 'past-open', 'running', 'series']],
      ['?attr[unknown]=x', ['fixed-a', 'fixed-b', 'future-open', 'past', 'past-open', 'running', 'series']],
      ['?attr[Format]=Workshop&search=zzz', []],
      ['?attr[Format]=Seminar&is_past=true', ['fixed-b', 'past', 'past-open']],
    ])('%s → %j', async (query, expected) => {
      expect(await slugs(query)).toEqual(expected);
    });
  });

  describe('with_availability_for', () => {
    const state = async (slug: string) => {
      const res = await request(ctx.app)
        .get(`/api/v1/organizers/${organizer.slug}/events/?with_availability_for=web&search=${slug}`)
        .set('Authorization', authorization);
      return res.body.results.find((event: { slug: string }) => event.slug === slug).best_availability_state;
    };

    test('100 while a product has quota left, 0 once its quota is used up', async () => {
      const eventId = ids.get('running')!;
      const [item] = await db()('items')
        .insert({ event_id: eventId, name: JSON.stringify({ en: 'T' }), default_price: '10.00' })
        .returning('id');
      const [quota] = await db()('quotas').insert({ event_id: eventId, name: 'Q', size: 1 }).returning('id');
      await db()('quota_items').insert({ quota_id: quota.id, item_id: item.id });
      expect(await state('running')).toBe(100);
      const [order] = await db()('orders')
        .insert({
          event_id: eventId,
          code: uniqueSlug('O').slice(0, 10),
          status: 'p',
          secret: 's',
          datetime: new Date(),
          expires: new Date(),
          total: '10.00',
        })
        .returning('id');
      await db()('order_positions').insert({
        order_id: order.id,
        positionid: 1,
        item_id: item.id,
        price: '10.00',
        secret: 'p1',
        pseudonymization_id: 'P1',
      });
      expect(await state('running')).toBe(0);
      expect(await state('past-open')).toBeNull();
    });
  });
});
