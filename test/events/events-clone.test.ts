import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { makeTeamWithToken, makeUser, uniqueSlug } from '../support/factories';
import { PERMISSION_FLAGS, type Permission } from '../../src/modules/access/permissions';
import { makeDummy } from './fixtures';
import { issueAccessToken } from '../support/oauth-tokens';

let ctx: TestContext;
const db = () => ctx.runtime.db;
let dummy: Awaited<ReturnType<typeof makeDummy>>;

beforeAll(async () => {
  ctx = createTestContext();
  dummy = await makeDummy(db());
  const source = dummy.event.id;
  await db()('events')
    .where('id', source)
    .update({
      date_admission: '2017-12-27T09:00:00Z',
      all_sales_channels: false,
      limit_sales_channels: ['web'],
    });
  await db()('event_settings').insert({
    event_id: source,
    key: 'imprint_url',
    value: JSON.stringify('https://example.org/imprint'),
  });
  const [category] = await db()('item_categories')
    .insert({ event_id: source, name: JSON.stringify({ en: 'Cat' }) })
    .returning('id');
  const [item] = await db()('items')
    .insert({
      event_id: source,
      category_id: category.id,
      name: JSON.stringify({ en: 'Ticket' }),
      default_price: '23.00',
    })
    .returning('id');
  const [variation] = await db()('item_variations')
    .insert({ item_id: item.id, value: JSON.stringify({ en: 'Red' }) })
    .returning('id');
  const [quota] = await db()('quotas').insert({ event_id: source, name: 'Q', size: 100 }).returning('id');
  await db()('quota_items').insert({ quota_id: quota.id, item_id: item.id });
  await db()('quota_variations').insert({ quota_id: quota.id, variation_id: variation.id });
  const [question] = await db()('questions')
    .insert({ event_id: source, question: JSON.stringify({ en: 'Size?' }), identifier: 'SIZE', type: 'C' })
    .returning('id');
  await db()('question_options').insert({
    question_id: question.id,
    identifier: 'L',
    answer: JSON.stringify({ en: 'L' }),
  });
  await db()('question_items').insert({ question_id: question.id, item_id: item.id });
  const [list] = await db()('checkin_lists').insert({ event_id: source, name: 'Entry' }).returning('id');
  await db()('checkin_list_items').insert({ list_id: list.id, item_id: item.id });
});
afterAll(() => ctx.close());

/** Other test files write events in parallel, so counts are taken within this file's organizer. */
const eventIdsOfDummy = () => db()('events').where('organizer_id', dummy.organizer.id).select('id');
const eventsOfDummy = async () =>
  Number((await db()('events').where('organizer_id', dummy.organizer.id).count({ n: '*' }).first())!.n);

const routes = {
  endpoint: () => `/api/v1/organizers/${dummy.organizer.slug}/events/${dummy.event.slug}/clone/`,
  clone_from: () => `/api/v1/organizers/${dummy.organizer.slug}/events/?clone_from=${dummy.event.slug}`,
};

const payload = (slug: string) => ({
  name: { en: 'Demo Conference 2020 Test' },
  live: false,
  currency: 'EUR',
  date_from: '2018-12-27T10:00:00Z',
  date_to: '2018-12-28T10:00:00Z',
  presale_start: null,
  presale_end: null,
  location: null,
  slug,
});

const stored = async (slug: string) => {
  const res = await request(ctx.app)
    .get(`/api/v1/organizers/${dummy.organizer.slug}/events/${slug}/`)
    .set('Authorization', dummy.authorization);
  expect(res.status).toBe(200);
  return res.body;
};

