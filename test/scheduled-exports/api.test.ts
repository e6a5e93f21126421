import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { makeEvent, makeOrganizer, makeTeamWithToken, makeUser } from '../support/factories';
import { issueAccessToken } from '../support/oauth-tokens';
import { DAILY_RULE, insertSchedule, scheduleRow, WEEKLY_RULE } from './support';

let ctx: TestContext;
beforeAll(() => {
  ctx = createTestContext();
});
afterAll(() => ctx.close());
const db = () => ctx.runtime.db;

/** pretix's API fixture: organizer, event in Europe/Berlin, a full team with a token and a user (OAuth). */
async function world() {
  const organizer = await makeOrganizer(db());
  const event = await makeEvent(db(), organizer.id);
  await db()('events').where('id', event.id).update({ timezone: 'Europe/Berlin' });
  const user = await makeUser(db());
  const team = await makeTeamWithToken(db(), organizer.id, { permissions: 'all', members: [user.email] });
  const userClient = await issueAccessToken(db(), user.id, [organizer.id]);
  const eventSchedule = await insertSchedule(ctx, {
    organizerId: organizer.id,
    eventId: event.id,
    ownerId: user.id,
  });
  const organizerSchedule = await insertSchedule(ctx, { organizerId: organizer.id, ownerId: user.id });
  const eventBase = `/api/v1/organizers/${organizer.slug}/events/${event.slug}/scheduled_exports/`;
  const organizerBase = `/api/v1/organizers/${organizer.slug}/scheduled_exports/`;
  return {
    organizer,
    event,
    user,
    team,
    token: team.authorization,
    userClient,
    eventSchedule,
    organizerSchedule,
    eventBase,
    organizerBase,
  };
}

function expected(w: Awaited<ReturnType<typeof world>>, level: 'event' | 'organizer') {
  const row = level === 'event' ? w.eventSchedule : w.organizerSchedule;
  return {
    id: Number(row.id),
    owner: w.user.email,
    export_identifier: 'orderlist',
    // Our orderlist offers event_date_range at event level too, so an omitted one shows as null at both levels.
    export_form_data: { _format: 'xlsx', date_range: 'year_this', event_date_range: null },
    locale: 'en',
    mail_additional_recipients: 'foo@example.org',
    mail_additional_recipients_cc: '',
    mail_additional_recipients_bcc: '',
    mail_subject: 'Current order list',
    mail_template: 'Here is the current order list',
    schedule_rrule: WEEKLY_RULE,
    schedule_rrule_time: '04:00:00',
    schedule_next_run: row.schedule_next_run!.toISOString().replace('.000Z', 'Z'),
    ...(level === 'organizer' ? { timezone: 'UTC' } : {}),
    error_counter: 0,
  };
}

const get = (path: string, auth: string) => request(ctx.app).get(path).set('Authorization', auth);
const send = (method: 'post' | 'patch' | 'put', path: string, auth: string, body: unknown) =>
  request(ctx.app)
    [method](path)
    .set('Authorization', auth)
    .send(body as object);

const CREATE = {
  export_identifier: 'orderlist',
  export_form_data: { _format: 'xlsx', date_range: 'year_this', items: [] },
  locale: 'en',
  mail_additional_recipients: 'foo@example.org',
  mail_additional_recipients_cc: '',
  mail_additional_recipients_bcc: '',
  mail_subject: 'Current order list',
  mail_template: 'Here is the current order list',
  schedule_rrule: WEEKLY_RULE,
  schedule_rrule_time: '04:00:00',
};

