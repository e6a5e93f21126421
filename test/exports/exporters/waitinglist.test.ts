import { waitinglistEvent, waitinglistOrganizer } from '../../../src/modules/exports/exporters/waitinglist';
import { makeEvent, makeOrganizer } from '../../support/factories';
import { keyed, useExportHarness } from './support';

const database = useExportHarness();
let organizer: { id: number; slug: string };
let berlin: { id: number; slug: string };
let tokyo: { id: number; slug: string };
let ticket: { id: number };
let vip: { id: number };

const HEADERS = [
  'Date',
  'Name',
  'Email',
  'Phone number',
  'Product',
  'Product ID',
  'Variation',
  'Variation ID',
  'Event slug',
  'Event name',
  'Date',
  'Start date',
  'End date',
  'Language',
  'Priority',
  'Status',
  'Voucher code',
];

beforeAll(async () => {
  const { db, seed } = database;
  organizer = await makeOrganizer(db);
  berlin = await makeEvent(db, organizer.id, { name: { en: 'Berlin Summit', de: 'Gipfel Berlin' } });
  await db('events').where('id', berlin.id).update({
    timezone: 'Europe/Berlin',
    date_from: '2030-06-01T08:00:00Z',
    date_to: '2030-06-02T16:00:00Z',
  });
  tokyo = await makeEvent(db, organizer.id, { name: { en: 'Tokyo Meetup' } });
  await db('events')
    .where('id', tokyo.id)
    .update({ timezone: 'Asia/Tokyo', date_from: '2030-07-01T01:00:00Z' });
  ticket = await seed.item(berlin.id, { en: 'Ticket' });
  vip = await seed.item(berlin.id, { en: 'VIP' });
  const gold = await seed.variation(vip.id, { en: 'Gold' });
  const tokyoTicket = await seed.item(tokyo.id, { en: 'Tokyo ticket' });

  await seed.waitingListEntry(berlin.id, ticket.id, {
    email: 'waiting@example.org',
    name_cached: 'Wanda Waiting',
    phone: '+4930123',
    locale: 'de',
    priority: 3,
    created: '2030-01-10T12:00:00Z',
  });
  await seed.waitingListEntry(berlin.id, vip.id, {
    variation_id: gold.id,
    email: 'assigned@example.org',
    voucher_code: 'VOUCHER1',
    voucher_state: 'valid',
    created: '2030-01-11T12:00:00Z',
  });
  await seed.waitingListEntry(berlin.id, ticket.id, {
    email: 'redeemed@example.org',
    voucher_code: 'VOUCHER2',
    voucher_state: 'redeemed',
    created: '2030-01-12T12:00:00Z',
  });
  await seed.waitingListEntry(berlin.id, ticket.id, {
    email: 'expired@example.org',
    voucher_code: 'VOUCHER3',
    voucher_state: 'expired',
    created: '2030-01-13T12:00:00Z',
  });
  await seed.waitingListEntry(tokyo.id, tokyoTicket.id, {
    email: 'tokyo@example.org',
    created: '2030-01-09T12:00:00Z',
  });
});

