import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { makeTeamWithToken } from '../support/factories';
import { makeDummy } from './fixtures';

let ctx: TestContext;
const db = () => ctx.runtime.db;
let dummy: Awaited<ReturnType<typeof makeDummy>>;
const eventSettings = () => `/api/v1/organizers/${dummy.organizer.slug}/events/${dummy.event.slug}/settings/`;
const organizerSettings = () => `/api/v1/organizers/${dummy.organizer.slug}/settings/`;

beforeAll(async () => {
  ctx = createTestContext();
  dummy = await makeDummy(db());
});
afterAll(() => ctx.close());

const patchEvent = (body: object, authorization = dummy.authorization) =>
  request(ctx.app).patch(eventSettings()).set('Authorization', authorization).send(body);
const patchOrganizer = (body: object) =>
  request(ctx.app).patch(organizerSettings()).set('Authorization', dummy.authorization).send(body);

describe('GET …/events/{e}/settings/ (case 30)', () => {
  test('gives every key with its effective value', async () => {
    await patchEvent({ imprint_url: 'https://example.org' });
    const res = await request(ctx.app).get(eventSettings()).set('Authorization', dummy.authorization);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      imprint_url: 'https://example.org',
      seating_allow_blocked_seats_for_channel: [],
      locales: ['en'],
      locale: 'en',
      max_items_per_order: 10,
      attendee_names_asked: true,
      invoice_generate: 'False',
      primary_color: '#8E44B3',
      confirm_texts: [],
      reusable_media_active: false,
    });
    expect(res.body.timezone).toBe('Europe/Berlin');
    expect(Object.keys(res.body).length).toBeGreaterThanOrEqual(30);
  });

  test('?explain gives value, label, help_text and readonly per key, whatever its value', async () => {
    for (const query of ['?explain=true', '?explain', '?explain=false']) {
      const res = await request(ctx.app)
        .get(`${eventSettings()}${query}`)
        .set('Authorization', dummy.authorization);
      expect(res.status).toBe(200);
      expect(res.body.imprint_url).toEqual({
        value: 'https://example.org',
        label: 'Imprint URL',
        help_text:
          'This should point e.g. to a part of your website that has your contact details and legal information.',
        readonly: false,
      });
      expect(res.body.reusable_media_active).toMatchObject({ value: false, readonly: true });
      for (const entry of Object.values(res.body) as Record<string, unknown>[])
        expect(Object.keys(entry).sort()).toEqual(['help_text', 'label', 'readonly', 'value']);
    }
  });

  test('is readable with plain event access; PATCH needs can_change_event_settings', async () => {
    const { authorization } = await makeTeamWithToken(db(), dummy.organizer.id, { permissions: [] });
    expect((await request(ctx.app).get(eventSettings()).set('Authorization', authorization)).status).toBe(
      200,
    );
    const res = await patchEvent({ imprint_url: 'https://example.net' }, authorization);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: 'You do not have permission to perform this action.' });
  });
});