describe.each(Object.entries(routes))('cloning via %s (cases 6, 7)', (route, url) => {
  test('(a) sent values win: plugins, is_public, testmode, date_admission, meta data, time zone', async () => {
    const slug = uniqueSlug('a');
    const res = await request(ctx.app)
      .post(url())
      .set('Authorization', dummy.authorization)
      .send({
        ...payload(slug),
        plugins: ['pretix.plugins.ticketoutputpdf'],
        is_public: false,
        testmode: true,
        date_admission: '2018-12-27T08:00:00Z',
        meta_data: { type: 'Workshop' },
        timezone: 'Europe/Vienna',
      });
    expect(res.status).toBe(201);
    expect(Object.hasOwn(res.body, 'valid_keys')).toBe(route === 'endpoint');
    expect(await stored(slug)).toMatchObject({
      plugins: ['pretix.plugins.ticketoutputpdf'],
      is_public: false,
      testmode: true,
      date_admission: '2018-12-27T08:00:00Z',
      meta_data: { type: 'Workshop' },
      timezone: 'Europe/Vienna',
    });
  });

  test('(b) otherwise copied: plugins, is_public, meta data, item meta, time zone, sales channels, settings, products', async () => {
    const slug = uniqueSlug('b');
    const res = await request(ctx.app)
      .post(url())
      .set('Authorization', dummy.authorization)
      .send(payload(slug));
    expect(res.status).toBe(201);
    expect(await stored(slug)).toMatchObject({
      plugins: ['pretix.plugins.banktransfer', 'pretix.plugins.ticketoutputpdf'],
      is_public: true,
      meta_data: { type: 'Conference' },
      item_meta_properties: { day: 'Monday' },
      timezone: 'Europe/Berlin',
      // the admission keeps its hour before the start
      date_admission: '2018-12-27T09:00:00Z',
      all_sales_channels: false,
      limit_sales_channels: ['web'],
    });
    const settings = await request(ctx.app)
      .get(`/api/v1/organizers/${dummy.organizer.slug}/events/${slug}/settings/`)
      .set('Authorization', dummy.authorization);
    expect(settings.body.imprint_url).toBe('https://example.org/imprint');

    const clone = await db()('events').where({ organizer_id: dummy.organizer.id, slug }).first();
    const items = await db()('items').where('event_id', clone.id);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ name: { en: 'Ticket' }, default_price: '23.00' });
    const [category] = await db()('item_categories').where('event_id', clone.id);
    expect(items[0].category_id).toBe(category.id);
    const [variation] = await db()('item_variations').where('item_id', items[0].id);
    expect(variation.value).toEqual({ en: 'Red' });
    const [quota] = await db()('quotas').where('event_id', clone.id);
    expect(await db()('quota_items').where('quota_id', quota.id)).toEqual([
      { quota_id: quota.id, item_id: items[0].id },
    ]);
    expect(await db()('quota_variations').where('quota_id', quota.id)).toEqual([
      { quota_id: quota.id, variation_id: variation.id },
    ]);
    const [question] = await db()('questions').where('event_id', clone.id);
    expect(await db()('question_options').where('question_id', question.id)).toHaveLength(1);
    expect(await db()('question_items').where('question_id', question.id)).toEqual([
      { question_id: question.id, item_id: items[0].id },
    ]);
    const [list] = await db()('checkin_lists').where('event_id', clone.id);
    expect(await db()('checkin_list_items').where('list_id', list.id)).toEqual([
      { list_id: list.id, item_id: items[0].id },
    ]);
  });

  test('(c) an empty plugin list gives an event without plugins', async () => {
    const slug = uniqueSlug('c');
    const res = await request(ctx.app)
      .post(url())
      .set('Authorization', dummy.authorization)
      .send({ ...payload(slug), plugins: [] });
    expect(res.status).toBe(201);
    expect((await stored(slug)).plugins).toEqual([]);
  });

  test('the legacy sales_channels list with every channel', async () => {
    const slug = uniqueSlug('sc');
    const res = await request(ctx.app)
      .post(url())
      .set('Authorization', dummy.authorization)
      .send({ ...payload(slug), sales_channels: ['web', 'pretixpos', 'resellers'] });
    expect(res.status).toBe(201);
    const body = await stored(slug);
    // ?clone_from= keeps the source's channels (pretix ignores the payload there), /clone/ takes the payload
    if (route === 'endpoint')
      expect(body).toMatchObject({ all_sales_channels: true, limit_sales_channels: [] });
    else expect(body).toMatchObject({ all_sales_channels: false, limit_sales_channels: ['web'] });
  });

  test('an invalid body → 400 and nothing is written', async () => {
    const before = await eventsOfDummy();
    const res = await request(ctx.app).post(url()).set('Authorization', dummy.authorization).send({});
    expect(res.status).toBe(400);
    expect(await eventsOfDummy()).toEqual(before);
  });
});