describe('waitinglist (event level)', () => {
  test('describes pretix inputs: _format and status with its six choices', () => {
    expect(waitinglistEvent.describe()).toMatchObject({
      identifier: 'waitinglist',
      verbose_name: 'Waiting list',
      input_parameters: [
        { name: '_format', required: true, choices: ['xlsx', 'default', 'csv-excel', 'semicolon'] },
        {
          name: 'status',
          required: false,
          choices: [
            '',
            'awaiting-voucher',
            'voucher-assigned',
            'awaiting-redemption',
            'voucher-redeemed',
            'voucher-expired',
          ],
          default: 'awaiting-voucher',
        },
      ],
    });
  });

  test('all entries: every column of an entry, in the event time zone, oldest first', async () => {
    const result = await database.run(waitinglistEvent, {
      eventIds: [berlin.id],
      input: { status: '' },
    });
    expect(result.filename).toBe(`${berlin.slug}_waitinglist`);
    expect(result.headers).toEqual(HEADERS);
    expect(result.rows).toHaveLength(4);
    expect(result.rows[0]).toEqual([
      '2030-01-10 13:00:00',
      'Wanda Waiting',
      'waiting@example.org',
      '+4930123',
      'Ticket',
      ticket.id,
      '',
      null,
      berlin.slug,
      'Berlin Summit',
      null,
      '2030-06-01 10:00:00',
      '2030-06-02 18:00:00',
      'de',
      3,
      'Waiting for a voucher',
      null,
    ]);
    const rows = keyed(result);
    expect(rows.map((r) => [r['Email'], r['Status'], r['Voucher code']])).toEqual([
      ['waiting@example.org', 'Waiting for a voucher', null],
      ['assigned@example.org', 'Voucher assigned', 'VOUCHER1'],
      ['redeemed@example.org', 'Voucher redeemed', 'VOUCHER2'],
      ['expired@example.org', 'Voucher expired', 'VOUCHER3'],
    ]);
    expect(rows[1]).toMatchObject({ Product: 'VIP', 'Product ID': vip.id, Variation: 'Gold' });
  });

  test.each([
    ['awaiting-voucher', ['waiting@example.org']],
    ['voucher-assigned', ['assigned@example.org', 'redeemed@example.org', 'expired@example.org']],
    ['awaiting-redemption', ['assigned@example.org']],
    ['voucher-redeemed', ['redeemed@example.org']],
    ['voucher-expired', ['expired@example.org']],
    [null, ['waiting@example.org', 'assigned@example.org', 'redeemed@example.org', 'expired@example.org']],
  ])('status %p keeps exactly its entries', async (status, emails) => {
    const result = await database.run(waitinglistEvent, {
      eventIds: [berlin.id],
      input: { status },
    });
    expect(keyed(result).map((r) => r['Email'])).toEqual(emails);
  });

  test('without a status, applies pretix form default (waiting for a voucher)', async () => {
    const result = await database.run(waitinglistEvent, { eventIds: [berlin.id] });
    expect(keyed(result).map((r) => r['Email'])).toEqual(['waiting@example.org']);
  });
});

describe('waitinglist (organizer level)', () => {
  test('lists all_events and events first', () => {
    const names = waitinglistOrganizer.describe().input_parameters.map((p) => p.name);
    expect(names).toEqual(['all_events', 'events', '_format', 'status']);
  });

  test('covers the selected events, each in its own time zone, named after the organizer', async () => {
    const result = await database.run(waitinglistOrganizer, {
      eventIds: [berlin.id, tokyo.id],
      input: { status: '' },
    });
    expect(result.filename).toBe(`${organizer.slug}_waitinglist`);
    const rows = keyed(result);
    expect(rows.map((r) => [r['Email'], r['Event slug'], r['Date']])).toEqual([
      ['tokyo@example.org', tokyo.slug, '2030-01-09 21:00:00'],
      ['waiting@example.org', berlin.slug, '2030-01-10 13:00:00'],
      ['assigned@example.org', berlin.slug, '2030-01-11 13:00:00'],
      ['redeemed@example.org', berlin.slug, '2030-01-12 13:00:00'],
      ['expired@example.org', berlin.slug, '2030-01-13 13:00:00'],
    ]);
    expect(rows[0]).toMatchObject({ 'Event name': 'Tokyo Meetup', 'Start date': '2030-07-01 10:00:00' });
  });

  test('with one selected event, the file is named after the event (pretix)', async () => {
    const result = await database.run(waitinglistOrganizer, {
      eventIds: [tokyo.id],
      input: { status: '' },
    });
    expect(result.filename).toBe(`${tokyo.slug}_waitinglist`);
    expect(keyed(result).map((r) => r['Email'])).toEqual(['tokyo@example.org']);
  });
});
