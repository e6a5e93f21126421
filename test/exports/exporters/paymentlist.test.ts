import { paymentlistEvent, paymentlistOrganizer } from '../../../src/modules/exports/exporters/paymentlist';
import { makeEvent, makeOrganizer } from '../../support/factories';
import { keyed, useExportHarness } from './support';

const database = useExportHarness();
let organizer: { id: number; slug: string };
let berlin: { id: number; slug: string };
let york: { id: number; slug: string };
let order: { id: number; code: string };
let yorkOrder: { id: number; code: string };

const HEADERS = [
  'Event slug',
  'Order',
  'Payment ID',
  'Creation date',
  'Completion date',
  'Status',
  'Status code',
  'Amount',
  'Payment method',
  'Comment',
  'Matching ID',
  'Payment details',
  'Invoice numbers',
];

beforeAll(async () => {
  const { db, seed } = database;
  organizer = await makeOrganizer(db);
  berlin = await makeEvent(db, organizer.id);
  await db('events').where('id', berlin.id).update({ timezone: 'Europe/Berlin' });
  york = await makeEvent(db, organizer.id);
  await db('events').where('id', york.id).update({ timezone: 'America/New_York' });
  order = await seed.order(berlin.id, { total: '100.00' });
  // 23:30 UTC is already the next day in Berlin.
  await seed.payment(order.id, 1, {
    provider: 'banktransfer',
    state: 'confirmed',
    amount: '100.00',
    created: '2030-01-10T23:30:00Z',
    payment_date: '2030-01-12T10:00:00Z',
  });
  await seed.payment(order.id, 2, {
    provider: 'acme_pay',
    state: 'failed',
    amount: '100.00',
    created: '2030-01-09T10:00:00Z',
  });
  await seed.payment(order.id, 3, {
    provider: 'manual',
    state: 'pending',
    amount: '5.50',
    created: '2030-01-13T10:00:00Z',
  });
  await seed.refund(order.id, 1, {
    provider: 'banktransfer',
    state: 'done',
    amount: '30.00',
    comment: 'Partial refund',
    created: '2030-01-14T10:00:00Z',
    execution_date: '2030-01-15T10:00:00Z',
  });
  await seed.refund(order.id, 2, {
    provider: 'banktransfer',
    state: 'created',
    amount: '10.00',
    created: '2030-01-16T10:00:00Z',
  });
  yorkOrder = await seed.order(york.id, { total: '20.00' });
  await seed.payment(yorkOrder.id, 1, {
    provider: 'free',
    state: 'confirmed',
    amount: '20.00',
    created: '2030-01-11T03:00:00Z',
    payment_date: '2030-01-11T03:00:00Z',
  });
});

describe('paymentlist (event level)', () => {
  test('describes pretix inputs in pretix order, with UI defaults applied server-side', () => {
    expect(paymentlistEvent.describe()).toMatchObject({
      identifier: 'paymentlist',
      verbose_name: 'Payments and refunds',
      input_parameters: [
        { name: '_format', required: true },
        { name: 'end_date_range', required: false },
        { name: 'start_date_range', required: false },
        {
          name: 'payment_states',
          required: false,
          choices: ['created', 'pending', 'confirmed', 'canceled', 'failed', 'refunded'],
          default: ['confirmed', 'refunded'],
        },
        {
          name: 'refund_states',
          required: false,
          choices: ['external', 'created', 'transit', 'done', 'failed', 'canceled'],
          default: ['done', 'created', 'transit'],
        },
      ],
    });
  });

  test('defaults: confirmed/refunded payments and done/created/transit refunds, by creation', async () => {
    const result = await database.run(paymentlistEvent, { eventIds: [berlin.id] });
    expect(result.filename).toBe(`${berlin.slug}_payments`);
    expect(result.headers).toEqual(HEADERS);
    expect(result.rows).toEqual([
      [
        berlin.slug,
        order.code,
        `${order.code}-P-1`,
        '2030-01-11',
        '2030-01-12',
        'confirmed',
        'confirmed',
        '100.00',
        'Bank transfer',
        '',
        null,
        null,
        null,
      ],
      [
        berlin.slug,
        order.code,
        `${order.code}-R-1`,
        '2030-01-14',
        '2030-01-15',
        'done',
        'done',
        '-30.00',
        'Bank transfer',
        'Partial refund',
        null,
        null,
        null,
      ],
      [
        berlin.slug,
        order.code,
        `${order.code}-R-2`,
        '2030-01-16',
        null,
        'created',
        'created',
        '-10.00',
        'Bank transfer',
        '',
        null,
        null,
        null,
      ],
    ]);
  });

  test('explicit states select exactly those; unknown providers show their identifier', async () => {
    const result = await database.run(paymentlistEvent, {
      eventIds: [berlin.id],
      input: { payment_states: ['failed', 'pending'], refund_states: [] },
    });
    expect(
      keyed(result).map((r) => [r['Payment ID'], r['Status'], r['Payment method'], r['Amount']]),
    ).toEqual([
      [`${order.code}-P-2`, 'failed', 'acme_pay', '100.00'],
      [`${order.code}-P-3`, 'pending', 'Manual payment', '5.50'],
    ]);
  });

  test('end_date_range keeps completed transactions completed in the frame (event time zone)', async () => {
    const result = await database.run(paymentlistEvent, {
      eventIds: [berlin.id],
      input: { end_date_range: '2030-01-12/2030-01-14', payment_states: ['confirmed', 'pending'] },
    });
    expect(keyed(result).map((r) => r['Payment ID'])).toEqual([`${order.code}-P-1`]);
  });

  test('start_date_range filters on creation (pretix ignores it by a typo; tixport applies it)', async () => {
    const result = await database.run(paymentlistEvent, {
      eventIds: [berlin.id],
      input: { start_date_range: '2030-01-11/2030-01-14' },
    });
    expect(keyed(result).map((r) => r['Payment ID'])).toEqual([`${order.code}-P-1`, `${order.code}-R-1`]);
  });
});

describe('paymentlist (organizer level)', () => {
  test('lists all_events and events first', () => {
    expect(paymentlistOrganizer.describe().input_parameters.map((p) => p.name)).toEqual([
      'all_events',
      'events',
      '_format',
      'end_date_range',
      'start_date_range',
      'payment_states',
      'refund_states',
    ]);
  });

  test('merges the events, dates in each event time zone, named after the organizer', async () => {
    const result = await database.run(paymentlistOrganizer, { eventIds: [berlin.id, york.id] });
    expect(result.filename).toBe(`${organizer.slug}_payments`);
    expect(keyed(result).map((r) => [r['Event slug'], r['Payment ID'], r['Creation date']])).toEqual([
      [berlin.slug, `${order.code}-P-1`, '2030-01-11'],
      [york.slug, `${yorkOrder.code}-P-1`, '2030-01-10'],
      [berlin.slug, `${order.code}-R-1`, '2030-01-14'],
      [berlin.slug, `${order.code}-R-2`, '2030-01-16'],
    ]);
    expect(keyed(result)[1]).toMatchObject({ 'Payment method': 'Free of charge', Amount: '20.00' });
  });

  test('leaves out events that are not selected', async () => {
    const result = await database.run(paymentlistOrganizer, { eventIds: [york.id] });
    expect(keyed(result).map((r) => r['Payment ID'])).toEqual([`${yorkOrder.code}-P-1`]);
  });
});