test.each(['put', 'patch', 'delete'] as const)('%s on …/clone/ → 405 (case 11)', async (method) => {
  const res = await request(ctx.app)
    [method](routes.endpoint())
    .set('Authorization', dummy.authorization)
    .send({});
  expect(res.status).toBe(405);
  expect(res.body).toEqual({ detail: `Method "${method.toUpperCase()}" not allowed.` });
});

describe('…/clone/ permissions', () => {
  test('without can_change_event_settings on the source → 403', async () => {
    const { authorization } = await makeTeamWithToken(db(), dummy.organizer.id, {
      permissions: ['can_create_events'],
    });
    const res = await request(ctx.app)
      .post(routes.endpoint())
      .set('Authorization', authorization)
      .send(payload(uniqueSlug('x')));
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: 'You do not have permission to perform this action.' });
  });

  test("without can_create_events: an invalid body is 400, a valid one 403 with pretix's message", async () => {
    const { authorization } = await makeTeamWithToken(db(), dummy.organizer.id, {
      permissions: ['can_change_event_settings'],
    });
    const invalid = await request(ctx.app)
      .post(routes.endpoint())
      .set('Authorization', authorization)
      .send({});
    expect(invalid.status).toBe(400);
    const slug = uniqueSlug('x');
    const res = await request(ctx.app)
      .post(routes.endpoint())
      .set('Authorization', authorization)
      .send(payload(slug));
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: 'No permission to create events' });
    expect(await db()('events').where({ organizer_id: dummy.organizer.id, slug }).first()).toBeUndefined();
  });

  test('an unknown source event → 403', async () => {
    const res = await request(ctx.app)
      .post(`/api/v1/organizers/${dummy.organizer.slug}/events/nope/clone/`)
      .set('Authorization', dummy.authorization)
      .send(payload(uniqueSlug('x')));
    expect(res.status).toBe(403);
  });
});

describe('?clone_from= sources', () => {
  test('an unknown slug → 400 with a bare list', async () => {
    const res = await request(ctx.app)
      .post(`/api/v1/organizers/${dummy.organizer.slug}/events/?clone_from=nope`)
      .set('Authorization', dummy.authorization)
      .send(payload(uniqueSlug('x')));
    expect(res.status).toBe(400);
    expect(res.body).toEqual(['Event to copy from was not found']);
  });

  test('a token cannot clone from another organizer, even with full rights there', async () => {
    const other = await makeDummy(db());
    const slug = uniqueSlug('x');
    const res = await request(ctx.app)
      .post(
        `/api/v1/organizers/${dummy.organizer.slug}/events/?clone_from=${other.organizer.slug}/${other.event.slug}`,
      )
      .set('Authorization', dummy.authorization)
      .send(payload(slug));
    expect(res.status).toBe(400);
    expect(res.body).toEqual(['Event to copy from was not found']);
    expect(await db()('events').where({ slug }).first()).toBeUndefined();
  });

  test('a token limited to some events cannot clone from the others of its organizer', async () => {
    const limited = await makeTeamWithToken(db(), dummy.organizer.id, {
      permissions: ['can_create_events'],
      events: [],
    });
    const res = await request(ctx.app)
      .post(routes.clone_from())
      .set('Authorization', limited.authorization)
      .send(payload(uniqueSlug('x')));
    expect(res.status).toBe(400);
    expect(res.body).toEqual(['Event to copy from was not found']);
  });
});

