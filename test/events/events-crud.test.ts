import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { makeTeamWithToken, uniqueSlug } from '../support/factories';
import { expectedDummy, makeDummy } from './fixtures';

let ctx: TestContext;
let dummy: Awaited<ReturnType<typeof makeDummy>>;
const base = () => `/api/v1/organizers/${dummy.organizer.slug}/events/`;
const eventUrl = () => `${base()}${dummy.event.slug}/`;
const db = () => ctx.runtime.db;

beforeAll(async () => {
  ctx = createTestContext();
  dummy = await makeDummy(db());
});
afterAll(() => ctx.close());

const patch = (body: unknown, url = eventUrl()) =>
  request(ctx.app)
    .patch(url)
    .set('Authorization', dummy.authorization)
    .send(body as object);

const minimalEvent = (slug = uniqueSlug('e')) => ({
  name: { en: 'Sample Conference' },
  slug,
  date_from: '2030-12-27T10:00:00Z',
});

describe('GET …/events/{e}/', () => {
  test("is pretix's representation plus valid_keys, keys in pretix's order (case 4)", async () => {
    const res = await request(ctx.app).get(eventUrl()).set('Authorization', dummy.authorization);
    expect(res.status).toBe(200);
    const expected = {
      ...expectedDummy(dummy.organizer.slug, dummy.event.slug),
      valid_keys: { pretix_sig1: [] },
    };
    expect(res.body).toEqual(expected);
    expect(Object.keys(res.body)).toEqual([
      'name',
      'slug',
      'live',
      'testmode',
      'currency',
      'date_from',
      'date_to',
      'date_admission',
      'is_public',
      'presale_start',
      'presale_end',
      'location',
      'geo_lat',
      'geo_lon',
      'has_subevents',
      'meta_data',
      'seating_plan',
      'plugins',
      'seat_category_mapping',
      'timezone',
      'item_meta_properties',
      'valid_keys',
      'all_sales_channels',
      'limit_sales_channels',
      'public_url',
      'sales_channels',
    ]);
  });

  test('needs only access to the event, no permission', async () => {
    const { authorization } = await makeTeamWithToken(db(), dummy.organizer.id, { permissions: [] });
    const res = await request(ctx.app).get(eventUrl()).set('Authorization', authorization);
    expect(res.status).toBe(200);
    expect(res.body.slug).toBe(dummy.event.slug);
  });
});

