import request from 'supertest';
import type { Exporter } from '../../../src/modules/exports/exporters/define';
import { findExporter } from '../../../src/modules/exports/exporters/index';
import { makeEvent, makeOrganizer, makeTeamWithToken } from '../../support/factories';
import { readCsv } from '../files';
import { neutralised, runExport, runTable, useExportHarness, type TableResult } from './support';

/**
 * Every exporter of this branch through the real API and worker: POST …/run/, download, parse the file back
 * (csv-parse, exceljs) and compare it cell by cell with the table the exporter builds (see the per-exporter
 * tests for what those tables hold), in xlsx and every CSV dialect.
 */
const harness = useExportHarness();
let organizer: { id: number; slug: string };
let berlin: { id: number; slug: string };
let york: { id: number; slug: string };
let authorization: string;
let listId: number;
let questionId: number;

beforeAll(async () => {
  const { db, seed } = harness;
  organizer = await makeOrganizer(db);
  berlin = await makeEvent(db, organizer.id, { name: { en: 'Berlin Summit' } });
  await db('events').where('id', berlin.id).update({ timezone: 'Europe/Berlin', live: true });
  york = await makeEvent(db, organizer.id, { name: { en: 'York Meetup' } });
  await db('events').where('id', york.id).update({ timezone: 'America/New_York', currency: 'USD' });
  ({ authorization } = await makeTeamWithToken(db, organizer.id, { permissions: ['can_view_orders'] }));

  const category = await seed.category(berlin.id, { en: 'Tickets' });
  const ticket = await seed.item(
    berlin.id,
    { en: 'Ticket' },
    { category_id: category.id, default_price: '23.00' },
  );
  const shirt = await seed.item(berlin.id, { en: 'Shirt' }, { default_price: '15.00', tax_rate: '7.00' });
  const small = await seed.variation(shirt.id, { en: 'S' });
  await seed.quota(berlin.id, 'Tickets', 100, [ticket.id]);
  await seed.quota(berlin.id, 'Shirts', null, [shirt.id], [small.id]);
  questionId = (await seed.question(berlin.id, 'Diet', 'S')).id;
  listId = (await seed.checkinList(berlin.id, 'Main entrance')).id;

  const order = await seed.order(berlin.id, {
    email: 'anna@example.org',
    // Formula-looking text is neutralised by the pipeline; it must still round-trip as text.
    comment: '=1+1',
    total: '38.00',
    datetime: '2030-01-15T09:30:00Z',
  });
  const position = await seed.position(order.id, ticket.id, 1, {
    price: '23.00',
    attendee_name_cached: 'Anna Ä',
    secret: 'anna-secret',
  });
  await seed.position(order.id, shirt.id, 2, {
    variation_id: small.id,
    price: '15.00',
    addon_to_id: position.id,
  });
  await seed.answer(position.id, questionId, 'Vegan');
  await seed.checkin(position.id, listId, '2030-06-01T08:00:00Z');
  await seed.payment(order.id, 1, {
    provider: 'banktransfer',
    state: 'confirmed',
    amount: '38.00',
    created: '2030-01-15T09:31:00Z',
    payment_date: '2030-01-16T10:00:00Z',
  });
  await seed.refund(order.id, 1, {
    provider: 'banktransfer',
    state: 'done',
    amount: '15.00',
    created: '2030-01-20T10:00:00Z',
    execution_date: '2030-01-21T10:00:00Z',
  });
  await seed.waitingListEntry(berlin.id, ticket.id, {
    email: 'wait@example.org',
    created: '2030-01-10T12:00:00Z',
  });

  const yorkTicket = await seed.item(york.id, { en: 'York ticket' });
  const yorkOrder = await seed.order(york.id, { email: 'york@example.org', total: '5.00' });
  await seed.position(yorkOrder.id, yorkTicket.id, 1, { price: '5.00' });
  await seed.payment(yorkOrder.id, 1, {
    provider: 'free',
    state: 'confirmed',
    amount: '5.00',
    created: '2030-01-12T03:00:00Z',
  });
  await seed.waitingListEntry(york.id, yorkTicket.id, {
    email: 'ywait@example.org',
    created: '2030-01-11T12:00:00Z',
  });
});

const url = (level: 'event' | 'organizer') =>
  level === 'event'
    ? `/api/v1/organizers/${organizer.slug}/events/${berlin.slug}/exporters`
    : `/api/v1/organizers/${organizer.slug}/exporters`;

const runThroughApi = (
  level: 'event' | 'organizer',
  identifier: string,
  body: object,
  auth = authorization,
) => runExport(harness.ctx.app, `${url(level)}/${identifier}/run/`, body, auth);

const text = (cell: string | number | null) => (cell === null ? '' : String(cell));

interface Case {
  level: 'event' | 'organizer';
  identifier: string;
  input: () => Record<string, unknown>;
  eventIds: () => number[];
}

const CASES: Case[] = [
  { level: 'event', identifier: 'itemdata', input: () => ({}), eventIds: () => [berlin.id] },
  { level: 'event', identifier: 'paymentlist', input: () => ({}), eventIds: () => [berlin.id] },
  { level: 'event', identifier: 'quotalist', input: () => ({}), eventIds: () => [berlin.id] },
  {
    level: 'event',
    identifier: 'checkinlist',
    input: () => ({ list: listId, secrets: true, questions: [questionId] }),
    eventIds: () => [berlin.id],
  },
  { level: 'event', identifier: 'waitinglist', input: () => ({ status: '' }), eventIds: () => [berlin.id] },
  { level: 'organizer', identifier: 'eventdata', input: () => ({}), eventIds: () => [berlin.id, york.id] },
  { level: 'organizer', identifier: 'paymentlist', input: () => ({}), eventIds: () => [berlin.id, york.id] },
  {
    level: 'organizer',
    identifier: 'waitinglist',
    input: () => ({ status: '', events: [york.slug] }),
    eventIds: () => [york.id],
  },
];