describe.each(['event', 'organizer'] as const)(
  "pretix's scheduled-export API cases at %s level (13–26)",
  (level) => {
    const base = (w: Awaited<ReturnType<typeof world>>) =>
      level === 'event' ? w.eventBase : w.organizerBase;
    const scheduleOf = (w: Awaited<ReturnType<typeof world>>) =>
      level === 'event' ? w.eventSchedule : w.organizerSchedule;

    test('list with the token; without permissions the token gets 403', async () => {
      const w = await world();
      const res = await get(base(w), w.token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ count: 1, next: null, previous: null, results: [expected(w, level)] });
      await db()('teams').where('id', w.team.team.id).update({
        all_events: false,
        can_change_event_settings: false,
        can_change_organizer_settings: false,
        can_view_orders: false,
      });
      const denied = await get(base(w), w.token);
      expect(denied.status).toBe(403);
      if (level === 'organizer')
        expect(denied.body).toEqual({
          detail:
            'Scheduled exports require either permission to change organizer settings or user-specific API access.',
        });
    });

    test('list as the owner (also without the settings permission); another user of the team sees none', async () => {
      const w = await world();
      expect((await get(base(w), w.userClient)).body.results).toEqual([expected(w, level)]);
      await db()('teams').where('id', w.team.team.id).update({
        can_change_event_settings: false,
        can_change_organizer_settings: false,
        can_change_teams: false,
      });
      expect((await get(base(w), w.userClient)).body.results).toEqual([expected(w, level)]);
      const other = await makeUser(db());
      await db()('team_members').insert({ team_id: w.team.team.id, user_id: other.id });
      const res = await get(base(w), await issueAccessToken(db(), other.id, [w.organizer.id]));
      expect(res.status).toBe(200);
      expect(res.body.results).toEqual([]);
      expect(
        (
          await get(
            `${base(w)}${scheduleOf(w).id}/`,
            await issueAccessToken(db(), other.id, [w.organizer.id]),
          )
        ).body,
      ).toEqual({
        detail: `No ${level === 'event' ? 'ScheduledEventExport' : 'ScheduledOrganizerExport'} matches the given query.`,
      });
    });

    test('detail with the token', async () => {
      const w = await world();
      const res = await get(`${base(w)}${scheduleOf(w).id}/`, w.token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(expected(w, level));
    });

    test('create as a user: 201, stored normalised, owned by the user, next run in the future', async () => {
      const w = await world();
      const body =
        level === 'event'
          ? CREATE
          : { ...CREATE, export_form_data: { _format: 'xlsx', date_range: 'year_this' } };
      const res = await send('post', base(w), w.userClient, body);
      expect(res.status).toBe(201);
      const row = await scheduleRow(db(), res.body.id as number);
      expect(row.export_form_data).toEqual(
        level === 'event'
          ? { _format: 'xlsx', date_range: 'year_this', event_date_range: '/', items: [] }
          : { _format: 'xlsx', date_range: 'year_this', event_date_range: '/' },
      );
      expect(Number(row.owner_id)).toBe(w.user.id);
      expect(row.schedule_next_run!.getTime()).toBeGreaterThan(Date.now());
      expect(res.body.owner).toBe(w.user.email);
    });

    test('create with the token: 403, nothing written', async () => {
      const w = await world();
      const res = await send('post', base(w), w.token, CREATE);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ detail: 'Creation of exports requires user-specific API access.' });
      expect((await get(base(w), w.token)).body.count).toBe(1);
    });

    test('delete with the token: 204 and gone', async () => {
      const w = await world();
      const res = await request(ctx.app)
        .delete(`${base(w)}${scheduleOf(w).id}/`)
        .set('Authorization', w.token);
      expect(res.status).toBe(204);
      expect((await get(base(w), w.token)).body.count).toBe(0);
    });

    test('update with the token: stored normalised (and the time zone at organizer level)', async () => {
      const w = await world();
      const res = await send('patch', `${base(w)}${scheduleOf(w).id}/`, w.token, {
        export_form_data: { _format: 'xlsx', date_range: 'month_this' },
        ...(level === 'organizer' ? { timezone: 'America/New_York' } : {}),
      });
      expect(res.status).toBe(200);
      const row = await scheduleRow(db(), Number(scheduleOf(w).id));
      expect(row.export_form_data).toEqual(
        level === 'event'
          ? { _format: 'xlsx', date_range: 'month_this', event_date_range: '/', items: [] }
          : { _format: 'xlsx', date_range: 'month_this', event_date_range: '/' },
      );
      if (level === 'organizer') expect(row.timezone).toBe('America/New_York');
    });
  },
);

