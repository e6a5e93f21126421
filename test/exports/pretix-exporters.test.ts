import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { TestContext } from '../support/app';
import { makeEvent, makeOrganizer, makeTeamWithToken } from '../support/factories';
import { createExportsContext, download, startTestWorker, TicketingData, type TestWorker } from './support';

/** pretix's src/tests/api/test_exporters.py (research §7.1), ported. */
let ctx: TestContext;
let worker: TestWorker;
let organizer: { id: number; slug: string };
let event: { id: number; slug: string };
let second: { id: number; slug: string };
let token: Awaited<ReturnType<typeof makeTeamWithToken>>;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const FORMATS = [
  'xlsx',
  'orders:default',
  'orders:excel',
  'orders:semicolon',
  'positions:default',
  'positions:excel',
  'positions:semicolon',
  'fees:default',
  'fees:excel',
  'fees:semicolon',
];
const param = (name: string, required = false) => expect.objectContaining({ name, required });

beforeAll(async () => {
  ctx = createExportsContext({ EXPORT_MAX_ACTIVE_PER_CLIENT: '50' });
  worker = startTestWorker(ctx);
  organizer = await makeOrganizer(ctx.runtime.db);
  event = await makeEvent(ctx.runtime.db, organizer.id);
  second = await makeEvent(ctx.runtime.db, organizer.id);
  token = await makeTeamWithToken(ctx.runtime.db, organizer.id, { permissions: 'all' });
  const data = new TicketingData(ctx.runtime.db);
  const ticket = await data.item(event.id, 'Ticket');
  await data.order(event.id, { datetime: '2020-06-01T10:00:00Z', positions: [{ itemId: ticket.id }] });
  await data.order(event.id, { datetime: new Date().toISOString(), positions: [{ itemId: ticket.id }] });
  const other = await data.item(second.id, 'Ticket');
  await data.order(second.id, { positions: [{ itemId: other.id }] });
});
afterAll(async () => {
  await worker.stop();
  await ctx.close();
});

const eventUrl = () => `/api/v1/organizers/${organizer.slug}/events/${event.slug}/exporters`;
const orgUrl = () => `/api/v1/organizers/${organizer.slug}/exporters`;
const get = (url: string, auth = token.authorization) => request(ctx.app).get(url).set('Authorization', auth);
const post = (url: string, body: unknown, auth = token.authorization) =>
  request(ctx.app)
    .post(url)
    .set('Authorization', auth)
    .send(body as object);

test('test_event_list: orderlist with pretix inputs in order, plus type/default/label', async () => {
  const expected = {
    identifier: 'orderlist',
    verbose_name: 'Order data',
    input_parameters: [
      {
        name: '_format',
        required: true,
        choices: FORMATS,
        type: 'choice',
        default: null,
        label: 'Export format',
      },
      { name: 'paid_only', required: false, type: 'boolean', default: true, label: 'Only paid orders' },
      {
        name: 'include_payment_amounts',
        required: false,
        type: 'boolean',
        default: false,
        label: 'Include payment amounts',
      },
      {
        name: 'group_multiple_choice',
        required: false,
        type: 'boolean',
        default: false,
        label: 'Show multiple choice answers grouped in one column',
      },
      { name: 'date_range', required: false, type: 'date_frame', default: '/', label: 'Date range' },
      { name: 'event_date_range', required: false, type: 'date_frame', default: '/', label: 'Event date' },
      { name: 'items', required: false, type: 'model_multiple_choice', default: [], label: 'Products' },
    ],
  };
  const list = await get(`${eventUrl()}/`);
  expect(list.status).toBe(200);
  expect(list.body.next).toBeNull();
  expect(list.body.previous).toBeNull();
  expect(list.body.count).toBe(list.body.results.length);
  expect(list.body.results).toContainEqual(expected);
  const names = list.body.results.map((r: { verbose_name: string }) => r.verbose_name);
  expect(names).toEqual([...names].sort((a: string, b: string) => a.localeCompare(b)));

  const detail = await get(`${eventUrl()}/orderlist/`);
  expect(detail.status).toBe(200);
  expect(detail.body).toEqual(expected);
});