describe('POST …/events/ (case 5)', () => {
  let org: Awaited<ReturnType<typeof makeDummy>>;
  let createToken: string;

  beforeAll(async () => {
    org = await makeDummy(db());
    await db()('event_meta_properties')
      .where('id', org.typeProperty.id)
      .update({ allowed_values: JSON.stringify(['Conference', 'Workshop']) });
    await db()('event_meta_properties').insert({
      organizer_id: org.organizer.id,
      name: 'protected',
      protected: true,
    });
    ({ authorization: createToken } = await makeTeamWithToken(db(), org.organizer.id, {
      permissions: ['can_create_events'],
    }));
  });

  const create = (body: object, authorization = createToken) =>
    request(ctx.app)
      .post(`/api/v1/organizers/${org.organizer.slug}/events/`)
      .set('Authorization', authorization)
      .send(body);

  const payload = (slug: string) => ({
    name: { de: 'Demo Konference 2020 Test', en: 'Demo Conference 2020 Test' },
    live: false,
    currency: 'EUR',
    date_from: '2017-12-27T10:00:00Z',
    date_to: '2017-12-28T10:00:00Z',
    date_admission: null,
    presale_start: null,
    presale_end: null,
    location: null,
    slug,
    meta_data: { type: 'Conference', protected: 'ignored' },
    timezone: 'Europe/Amsterdam',
  });

  test('creates the event with defaults; protected meta data is ignored without organizer settings permission', async () => {
    const res = await create(payload('2030'));
    expect(res.status).toBe(201);
    expect(res.body).not.toHaveProperty('valid_keys');
    expect(res.body).toMatchObject({
      slug: '2030',
      testmode: false,
      is_public: true,
      live: false,
      meta_data: { type: 'Conference' },
      plugins: ['pretix.plugins.checkinlists', 'pretix.plugins.sendmail', 'pretix.plugins.statistics'],
      timezone: 'Europe/Amsterdam',
      all_sales_channels: true,
      limit_sales_channels: [],
      sales_channels: ['pretixpos', 'resellers', 'web'],
      public_url: `http://tixport.test/${org.organizer.slug}/2030/`,
    });
    const row = await db()('events').where({ organizer_id: org.organizer.id, slug: '2030' }).first();
    expect(row.timezone).toBe('Europe/Amsterdam');
    const meta = await db()('event_meta_values')
      .join('event_meta_properties', 'event_meta_properties.id', 'property_id')
      .where('event_id', row.id)
      .select('name', 'value');
    expect(meta).toEqual([{ name: 'type', value: 'Conference' }]);
    // pretix writes its new-event defaults on the event level
    const settings = await db()('event_settings').where('event_id', row.id).select('key', 'value');
    expect(
      Object.fromEntries(settings.map((s: { key: string; value: unknown }) => [s.key, s.value])),
    ).toMatchObject({
      event_list_type: 'calendar',
      name_scheme: 'given_family',
      invoice_renderer: 'modern1',
    });
  });

  test.each([
    [{ meta_data: { foo: 'bar' } }, { meta_data: ["Meta data property 'foo' does not exist."] }],
    [
      { meta_data: { type: 'bar' } },
      { meta_data: ["Meta data property 'type' does not allow value 'bar'."] },
    ],
    [{ slug: '2030' }, { slug: ['This slug has already been used for a different event.'] }],
    [
      { live: true },
      {
        live: [
          "Events cannot be created as 'live'. Quotas and payment must be added to the event before sales can go live.",
        ],
      },
    ],
    [
      { seat_category_mapping: { Stalls: 1 } },
      { seat_category_mapping: ['You cannot specify seat category mappings on event creation.'] },
    ],
    [{ seating_plan: 7 }, { seating_plan: ['Invalid pk "7" - object does not exist.'] }],
  ])('%j → 400 %j', async (override, errors) => {
    const res = await create({ ...payload(uniqueSlug('s')), ...override });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errors);
  });

  test('the other field checks answer every failing field at once', async () => {
    const res = await create({
      name: 42,
      slug: 'events',
      currency: 'XAU',
      date_from: 'yesterday',
      geo_lat: 91,
      geo_lon: -181,
      timezone: 'Mars/Olympus',
      plugins: ['pretix.plugins.test'],
      limit_sales_channels: ['nope'],
      item_meta_properties: { a: 1 },
      meta_data: 'x',
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      name: ['Invalid data type.'],
      slug: ['This field has an invalid value: events.'],
      currency: ['"XAU" is not a valid choice.'],
      date_from: [
        'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
      ],
      geo_lat: ['Ensure this value is less than or equal to 90.'],
      geo_lon: ['Ensure this value is greater than or equal to -180.'],
      timezone: ['"Mars/Olympus" is not a valid choice.'],
      plugins: ["Unknown plugin: 'pretix.plugins.test'."],
      limit_sales_channels: ['Object with identifier=nope does not exist.'],
      item_meta_properties: ['item_meta_properties needs to be an object (str -> str).'],
      meta_data: ['meta_data needs to be an object (str -> str).'],
    });
  });

  test.each([
    ['a_b', 'The slug may only contain letters, numbers, dots and dashes.'],
    ['-ab', 'The slug may only contain letters, numbers, dots and dashes.'],
    ['x'.repeat(51), 'Ensure this field has no more than 50 characters.'],
  ])('slug %j → %j', async (slug, message) => {
    const res = await create({ ...payload('x'), slug });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ slug: [message] });
  });

  test('an empty body names the required fields', async () => {
    const res = await create({});
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      name: ['This field is required.'],
      slug: ['This field is required.'],
      date_from: ['This field is required.'],
    });
  });

  test('a plain string name becomes the default language; offsets are honoured and answered in UTC', async () => {
    const slug = uniqueSlug('p');
    const res = await create({
      name: 'Plain',
      slug,
      date_from: '2030-01-01T10:00:00+02:00',
      date_to: '2030-01-01T20:00:00.250+02:00',
      location: 'Town hall',
      geo_lat: 52.5,
      geo_lon: '13.4',
      currency: 'DKK',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: { en: 'Plain' },
      location: { en: 'Town hall' },
      date_from: '2030-01-01T08:00:00Z',
      date_to: '2030-01-01T18:00:00.250000Z',
      geo_lat: 52.5,
      geo_lon: 13.4,
      currency: 'DKK',
      timezone: 'UTC',
    });
  });

  test('the time zone defaults to the organizer setting', async () => {
    await db()('organizer_settings').insert({
      organizer_id: org.organizer.id,
      key: 'timezone',
      value: JSON.stringify('America/New_York'),
    });
    const res = await create(minimalEvent());
    expect(res.status).toBe(201);
    expect(res.body.timezone).toBe('America/New_York');
    await db()('organizer_settings').where({ organizer_id: org.organizer.id, key: 'timezone' }).delete();
  });

  test('start after end → non_field_errors', async () => {
    const res = await create({ ...minimalEvent(), date_to: '2030-12-26T10:00:00Z' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ non_field_errors: ['The event cannot end before it starts.'] });
  });

  test('a token limited to some events reaches the event it created', async () => {
    const limited = await makeTeamWithToken(db(), org.organizer.id, {
      permissions: ['can_create_events'],
      events: [],
    });
    const slug = uniqueSlug('lim');
    expect((await create(minimalEvent(slug), limited.authorization)).status).toBe(201);
    const res = await request(ctx.app)
      .get(`/api/v1/organizers/${org.organizer.slug}/events/${slug}/`)
      .set('Authorization', limited.authorization);
    expect(res.status).toBe(200);
  });

  test('without can_create_events → 403', async () => {
    const { authorization } = await makeTeamWithToken(db(), org.organizer.id, {
      permissions: ['can_change_event_settings'],
    });
    const res = await create(minimalEvent(), authorization);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: 'You do not have permission to perform this action.' });
  });

  test('a create replayed with the same X-Idempotency-Key gives the stored response and creates one event', async () => {
    const body = minimalEvent();
    const key = uniqueSlug('idem');
    const first = await create(body).set('X-Idempotency-Key', key);
    const second = await create(body).set('X-Idempotency-Key', key);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    const third = await create(body).set('X-Idempotency-Key', uniqueSlug('other'));
    expect(third.status).toBe(400);
    expect(third.body).toEqual({ slug: ['This slug has already been used for a different event.'] });
    expect(
      await db()('events').where({ organizer_id: org.organizer.id, slug: body.slug }).count({ n: '*' }),
    ).toEqual([{ n: 1 }]);
  });
});