const exporterOf = (c: Case): Exporter => findExporter(c.level, c.identifier)!;

describe.each(CASES)('$identifier ($level level) through the API', (c) => {
  let expected: TableResult;
  beforeAll(async () => {
    const { events: _events, ...input } = c.input();
    expected = await runTable(harness.db, exporterOf(c), { eventIds: c.eventIds(), input });
    expect(expected.rows.length).toBeGreaterThan(0);
  });

  test('xlsx: one sheet named as pretix, typed cells equal to the table', async () => {
    const { events: _events, ...input } = c.input();
    await harness.run(exporterOf(c), {
      eventIds: c.eventIds(),
      input: c.level === 'event' ? input : c.input(),
    });
  });

  test.each([
    ['default', ','],
    ['csv-excel', ','],
    ['semicolon', ';'],
  ])('CSV %s: every cell equal to the table', async (format, delimiter) => {
    const res = await runThroughApi(c.level, c.identifier, { _format: format, ...c.input() });
    expect(res.headers['content-type']).toBe('text/csv');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${expected.filename}.csv"`);
    expect(readCsv(res.body, delimiter)).toEqual([
      expected.headers,
      ...expected.rows.map((row) =>
        row.map((cell, i) => (expected.types[i] === 'text' ? neutralised(text(cell)) : text(cell))),
      ),
    ]);
  });
});

describe('json through the API', () => {
  test('the downloaded file is the exporter document, byte for byte, as application/json', async () => {
    const { body } = await harness.runFile(findExporter('event', 'json')!, { eventIds: [berlin.id] });
    expect(JSON.parse(body).event.orders).toHaveLength(1);
    const res = await runThroughApi('event', 'json', {});
    expect(res.headers['content-type']).toBe('application/json');
  });
});

describe('inputs through the API', () => {
  test('checkinlist: list is required, and must be a list of this event', async () => {
    const missing = await request(harness.ctx.app)
      .post(`${url('event')}/checkinlist/run/`)
      .set('Authorization', authorization)
      .send({ _format: 'xlsx' });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ list: ['This field is required.'] });
    const [foreign] = await harness
      .db('checkin_lists')
      .insert({ event_id: york.id, name: 'York' })
      .returning('id');
    const wrong = await request(harness.ctx.app)
      .post(`${url('event')}/checkinlist/run/`)
      .set('Authorization', authorization)
      .send({ _format: 'xlsx', list: foreign.id });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({ list: [`Invalid pk "${foreign.id}" - object does not exist.`] });
  });

  test('waitinglist: an unknown status is refused with DRF choice message', async () => {
    const res = await request(harness.ctx.app)
      .post(`${url('event')}/waitinglist/run/`)
      .set('Authorization', authorization)
      .send({ _format: 'xlsx', status: 'nope' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ status: ['"nope" is not a valid choice.'] });
  });

  test('the exporter lists show these exporters with pretix names', async () => {
    const event = await request(harness.ctx.app)
      .get(`${url('event')}/`)
      .set('Authorization', authorization);
    expect(event.status).toBe(200);
    const pairs = event.body.results.map((r: { identifier: string; verbose_name: string }) => [
      r.identifier,
      r.verbose_name,
    ]);
    expect(pairs).toEqual(
      expect.arrayContaining([
        ['checkinlist', 'Check-in list'],
        ['json', 'Order data (JSON)'],
        ['itemdata', 'Product data'],
        ['paymentlist', 'Payments and refunds'],
        ['quotalist', 'Quota availabilities'],
        ['waitinglist', 'Waiting list'],
      ]),
    );
    const org = await request(harness.ctx.app)
      .get(`${url('organizer')}/`)
      .set('Authorization', authorization);
    expect(org.body.results.map((r: { identifier: string }) => r.identifier)).toEqual(
      expect.arrayContaining(['eventdata', 'paymentlist', 'waitinglist', 'mailaddrs', 'orderlist']),
    );
    expect(org.body.results.map((r: { identifier: string }) => r.identifier)).not.toContain('quotalist');
  });
});

describe('pretix test_org_run_limit_events (eventdata, CSV)', () => {
  const lines = (res: { body: Buffer }) => res.body.toString('utf8').trim().split('\n').length;

  test('all events: header + 2 lines; events [one]: header + 1 line', async () => {
    expect(lines(await runThroughApi('organizer', 'eventdata', { _format: 'default' }))).toBe(3);
    expect(
      lines(await runThroughApi('organizer', 'eventdata', { _format: 'default', events: [berlin.slug] })),
    ).toBe(2);
  });

  test('a team limited to one event exports only that event, even with all_events', async () => {
    const limited = await makeTeamWithToken(harness.db, organizer.id, {
      permissions: ['can_view_orders'],
      events: [york.slug],
    });
    const res = await runThroughApi(
      'organizer',
      'eventdata',
      { _format: 'default', all_events: true },
      limited.authorization,
    );
    expect(readCsv(res.body).map((row) => row[1])).toEqual(['Short form', york.slug]);
  });
});