describe('?clone_from=<org>/<event> across organizers, as a user (cases 8–10)', () => {
  /**
   * A user in a full-rights team of a new target organizer and, when given, in a team with `sourceRights` on
   * the source organizer; the Bearer credentials cover both organizers.
   */
  const userWith = async (sourceRights: Permission[] | null) => {
    const user = await makeUser(db());
    const target = await makeDummy(db());
    if (sourceRights)
      await makeTeamWithToken(db(), dummy.organizer.id, { permissions: sourceRights, members: [user.email] });
    await makeTeamWithToken(db(), target.organizer.id, { permissions: 'all', members: [user.email] });
    return {
      target,
      authorization: await issueAccessToken(ctx.runtime.db, user.id, [
        dummy.organizer.id,
        target.organizer.id,
      ]),
    };
  };
  const cloneInto = (target: { organizer: { slug: string } }, source: string) =>
    `/api/v1/organizers/${target.organizer.slug}/events/?clone_from=${dummy.organizer.slug}/${source}`;

  test('with full rights on both → 201; payload values win and the products are copied', async () => {
    const { target, authorization } = await userWith([...PERMISSION_FLAGS]);
    const slug = uniqueSlug('x');
    const res = await request(ctx.app)
      .post(cloneInto(target, dummy.event.slug))
      .set('Authorization', authorization)
      .send({
        ...payload(slug),
        plugins: ['pretix.plugins.stripe'],
        is_public: false,
        testmode: true,
        timezone: 'Asia/Tokyo',
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      plugins: ['pretix.plugins.stripe'],
      is_public: false,
      testmode: true,
      timezone: 'Asia/Tokyo',
      // meta data crosses by property name; the target organizer has `type` too
      meta_data: { type: 'Conference' },
    });
    const clone = await db()('events').where({ organizer_id: target.organizer.id, slug }).first();
    expect(await db()('items').where('event_id', clone.id)).toHaveLength(1);
  });

  test('without access to the source organizer → 400 (case 8)', async () => {
    const { target, authorization } = await userWith(null);
    const res = await request(ctx.app)
      .post(cloneInto(target, 'bar'))
      .set('Authorization', authorization)
      .send(payload(uniqueSlug('x')));
    expect(res.status).toBe(400);
    expect(res.body).toEqual(['Event to copy from was not found']);
  });

  test('with only settings rights on the source → 403 and nothing is written (case 10)', async () => {
    const { target, authorization } = await userWith(['can_change_event_settings']);
    const slug = uniqueSlug('x');
    const res = await request(ctx.app)
      .post(cloneInto(target, dummy.event.slug))
      .set('Authorization', authorization)
      .send(payload(slug));
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: 'Not sufficient permission on source event to copy' });
    expect(await db()('events').where({ slug }).first()).toBeUndefined();
  });
});

test('a clone that fails half-way writes nothing: no event, meta data, settings or products', async () => {
  const marker = uniqueSlug('boom');
  await db()('quotas').insert({ event_id: dummy.event.id, name: marker });
  // Postgres refuses the copy of this one quota, after the event, its meta data and settings were written.
  await db().raw(`
    CREATE FUNCTION ${marker}() RETURNS trigger AS $$
    BEGIN IF NEW.name = '${marker}' AND NEW.event_id <> ${dummy.event.id} THEN RAISE EXCEPTION 'refused'; END IF;
    RETURN NEW; END $$ LANGUAGE plpgsql;
    CREATE TRIGGER ${marker} BEFORE INSERT ON quotas FOR EACH ROW EXECUTE FUNCTION ${marker}();`);
  const counts = async () =>
    Promise.all([
      eventsOfDummy(),
      ...['event_meta_values', 'event_settings', 'item_meta_properties', 'items', 'quotas'].map(
        async (table) =>
          Number((await db()(table).whereIn('event_id', eventIdsOfDummy()).count({ n: '*' }).first())!.n),
      ),
    ]);
  try {
    const before = await counts();
    const slug = uniqueSlug('x');
    const res = await request(ctx.app)
      .post(routes.clone_from())
      .set('Authorization', dummy.authorization)
      .send(payload(slug));
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ detail: 'Internal server error.' });
    expect(await counts()).toEqual(before);
    expect(await db()('events').where({ slug }).first()).toBeUndefined();
  } finally {
    await db().raw(`DROP TRIGGER ${marker} ON quotas; DROP FUNCTION ${marker}();`);
    await db()('quotas').where({ name: marker }).delete();
  }
});