describe('PATCH/PUT …/events/{e}/ (case 12)', () => {
  test('changes dates and currency and keeps the meta data', async () => {
    const res = await patch({
      date_from: '2017-12-27T10:00:00Z',
      date_to: '2017-12-28T10:00:00Z',
      currency: 'DKK',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      currency: 'DKK',
      date_to: '2017-12-28T10:00:00Z',
      meta_data: { type: 'Conference' },
    });
    expect(res.body.valid_keys).toEqual({ pretix_sig1: [] });
    expect((await db()('events').where('id', dummy.event.id).first()).currency).toBe('DKK');
  });

  test.each([
    [
      { date_from: '2017-12-27T10:00:00Z', date_to: '2017-12-26T10:00:00Z' },
      { non_field_errors: ['The event cannot end before it starts.'] },
    ],
    [
      { presale_start: '2017-12-27T10:00:00Z', presale_end: '2017-12-26T10:00:00Z' },
      { non_field_errors: ["The event's presale cannot end before it starts."] },
    ],
    [{ slug: 'testing' }, { slug: ['The event slug cannot be changed.'] }],
    [
      { has_subevents: true },
      { has_subevents: ['Once created an event cannot change between an series and a single event.'] },
    ],
    [{ meta_data: { test: 'test' } }, { meta_data: ["Meta data property 'test' does not exist."] }],
    [
      { seat_category_mapping: { Stalls: 999999999 } },
      { seat_category_mapping: ["Item '999999999' does not exist."] },
    ],
    [{ geo_lat: 'north' }, { geo_lat: ['A valid number is required.'] }],
    [{ name: { xx: 'Dummy' } }, { name: ['Invalid languages included.'] }],
    [{ live: 'perhaps' }, { live: ['Must be a valid boolean.'] }],
    [{ date_from: null }, { date_from: ['This field may not be null.'] }],
  ])('%j → 400 %j', async (body, errors) => {
    const res = await patch(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errors);
  });

  test('sending the current slug and has_subevents is fine; equal dates pass', async () => {
    const res = await patch({
      slug: dummy.event.slug,
      has_subevents: false,
      date_from: '2017-12-27T10:00:00Z',
      date_to: '2017-12-27T10:00:00Z',
    });
    expect(res.status).toBe(200);
  });

  test('only dates sent in the same request are compared (pretix quirk)', async () => {
    const res = await patch({ date_to: '2017-01-01T00:00:00Z' });
    expect(res.status).toBe(200);
    expect((await patch({ date_to: null })).status).toBe(200);
  });

  test('meta_data is replaced as a whole', async () => {
    let res = await patch({ meta_data: { type: 'Workshop' } });
    expect(res.status).toBe(200);
    expect(res.body.meta_data).toEqual({ type: 'Workshop' });
    res = await patch({ meta_data: {} });
    expect(res.status).toBe(200);
    expect(res.body.meta_data).toEqual({});
    expect(await db()('event_meta_values').where('event_id', dummy.event.id)).toEqual([]);
    res = await patch({ meta_data: { type: 'Conference' } });
    expect(res.body.meta_data).toEqual({ type: 'Conference' });
  });

  test('item_meta_properties are created and removed', async () => {
    let res = await patch({ item_meta_properties: { Foo: 'Bar' } });
    expect(res.status).toBe(200);
    expect(res.body.item_meta_properties).toEqual({ Foo: 'Bar' });
    expect(await db()('item_meta_properties').where('event_id', dummy.event.id).select('name')).toEqual([
      { name: 'Foo' },
    ]);
    res = await patch({ item_meta_properties: {} });
    expect(res.body.item_meta_properties).toEqual({});
    res = await patch({ item_meta_properties: { day: 'Monday' } });
    expect(res.body.item_meta_properties).toEqual({ day: 'Monday' });
  });

  test('testmode can be switched on and off (case 14)', async () => {
    expect((await patch({ testmode: true })).body.testmode).toBe(true);
    expect((await db()('events').where('id', dummy.event.id).first()).testmode).toBe(true);
    expect((await patch({ testmode: false })).body.testmode).toBe(false);
    expect((await db()('events').where('id', dummy.event.id).first()).testmode).toBe(false);
  });

  test('an empty PATCH changes nothing; an empty PUT names the required fields', async () => {
    const before = await request(ctx.app).get(eventUrl()).set('Authorization', dummy.authorization);
    const res = await patch({});
    expect(res.status).toBe(200);
    expect(res.body).toEqual(before.body);
    const put = await request(ctx.app).put(eventUrl()).set('Authorization', dummy.authorization).send({});
    expect(put.status).toBe(400);
    expect(put.body).toEqual({
      name: ['This field is required.'],
      slug: ['This field is required.'],
      date_from: ['This field is required.'],
    });
  });

  test('PUT with the core fields leaves omitted optional fields unchanged', async () => {
    const res = await request(ctx.app)
      .put(eventUrl())
      .set('Authorization', dummy.authorization)
      .send({ name: { en: 'Dummy' }, slug: dummy.event.slug, date_from: '2017-12-27T10:00:00Z' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ timezone: 'Europe/Berlin', meta_data: { type: 'Conference' } });
  });

  describe('plugins (cases 13 and 18)', () => {
    test.each([
      [['pretix.plugins.paypal2', 'unknown'], "Unknown plugin: 'unknown'."],
      [['tests.testdummyhidden'], "Unknown plugin: 'tests.testdummyhidden'."],
      [['.pretix.plugins.stripe'], "Unknown plugin: '.pretix.plugins.stripe'."],
      [['pretix.plugins.test'], "Unknown plugin: 'pretix.plugins.test'."],
    ])('%j → 400 %j', async (plugins, message) => {
      const res = await patch({ plugins });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ plugins: [message] });
    });

    test('the list replaces the active set and is answered sorted', async () => {
      let res = await patch({ plugins: ['pretix.plugins.ticketoutputpdf'] });
      expect(res.status).toBe(200);
      expect(res.body.plugins).toEqual(['pretix.plugins.ticketoutputpdf']);
      res = await patch({ plugins: ['pretix.plugins.stripe', 'pretix.plugins.banktransfer'] });
      expect(res.body.plugins).toEqual(['pretix.plugins.banktransfer', 'pretix.plugins.stripe']);
      res = await patch({ plugins: ['pretix.plugins.banktransfer', 'pretix.plugins.ticketoutputpdf'] });
      expect(res.body.plugins).toEqual(['pretix.plugins.banktransfer', 'pretix.plugins.ticketoutputpdf']);
    });
  });

  describe('sales channels', () => {
    test('a legacy list that differs from limit_sales_channels → 400 (case 13)', async () => {
      const res = await patch({
        all_sales_channels: false,
        limit_sales_channels: ['web'],
        sales_channels: ['bar'],
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        limit_sales_channels: [
          "If 'limit_sales_channels' is set, the legacy attribute 'sales_channels' must not be set or set to the same list.",
        ],
      });
    });

    test('all_sales_channels with a partial legacy list → 400', async () => {
      const res = await patch({ all_sales_channels: true, sales_channels: ['web'] });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        all_sales_channels: [
          "If 'all_sales_channels' is set, the legacy attribute 'sales_channels' must not be set or set to the list of all sales channels.",
        ],
      });
    });

    test('legacy null → 400', async () => {
      const res = await patch({ sales_channels: null });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        sales_channels: ["The legacy attribute 'sales_channels' cannot be set to None, it must be a list."],
      });
    });

    test('a legacy list maps onto all/limit, and all_sales_channels clears the limit', async () => {
      let res = await patch({ sales_channels: ['web', 'pretixpos'] });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        all_sales_channels: false,
        limit_sales_channels: ['pretixpos', 'web'],
        sales_channels: ['pretixpos', 'web'],
      });
      res = await patch({ sales_channels: ['web', 'resellers', 'pretixpos'] });
      expect(res.body).toMatchObject({ all_sales_channels: true, limit_sales_channels: [] });
      res = await patch({ all_sales_channels: false, limit_sales_channels: ['resellers'] });
      expect(res.body).toMatchObject({ all_sales_channels: false, limit_sales_channels: ['resellers'] });
      res = await patch({ all_sales_channels: true });
      expect(res.body).toMatchObject({ all_sales_channels: true, limit_sales_channels: [] });
      expect((await db()('events').where('id', dummy.event.id).first()).limit_sales_channels).toEqual([]);
    });
  });

  test('without can_change_event_settings: PATCH, PUT and DELETE → 403, GET → 200', async () => {
    const { authorization } = await makeTeamWithToken(db(), dummy.organizer.id, {
      permissions: ['can_create_events', 'can_change_items', 'can_view_orders'],
    });
    for (const method of ['patch', 'put', 'delete'] as const) {
      const res = await request(ctx.app)[method](eventUrl()).set('Authorization', authorization).send({});
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ detail: 'You do not have permission to perform this action.' });
    }
    expect((await request(ctx.app).get(eventUrl()).set('Authorization', authorization)).status).toBe(200);
  });
});