test('test_org_list: all_events and events first, no items', async () => {
  const list = await get(`${orgUrl()}/`);
  expect(list.status).toBe(200);
  const orderlist = list.body.results.find((r: { identifier: string }) => r.identifier === 'orderlist');
  expect(orderlist.input_parameters.map((p: { name: string }) => p.name)).toEqual([
    'all_events',
    'events',
    '_format',
    'paid_only',
    'include_payment_amounts',
    'group_multiple_choice',
    'date_range',
    'event_date_range',
  ]);
  expect(orderlist.input_parameters.slice(0, 3)).toEqual([
    param('all_events'),
    param('events'),
    expect.objectContaining({ name: '_format', required: true, choices: FORMATS }),
  ]);
  expect(orderlist.input_parameters[1]).not.toHaveProperty('choices');
  const detail = await get(`${orgUrl()}/orderlist/`);
  expect(detail.body).toEqual(orderlist);
});

test('test_event_validate: _format required and checked', async () => {
  const missing = await post(`${eventUrl()}/orderlist/run/`, {});
  expect(missing.status).toBe(400);
  expect(missing.body).toEqual({ _format: ['This field is required.'] });
  const bad = await post(`${eventUrl()}/orderlist/run/`, { _format: 'FOOBAR' });
  expect(bad.status).toBe(400);
  expect(bad.body).toEqual({ _format: ['"FOOBAR" is not a valid choice.'] });
});

test('test_org_validate_events: slugs limited to the events the client may export', async () => {
  expect((await post(`${orgUrl()}/orderlist/run/`, { _format: 'xlsx' })).status).toBe(202);
  const unknown = await post(`${orgUrl()}/orderlist/run/`, { _format: 'xlsx', events: ['nonexisting'] });
  expect(unknown.status).toBe(400);
  expect(unknown.body).toEqual({ events: ['Object with slug=nonexisting does not exist.'] });
  expect((await post(`${orgUrl()}/orderlist/run/`, { _format: 'xlsx', events: [event.slug] })).status).toBe(
    202,
  );

  const limited = await makeTeamWithToken(ctx.runtime.db, organizer.id, {
    permissions: ['can_view_orders'],
    events: [],
  });
  const denied = await post(
    `${orgUrl()}/orderlist/run/`,
    { _format: 'xlsx', events: [event.slug] },
    limited.authorization,
  );
  expect(denied.status).toBe(400);
  expect(denied.body).toEqual({ events: [`Object with slug=${event.slug} does not exist.`] });
});

test('test_org_run_limit_events: all events, selected events, and a team limited to one event', async () => {
  const lines = async (body: object, auth = token.authorization) => {
    const run = await post(
      `${orgUrl()}/orderlist/run/`,
      { _format: 'orders:default', paid_only: false, ...body },
      auth,
    );
    expect(run.status).toBe(202);
    const res = await download(ctx.app, run.body.download, auth);
    expect(res.status).toBe(200);
    return res.body.toString('utf8').trim().split('\n').length;
  };
  expect(await lines({})).toBe(4);
  expect(await lines({ events: [event.slug] })).toBe(3);
  const limited = await makeTeamWithToken(ctx.runtime.db, organizer.id, {
    permissions: ['can_view_orders'],
    events: [second.slug],
  });
  expect(await lines({}, limited.authorization)).toBe(2);
  expect(await lines({ all_events: true }, limited.authorization)).toBe(2);
});

test('test_run_success: xlsx with a named date frame', async () => {
  const run = await post(`${eventUrl()}/orderlist/run/`, { _format: 'xlsx', date_range: 'year_this' });
  expect(run.status).toBe(202);
  const res = await download(ctx.app, run.body.download, token.authorization);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe(XLSX);
  expect(res.headers['content-disposition']).toBe(`attachment; filename="${event.slug}_orders.xlsx"`);
});

test('test_run_success_old_date_frame: legacy date_from/date_to are accepted and stored as date_range', async () => {
  const run = await post(`${eventUrl()}/orderlist/run/`, {
    _format: 'orders:default',
    paid_only: false,
    date_from: '2020-01-01',
    date_to: '2023-12-31',
  });
  expect(run.status).toBe(202);
  const res = await download(ctx.app, run.body.download, token.authorization);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('text/csv');
  // Only the order of 2020 falls into the frame.
  expect(res.body.toString().trim().split('\n')).toHaveLength(2);
  const id = run.body.download.split('/').at(-2);
  const row = await ctx.runtime.db('exports').where('id', id).first();
  expect(row.input).toMatchObject({ date_range: '2020-01-01/2023-12-31', event_date_range: '/' });
});