describe('PATCH …/events/{e}/settings/ (case 31)', () => {
  test('stores values as sent; read-only and unknown keys are ignored', async () => {
    const res = await patchEvent({
      imprint_url: 'https://example.org/imprint/',
      confirm_texts: [{ de: 'Ich bin mit den AGB einverstanden.' }],
      reusable_media_active: true,
      seating_allow_blocked_seats_for_channel: ['web'],
      no_such_setting: 1,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      imprint_url: 'https://example.org/imprint/',
      confirm_texts: [{ de: 'Ich bin mit den AGB einverstanden.' }],
      reusable_media_active: false,
      seating_allow_blocked_seats_for_channel: ['web'],
    });
    expect(res.body).not.toHaveProperty('no_such_setting');
    const rows = await db()('event_settings').where('event_id', dummy.event.id).select('key', 'value');
    const stored = Object.fromEntries(
      rows.map((row: { key: string; value: unknown }) => [row.key, row.value]),
    );
    expect(stored).toMatchObject({
      imprint_url: 'https://example.org/imprint/',
      confirm_texts: [{ de: 'Ich bin mit den AGB einverstanden.' }],
    });
    expect(stored).not.toHaveProperty('reusable_media_active');
    expect(stored).not.toHaveProperty('no_such_setting');
  });

  test('colours are stored; null removes them from the event level', async () => {
    let res = await patchEvent({ primary_color: '#ff0000', theme_color_background: '#ff0000' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ primary_color: '#ff0000', theme_color_background: '#ff0000' });
    res = await patchEvent({ primary_color: null, theme_color_background: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ primary_color: '#8E44B3', theme_color_background: '#F6F7F9' });
    const keys = (await db()('event_settings').where('event_id', dummy.event.id).select('key')).map(
      (row: { key: string }) => row.key,
    );
    expect(keys).not.toContain('primary_color');
  });

  test("null makes the organizer's value show through", async () => {
    expect((await patchOrganizer({ imprint_url: 'https://organizer.example.org/' })).status).toBe(200);
    expect((await patchEvent({ imprint_url: 'https://event.example.org/' })).body.imprint_url).toBe(
      'https://event.example.org/',
    );
    const res = await patchEvent({ imprint_url: null });
    expect(res.status).toBe(200);
    expect(res.body.imprint_url).toBe('https://organizer.example.org/');
    // and the organizer level itself falls back to the default after null
    expect((await patchOrganizer({ imprint_url: null })).body.imprint_url).toBeNull();
    const get = await request(ctx.app).get(eventSettings()).set('Authorization', dummy.authorization);
    expect(get.body.imprint_url).toBeNull();
  });

  test("the time zone is the event's own column; null puts back the organizer's", async () => {
    let res = await patchEvent({ timezone: 'Asia/Tokyo' });
    expect(res.status).toBe(200);
    expect(res.body.timezone).toBe('Asia/Tokyo');
    const event = await request(ctx.app)
      .get(`/api/v1/organizers/${dummy.organizer.slug}/events/${dummy.event.slug}/`)
      .set('Authorization', dummy.authorization);
    expect(event.body.timezone).toBe('Asia/Tokyo');
    await patchOrganizer({ timezone: 'Europe/Paris' });
    res = await patchEvent({ timezone: null });
    expect(res.body.timezone).toBe('Europe/Paris');
    expect((await db()('events').where('id', dummy.event.id).first()).timezone).toBe('Europe/Paris');
    expect((await patchEvent({ timezone: 'Mars/Base' })).body).toEqual({
      timezone: ['"Mars/Base" is not a valid choice.'],
    });
    await patchOrganizer({ timezone: null });
    await patchEvent({ timezone: 'Europe/Berlin' });
  });

  test('PUT → 405', async () => {
    const res = await request(ctx.app)
      .put(eventSettings())
      .set('Authorization', dummy.authorization)
      .send({});
    expect(res.status).toBe(405);
    expect(res.body).toEqual({ detail: 'Method "PUT" not allowed.' });
  });

  test('locales can be extended and restored', async () => {
    let res = await patchEvent({ locales: ['en', 'de', 'de-informal'] });
    expect(res.status).toBe(200);
    expect(res.body.locales).toEqual(['en', 'de', 'de-informal']);
    res = await patchEvent({ locales: ['en'] });
    expect(res.body.locales).toEqual(['en']);
  });

  test('tax and invoicing keys are accepted with can_change_event_settings (it carries them under legacy flags)', async () => {
    const res = await patchEvent({
      display_net_prices: true,
      invoice_address_asked: true,
      payment_term_days: 7,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      display_net_prices: true,
      invoice_address_asked: true,
      payment_term_days: 7,
    });
    await patchEvent({ display_net_prices: null, invoice_address_asked: null, payment_term_days: null });
  });
});