describe("pretix's validation cases (27–32), with exact bodies", () => {
  test.each<[string, Record<string, unknown>, unknown]>([
    [
      'unknown exporter',
      { export_identifier: 'unknownorg' },
      { export_identifier: ['"unknownorg" is not a valid choice.'] },
    ],
    [
      'bad date frame',
      { export_form_data: { _format: 'xlsx', date_range: 'UNKNOWN' } },
      { export_form_data: { date_range: ['Invalid date frame'] } },
    ],
    ['locale', { locale: 'BLÖDSINN' }, { locale: ['"BLÖDSINN" is not a valid choice.'] }],
    ['time zone', { timezone: 'Invalid' }, { timezone: ['"Invalid" is not a valid choice.'] }],
    [
      'bad recipient',
      { mail_additional_recipients: 'aaaaaa' },
      { mail_additional_recipients: ['Enter a valid email address.'] },
    ],
    [
      '26 recipients',
      { mail_additional_recipients: Array(26).fill('a@b.com').join(',') },
      { mail_additional_recipients: ['Please enter less than 25 recipients.'] },
    ],
    [
      'trailing comma',
      { mail_additional_recipients_cc: 'a@b.com,' },
      { mail_additional_recipients_cc: ['Enter a valid email address.'] },
    ],
    ['rrule', { schedule_rrule: 'invalid content' }, { schedule_rrule: ['Not a valid rrule.'] }],
    [
      'EXRULE',
      { schedule_rrule: `${WEEKLY_RULE}\nEXRULE:FREQ=WEEKLY;COUNT=4;INTERVAL=2;BYDAY=TU,TH` },
      { schedule_rrule: ['Only a single RRULE is allowed, no combination of rules.'] },
    ],
    [
      'BYEASTER',
      { schedule_rrule: 'DTSTART:20230118T000000\nRRULE:FREQ=YEARLY;BYEASTER=0' },
      { schedule_rrule: ['BYEASTER not supported'] },
    ],
    [
      'zoned DTSTART',
      { schedule_rrule: 'DTSTART;TZID=Europe/Berlin:20230118T000000\nRRULE:FREQ=DAILY' },
      {
        schedule_rrule: [
          'DTSTART must be a local date or date-time without TZID or "Z": the schedule\'s time zone applies.',
        ],
      },
    ],
    ['empty rule', { schedule_rrule: '' }, { schedule_rrule: ['This field may not be blank.'] }],
    [
      'subject with a line break',
      { mail_subject: 'Orders\r\nBcc: x@evil.test' },
      { mail_subject: ['The subject must not contain line breaks.'] },
    ],
    [
      'long subject',
      { mail_subject: 'x'.repeat(251) },
      { mail_subject: ['Ensure this field has no more than 250 characters.'] },
    ],
    [
      'bad time',
      { schedule_rrule_time: '25:00' },
      {
        schedule_rrule_time: [
          'Time has wrong format. Use one of these formats instead: hh:mm[:ss[.uuuuuu]].',
        ],
      },
    ],
  ])('%s → 400, nothing written', async (_name, change, body) => {
    const w = await world();
    const res = await send('post', w.organizerBase, w.userClient, {
      ...CREATE,
      export_form_data: { _format: 'xlsx', date_range: 'year_this' },
      ...change,
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(body);
    expect(await db()('scheduled_exports').where('organizer_id', w.organizer.id).count({ n: '*' })).toEqual([
      { n: 2 },
    ]);
  });

  test('required fields are reported together; a token learns them before the 403', async () => {
    const w = await world();
    const res = await send('post', w.organizerBase, w.token, {});
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      export_identifier: ['This field is required.'],
      mail_subject: ['This field is required.'],
      mail_template: ['This field is required.'],
      schedule_rrule: ['This field is required.'],
      schedule_rrule_time: ['This field is required.'],
    });
  });

  test('recipients: spaces removed, exactly 25 accepted', async () => {
    const w = await world();
    const res = await send('post', w.organizerBase, w.userClient, {
      ...CREATE,
      export_form_data: { _format: 'xlsx' },
      mail_additional_recipients: Array(25).fill(' a@b.com').join(','),
      mail_additional_recipients_bcc: ' x@example.org , y@example.org',
    });
    expect(res.status).toBe(201);
    expect(res.body.mail_additional_recipients).toBe(Array(25).fill('a@b.com').join(','));
    expect(res.body.mail_additional_recipients_bcc).toBe('x@example.org,y@example.org');
  });
});

describe('updates', () => {
  test('every update resets the failure counter and recomputes the next run; PUT resets locale and time zone', async () => {
    const w = await world();
    const path = `${w.organizerBase}${w.organizerSchedule.id}/`;
    await db()('scheduled_exports')
      .where('id', w.organizerSchedule.id)
      .update({ error_counter: 5, schedule_next_run: new Date(0), locale: 'de', timezone: 'Asia/Tokyo' });
    const res = await send('put', path, w.token, {
      export_identifier: 'orderlist',
      mail_subject: 'Daily',
      mail_template: 'Hi',
      schedule_rrule: DAILY_RULE,
      schedule_rrule_time: '06:15',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      error_counter: 0,
      locale: 'en',
      timezone: 'UTC',
      schedule_rrule_time: '06:15:00',
    });
    expect(res.body.export_form_data).toEqual({
      _format: 'xlsx',
      date_range: 'year_this',
      event_date_range: null,
    });
    const next = new Date(res.body.schedule_next_run as string);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.toISOString().slice(11, 19)).toBe('06:15:00');
  });

  test('a rule without DTSTART gets today as DTSTART, so its weekday is stable', async () => {
    const w = await world();
    const res = await send('patch', `${w.eventBase}${w.eventSchedule.id}/`, w.token, {
      schedule_rrule: 'RRULE:FREQ=WEEKLY',
    });
    expect(res.status).toBe(200);
    expect(res.body.schedule_rrule).toMatch(/^DTSTART:\d{8}T000000\nRRULE:FREQ=WEEKLY$/);
  });

  test('changing the exporter re-validates the stored form data against the new one', async () => {
    const w = await world();
    const res = await send('patch', `${w.eventBase}${w.eventSchedule.id}/`, w.token, {
      export_identifier: 'mailaddrs',
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ export_form_data: { status: ['This field is required.'] } });
  });
});