describe('going live (cases 15–17)', () => {
  let ev: { slug: string; id: number };
  const url = () => `${base()}${ev.slug}/`;

  beforeEach(async () => {
    const slug = uniqueSlug('live');
    const [row] = await db()('events')
      .insert({
        organizer_id: dummy.organizer.id,
        slug,
        name: JSON.stringify('Live'),
        date_from: '2030-01-01T10:00:00Z',
        plugins: ['pretix.plugins.banktransfer'],
      })
      .returning(['id', 'slug']);
    ev = row;
  });

  const addItem = async (price: string) => {
    const [item] = await db()('items')
      .insert({ event_id: ev.id, name: JSON.stringify({ en: 'Ticket' }), default_price: price })
      .returning('id');
    return item.id as number;
  };
  const addQuota = async (itemId?: number) => {
    const [quota] = await db()('quotas').insert({ event_id: ev.id, name: 'Q', size: 10 }).returning('id');
    if (itemId) await db()('quota_items').insert({ quota_id: quota.id, item_id: itemId });
  };

  test('without a quota → 400', async () => {
    const res = await patch({ live: true }, url());
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ live: ['You need to configure at least one quota to sell anything.'] });
  });

  test('a paid product without an enabled payment method → 400; enabling bank transfer lets it go live', async () => {
    await addQuota(await addItem('23.00'));
    let res = await patch({ live: true }, url());
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      live: ['You have configured at least one paid product but have not enabled any payment methods.'],
    });
    const settings = await request(ctx.app)
      .patch(`${url()}settings/`)
      .set('Authorization', dummy.authorization)
      .send({ payment_banktransfer__enabled: true });
    expect(settings.status).toBe(200);
    res = await patch({ live: true }, url());
    expect(res.status).toBe(200);
    expect(res.body.live).toBe(true);
  });

  test('a paid product with payment but currency XXX → 400', async () => {
    await addQuota(await addItem('5.00'));
    await db()('event_settings').insert({
      event_id: ev.id,
      key: 'payment_banktransfer__enabled',
      value: 'true',
    });
    const res = await patch({ live: true, currency: 'XXX' }, url());
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      live: ['You have configured at least one paid product but have not configured a currency.'],
    });
  });

  test('only free products and a quota → live', async () => {
    await addQuota(await addItem('0.00'));
    const res = await patch({ live: true }, url());
    expect(res.status).toBe(200);
    expect((await db()('events').where('id', ev.id).first()).live).toBe(true);
    expect((await patch({ live: false }, url())).body.live).toBe(false);
  });

  test('a required meta property without value or default → 400', async () => {
    await addQuota(await addItem('0.00'));
    const name = uniqueSlug('req');
    const [property] = await db()('event_meta_properties')
      .insert({ organizer_id: dummy.organizer.id, name, required: true })
      .returning('id');
    try {
      const res = await patch({ live: true }, url());
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ live: [`You need to fill the meta parameter "${name}".`] });
      expect((await patch({ live: true, meta_data: { [name]: 'x' } }, url())).status).toBe(200);
    } finally {
      await db()('event_meta_properties').where('id', property.id).delete();
    }
  });
});