test('test_run_date_frame_validation', async () => {
  const res = await post(`${eventUrl()}/orderlist/run/`, { _format: 'xlsx', date_range: 'invalid' });
  expect(res.status).toBe(400);
  expect(res.body).toEqual({ date_range: ['Invalid date frame'] });
});

test('a date frame whose end is before its start is a 400 on that field, and nothing is queued', async () => {
  const runs = () => ctx.runtime.db('exports').where('organizer_id', organizer.id).count({ n: '*' }).first();
  const before = await runs();
  const res = await post(`${eventUrl()}/orderlist/run/`, {
    _format: 'xlsx',
    date_range: '2030-02-01/2030-01-31',
    event_date_range: '2030-01-01/2030-01-01',
  });
  expect(res.status).toBe(400);
  expect(res.body).toEqual({ date_range: ['The end of the date frame is before its start.'] });
  expect(await runs()).toEqual(before);
});

test.each([
  'days_today',
  'days_yesterday',
  'days_last7',
  'days_last14',
  'days_tomorrow',
  'days_next7',
  'days_next14',
  'week_this',
  'week_to_date',
  'week_previous',
  'week_next',
  'month_this',
  'month_to_date',
  'month_previous',
  'month_next',
  'quarter_this',
  'quarter_to_date',
  'quarter_previous',
  'quarter_next',
  'year_this',
  'year_to_date',
  'year_previous',
  'year_next',
  'future',
  'past',
  '2020-01-01/',
  '/2020-12-31',
  '/',
])('every date frame is accepted: %s', async (frame) => {
  const res = await post(`${eventUrl()}/orderlist/run/`, { _format: 'xlsx', date_range: frame });
  expect(res.status).toBe(202);
});

test('test_run_additional_fields_forbidden', async () => {
  const res = await post(`${eventUrl()}/orderlist/run/`, { _format: 'xlsx', foobar: 'invalid' });
  expect(res.status).toBe(400);
  expect(res.body).toEqual({ fields: ["Additional fields not allowed: ['foobar']."] });
});

test('test_download_nonexisting: 404', async () => {
  const res = await get(`${eventUrl()}/orderlist/download/${randomUUID()}/${randomUUID()}/`);
  expect(res.status).toBe(404);
  expect(res.body).toEqual({ detail: 'No CachedFile matches the given query.' });
});

test('test_org_level_export: an exporter the client may not use is 404 on detail and run', async () => {
  const noOrders = await makeTeamWithToken(ctx.runtime.db, organizer.id, {
    permissions: ['can_create_events'],
  });
  expect((await get(`${orgUrl()}/orderlist/`, noOrders.authorization)).status).toBe(404);
  const run = await post(`${orgUrl()}/orderlist/run/`, { _format: 'xlsx' }, noOrders.authorization);
  expect(run.status).toBe(404);
  const list = await get(`${orgUrl()}/`, noOrders.authorization);
  expect(list.body).toEqual({ count: 0, next: null, previous: null, results: [] });
});

test('server-side defaults: omitted inputs are stored with their defaults', async () => {
  const run = await post(`${eventUrl()}/orderlist/run/`, { _format: 'xlsx' });
  const id = run.body.download.split('/').at(-2);
  const row = await ctx.runtime.db('exports').where('id', id).first();
  expect(row.input).toEqual({
    _format: 'xlsx',
    paid_only: true,
    include_payment_amounts: false,
    group_multiple_choice: false,
    date_range: '/',
    event_date_range: '/',
    items: [],
  });
});

test('items must be products of the event', async () => {
  const foreign = await new TicketingData(ctx.runtime.db).item(second.id, 'Elsewhere');
  const res = await post(`${eventUrl()}/orderlist/run/`, { _format: 'xlsx', items: [foreign.id] });
  expect(res.status).toBe(400);
  expect(res.body).toEqual({ items: [`Invalid pk "${foreign.id}" - object does not exist.`] });
});

test('a body that is not an object is 400, not 500', async () => {
  const res = await request(ctx.app)
    .post(`${eventUrl()}/orderlist/run/`)
    .set('Authorization', token.authorization)
    .set('Content-Type', 'application/json')
    .send('[1]');
  expect(res.status).toBe(400);
  expect(res.body).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
});