describe('PATCH …/events/{e}/settings/ validation (case 32)', () => {
  test.each([
    [{ imprint_url: 'invalid' }, { imprint_url: ['Enter a valid URL.'] }],
    [
      { invoice_address_required: true, invoice_address_asked: false },
      {
        invoice_address_required: [
          'You have to ask for invoice addresses if you want to make them required.',
        ],
      },
    ],
    [
      { cancel_allow_user_until: 'RELDATE/3/12:00/foobar/' },
      { cancel_allow_user_until: ['Invalid relative date'] },
    ],
    [
      { seating_allow_blocked_seats_for_channel: ['lolnope'] },
      { seating_allow_blocked_seats_for_channel: ['The value "lolnope" is not a valid sales channel.'] },
    ],
    [
      { locale: 'de' },
      { locale: ['Your default locale must also be enabled for your event (see box above).'] },
    ],
    [
      { attendee_names_required: true, attendee_names_asked: false },
      {
        attendee_names_required: ['You cannot require specifying attendee names if you do not ask for them.'],
      },
    ],
    [
      { attendee_emails_required: true },
      {
        attendee_emails_required: ['You have to ask for attendee emails if you want to make them required.'],
      },
    ],
    [
      { invoice_address_asked: true, invoice_address_company_required: true },
      {
        invoice_address_company_required: [
          'You have to require invoice addresses to require for company names.',
        ],
      },
    ],
    [
      { primary_color: 'red', contact_mail: 'nobody', max_items_per_order: 0, reservation_time: 'x' },
      {
        primary_color: ['Please enter the hexadecimal code of a color, e.g. #990000.'],
        contact_mail: ['Enter a valid email address.'],
        max_items_per_order: ['Ensure this value is greater than or equal to 1.'],
        reservation_time: ['A valid integer is required.'],
      },
    ],
    [{ invoice_generate: 'sometimes' }, { invoice_generate: ['"sometimes" is not a valid choice.'] }],
    [{ locales: ['en', 'xx'] }, { locales: ['"xx" is not a valid choice.'] }],
    [{ region: 'ZZ' }, { region: ['"ZZ" is not a valid choice.'] }],
    [{ frontpage_text: 3 }, { frontpage_text: ['Invalid data type.'] }],
    [
      { payment_term_last: 'RELDATE/1/12:00:00/date_from/' },
      { payment_term_last: ['Invalid relative date'] },
    ],
  ])('%j → 400 %j', async (body, errors) => {
    const res = await patchEvent(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errors);
  });

  test('a list body → 400 non_field_errors', async () => {
    const res = await request(ctx.app)
      .patch(eventSettings())
      .set('Authorization', dummy.authorization)
      .send([1]);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
  });

  test('relative dates are accepted in every documented form', async () => {
    for (const value of [
      'RELDATE/3/12:00:00/date_from/',
      'RELDATE/3/-/presale_end/after',
      'RELDATE/minutes/90/date_admission/',
      '2030-01-01T10:00:00+01:00',
    ]) {
      const res = await patchEvent({ cancel_allow_user_until: value });
      expect(res.status).toBe(200);
    }
    expect((await patchEvent({ cancel_allow_user_until: null })).body.cancel_allow_user_until).toBeNull();
  });

  test('payment_term_last before the end of presale → 400', async () => {
    await db()('events').where('id', dummy.event.id).update({ presale_end: '2017-12-20T10:00:00Z' });
    try {
      let res = await patchEvent({ payment_term_last: '2017-12-19' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        payment_term_last: ['The last payment date cannot be before the end of presale.'],
      });
      res = await patchEvent({ payment_term_last: 'RELDATE/10/-/date_from/' });
      expect(res.status).toBe(400);
      res = await patchEvent({ payment_term_last: 'RELDATE/7/-/date_from/' });
      expect(res.status).toBe(200);
      expect(res.body.payment_term_last).toBe('RELDATE/7/-/date_from/');
    } finally {
      await patchEvent({ payment_term_last: null });
      await db()('events').where('id', dummy.event.id).update({ presale_end: null });
    }
  });

  test('nothing is stored when one key fails', async () => {
    const res = await patchEvent({ mail_prefix: 'CONF', imprint_url: 'invalid' });
    expect(res.status).toBe(400);
    expect(
      await db()('event_settings').where({ event_id: dummy.event.id, key: 'mail_prefix' }).first(),
    ).toBeUndefined();
  });
});

describe('…/organizers/{o}/settings/', () => {
  test('needs can_change_organizer_settings, for reading too', async () => {
    const { authorization } = await makeTeamWithToken(db(), dummy.organizer.id, {
      permissions: ['can_create_events', 'can_change_event_settings'],
    });
    expect((await request(ctx.app).get(organizerSettings()).set('Authorization', authorization)).status).toBe(
      403,
    );
    expect(
      (await request(ctx.app).patch(organizerSettings()).set('Authorization', authorization).send({})).status,
    ).toBe(403);
  });

  test('holds organizer values and explains them', async () => {
    const res = await patchOrganizer({ timezone: 'Europe/Kyiv', contact_mail: 'info@example.org' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ timezone: 'Europe/Kyiv', contact_mail: 'info@example.org' });
    const explained = await request(ctx.app)
      .get(`${organizerSettings()}?explain=1`)
      .set('Authorization', dummy.authorization);
    expect(explained.body.timezone).toEqual({
      value: 'Europe/Kyiv',
      label: 'Timezone',
      help_text: 'On organizer level: the time zone new events are created in.',
      readonly: false,
    });
    const event = await request(ctx.app).get(eventSettings()).set('Authorization', dummy.authorization);
    expect(event.body.contact_mail).toBe('info@example.org');
    expect((await patchOrganizer({ timezone: 'Nowhere/Town' })).body).toEqual({
      timezone: ['"Nowhere/Town" is not a valid choice.'],
    });
    await patchOrganizer({ timezone: null, contact_mail: null });
  });

  test('PUT → 405', async () => {
    const res = await request(ctx.app)
      .put(organizerSettings())
      .set('Authorization', dummy.authorization)
      .send({});
    expect(res.status).toBe(405);
  });
});