describe('DELETE …/events/{e}/ (cases 19, 20)', () => {
  const makeEvent = async () => {
    const slug = uniqueSlug('del');
    const [row] = await db()('events')
      .insert({
        organizer_id: dummy.organizer.id,
        slug,
        name: JSON.stringify('D'),
        date_from: '2030-01-01T00:00:00Z',
      })
      .returning(['id', 'slug']);
    return row as { id: number; slug: string };
  };

  test('answers 204 and the event is gone', async () => {
    const ev = await makeEvent();
    const res = await request(ctx.app)
      .delete(`${base()}${ev.slug}/`)
      .set('Authorization', dummy.authorization);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await db()('events').where('id', ev.id).first()).toBeUndefined();
  });

  test("an event with orders → 403 with pretix's message; the event stays", async () => {
    const ev = await makeEvent();
    await db()('orders').insert({
      event_id: ev.id,
      code: 'FOO12',
      status: 'n',
      secret: 'k24fiuwvu8kxz3y1',
      datetime: new Date(),
      expires: new Date(),
      total: '23.00',
    });
    const res = await request(ctx.app)
      .delete(`${base()}${ev.slug}/`)
      .set('Authorization', dummy.authorization);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      detail:
        "The event can not be deleted as it already contains orders. Please set 'live' to false to hide the event and take the shop offline instead.",
    });
    expect(await db()('events').where('id', ev.id).first()).toBeDefined();
  });
});