describe('ordering and preview', () => {
  test('?ordering= by export_identifier and -schedule_next_run', async () => {
    const w = await world();
    const second = await insertSchedule(ctx, {
      organizerId: w.organizer.id,
      ownerId: w.user.id,
      export_identifier: 'eventdata',
      export_form_data: { _format: 'default' },
      schedule_rrule: DAILY_RULE,
    });
    const ids = async (ordering: string) =>
      (await get(`${w.organizerBase}?ordering=${ordering}`, w.token)).body.results.map(
        (r: { id: number }) => r.id,
      );
    expect(await ids('export_identifier')).toEqual([Number(second.id), Number(w.organizerSchedule.id)]);
    expect(await ids('-id')).toEqual([Number(second.id), Number(w.organizerSchedule.id)]);
    expect(await ids('nonsense')).toEqual([Number(w.organizerSchedule.id), Number(second.id)]);
  });

  test('preview lists the next runs with local time and DST adjustment; count is at most 50', async () => {
    const w = await world();
    await db()('scheduled_exports').where('id', w.eventSchedule.id).update({
      schedule_rrule: 'DTSTART:20230118T000000\nRRULE:FREQ=DAILY',
      schedule_rrule_time: '02:30:00',
    });
    const res = await get(`${w.eventBase}${w.eventSchedule.id}/preview/?count=50`, w.token);
    expect(res.status).toBe(200);
    expect(res.body.runs).toHaveLength(50);
    for (const run of res.body.runs as { at: string; local: string; dst: string | null }[]) {
      expect(run.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(run.local).toMatch(/T0[23]:30:00\+0[12]:00$/);
      expect([null, 'gap_shifted', 'fold_earlier']).toContain(run.dst);
      expect(new Date(run.at).getTime()).toBe(new Date(run.local).getTime());
    }
    expect(new Date(res.body.runs[0].at).getTime()).toBeGreaterThan(Date.now());
    const tooMany = await get(`${w.eventBase}${w.eventSchedule.id}/preview/?count=51`, w.token);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toEqual({ count: ['Ensure this value is less than or equal to 50.'] });
  });

  test('an unknown or non-numeric id is 404 with the model name', async () => {
    const w = await world();
    for (const id of ['999999999', 'abc'])
      expect((await get(`${w.eventBase}${id}/`, w.token)).body).toEqual({
        detail: 'No ScheduledEventExport matches the given query.',
      });
  });
});

describe('edit restrictions (pretix 33, 34)', () => {
  /** pretix's helper: GET (visible?), then PATCH the returned body back (editable?). */
  async function canEdit(path: string, auth: string): Promise<'edits' | 'sees only' | 'hidden'> {
    const seen = await get(path, auth);
    if (seen.status !== 200) return 'hidden';
    const res = await send('patch', path, auth, seen.body);
    if (res.status === 200) return 'edits';
    expect(res.status === 403 || (res.status === 400 && 'export_identifier' in res.body)).toBe(true);
    return 'sees only';
  }

  test('organizer level: a non-owner must be able to run the export on the stored and the submitted events', async () => {
    const organizer = await makeOrganizer(db());
    const event1 = await makeEvent(db(), organizer.id);
    const event2 = await makeEvent(db(), organizer.id);
    const user1 = await makeUser(db());
    const user2 = await makeUser(db());
    const team1 = await makeTeamWithToken(db(), organizer.id, {
      permissions: ['can_change_organizer_settings', 'can_view_orders', 'can_change_event_settings'],
      events: [event1.slug],
      members: [user1.email],
    });
    await makeTeamWithToken(db(), organizer.id, {
      permissions: ['can_view_orders', 'can_manage_gift_cards'],
      events: [event2.slug],
      members: [user2.email],
    });
    const owner = await issueAccessToken(db(), user2.id, [organizer.id]);
    const other = await issueAccessToken(db(), user1.id, [organizer.id]);
    const s1 = await insertSchedule(ctx, {
      organizerId: organizer.id,
      ownerId: user2.id,
      export_identifier: 'orderlist',
      export_form_data: { _format: 'xlsx', all_events: true, events: [] },
      schedule_rrule: DAILY_RULE,
      schedule_rrule_time: '02:30:00',
    });
    const path = `/api/v1/organizers/${organizer.slug}/scheduled_exports/${s1.id}/`;
    const matrix = async () => [
      await canEdit(path, owner),
      await canEdit(path, other),
      await canEdit(path, team1.authorization),
    ];

    expect(await matrix()).toEqual(['edits', 'sees only', 'sees only']);
    await db()('teams').where('id', team1.team.id).update({ all_events: true });
    expect(await matrix()).toEqual(['edits', 'edits', 'edits']);
    await db()('teams').where('id', team1.team.id).update({ all_events: false });
    await db()('scheduled_exports')
      .where('id', s1.id)
      .update({
        export_form_data: JSON.stringify({ _format: 'xlsx', all_events: false, events: [event2.id] }),
      });
    expect(await matrix()).toEqual(['edits', 'sees only', 'sees only']);
    await db()('team_limit_events').insert({ team_id: team1.team.id, event_id: event2.id });
    expect(await matrix()).toEqual(['edits', 'edits', 'edits']);
  });

  test('the submitted selection is checked too: a non-owner cannot widen a schedule to all events', async () => {
    const organizer = await makeOrganizer(db());
    const event1 = await makeEvent(db(), organizer.id);
    await makeEvent(db(), organizer.id);
    const owner = await makeUser(db());
    await makeTeamWithToken(db(), organizer.id, { permissions: 'all', members: [owner.email] });
    const limited = await makeTeamWithToken(db(), organizer.id, {
      permissions: ['can_change_organizer_settings', 'can_view_orders'],
      events: [event1.slug],
    });
    const s = await insertSchedule(ctx, {
      organizerId: organizer.id,
      ownerId: owner.id,
      export_form_data: { _format: 'xlsx', all_events: false, events: [event1.id] },
    });
    const path = `/api/v1/organizers/${organizer.slug}/scheduled_exports/${s.id}/`;
    const widen = await send('patch', path, limited.authorization, {
      export_form_data: { _format: 'xlsx', all_events: true },
      mail_additional_recipients: 'thief@example.org',
    });
    expect(widen.status).toBe(403);
    expect(widen.body).toEqual({ detail: 'No permission to edit exports you could not run.' });
    expect((await scheduleRow(db(), Number(s.id))).mail_additional_recipients).toBe('foo@example.org');
    const narrow = await send('patch', path, limited.authorization, { mail_subject: 'Still event 1 only' });
    expect(narrow.status).toBe(200);
  });

  test('event level: editing needs the permission the exporter needs', async () => {
    const organizer = await makeOrganizer(db());
    const event = await makeEvent(db(), organizer.id);
    const user1 = await makeUser(db());
    const user2 = await makeUser(db());
    const team1 = await makeTeamWithToken(db(), organizer.id, {
      permissions: ['can_change_organizer_settings', 'can_change_event_settings'],
      events: [event.slug],
      members: [user1.email],
    });
    await makeTeamWithToken(db(), organizer.id, {
      permissions: ['can_view_orders', 'can_view_vouchers'],
      events: [event.slug],
      members: [user2.email],
    });
    const s2 = await insertSchedule(ctx, {
      organizerId: organizer.id,
      eventId: event.id,
      ownerId: user2.id,
      export_identifier: 'json',
      export_form_data: {},
    });
    const path = `/api/v1/organizers/${organizer.slug}/events/${event.slug}/scheduled_exports/${s2.id}/`;
    const owner = await issueAccessToken(db(), user2.id, [organizer.id]);
    const other = await issueAccessToken(db(), user1.id, [organizer.id]);
    const matrix = async () => [
      await canEdit(path, owner),
      await canEdit(path, other),
      await canEdit(path, team1.authorization),
    ];
    expect(await matrix()).toEqual(['edits', 'sees only', 'sees only']);
    const res = await send('patch', path, team1.authorization, { mail_subject: 'x' });
    expect(res.body).toEqual({ detail: 'No access to exporter.' });
    await db()('teams').where('id', team1.team.id).update({ can_view_orders: true });
    expect(await matrix()).toEqual(['edits', 'edits', 'edits']);
  });
});
