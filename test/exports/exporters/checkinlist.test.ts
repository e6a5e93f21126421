import { checkinlist, safeForFilename } from '../../../src/modules/exports/exporters/checkinlist';
import { makeEvent, makeOrganizer } from '../../support/factories';
import { keyed, useExportHarness } from './support';

const database = useExportHarness();
let event: { id: number; slug: string };
let mainList: { id: number };
let vipList: { id: number };
let pendingList: { id: number };
let shirtSize: { id: number };
let diet: { id: number };
let newsletter: { id: number };
const codes: Record<string, string> = {};

beforeAll(async () => {
  const { db, seed } = database;
  const organizer = await makeOrganizer(db);
  event = await makeEvent(db, organizer.id);
  await db('events').where('id', event.id).update({ timezone: 'Europe/Berlin' });
  const ticket = await seed.item(event.id, { en: 'Ticket' });
  const vip = await seed.item(event.id, { en: 'VIP' });
  const gold = await seed.variation(vip.id, { en: 'Gold' });
  const parking = await seed.item(event.id, { en: 'Parking' });
  mainList = await seed.checkinList(event.id, 'Main entrance');
  vipList = await seed.checkinList(event.id, 'VIP Lounge / Bär', { all_products: false }, [vip.id]);
  pendingList = await seed.checkinList(event.id, 'Box office', { include_pending: true });

  shirtSize = await seed.question(event.id, 'Shirt size', 'C', { position: 2 });
  const small = await seed.option(shirtSize.id, 'Small', 1);
  diet = await seed.question(event.id, 'Diet', 'M', { position: 1 });
  const vegan = await seed.option(diet.id, 'Vegan', 2);
  const nuts = await seed.option(diet.id, 'No nuts', 1);
  newsletter = await seed.question(event.id, 'Newsletter', 'B', { position: 3 });

  // Anna: paid, checked in then out, with her own address and answers; her parking add-on inherits them.
  const anna = await seed.order(event.id, {
    status: 'p',
    email: 'buyer@example.org',
    phone: '+49301234',
    comment: 'Wheelchair',
    checkin_attention: true,
    datetime: '2030-01-15T09:30:00Z',
  });
  codes.anna = anna.code;
  await seed.invoiceAddress(anna.id, {
    name_cached: 'Invoice Name',
    company: 'ACME',
    street: 'Invoice St 1',
  });
  const annaTicket = await seed.position(anna.id, ticket.id, 1, {
    price: '23.00',
    attendee_name_cached: 'Anna Attendee',
    attendee_email: 'anna@example.org',
    street: 'Main St 5',
    zipcode: '10115',
    city: 'Berlin',
    country: 'DE',
    secret: 'secret-anna',
    valid_from: '2030-06-01T06:00:00Z',
  });
  const annaParking = await seed.position(anna.id, parking.id, 2, {
    addon_to_id: annaTicket.id,
    price: '5.00',
  });
  await seed.answer(annaTicket.id, diet.id, '', [vegan.id, nuts.id]);
  await seed.answer(annaTicket.id, newsletter.id, 'True');
  await seed.answer(annaParking.id, newsletter.id, 'False');
  await seed.checkin(annaTicket.id, mainList.id, '2030-06-01T08:00:00Z');
  await seed.checkin(annaTicket.id, mainList.id, '2030-06-01T10:00:00Z', { type: 'exit' });
  // A failed scan does not count.
  await seed.checkin(annaTicket.id, mainList.id, '2030-06-01T11:00:00Z', { successful: false });
  await seed.checkin(annaParking.id, mainList.id, '2030-06-01T08:05:00Z');

  // Bruno: paid VIP Gold, inside; no attendee data, so the invoice address fills in.
  const bruno = await seed.order(event.id, {
    status: 'p',
    email: 'bruno@example.org',
    datetime: '2030-01-16T09:30:00Z',
  });
  codes.bruno = bruno.code;
  await seed.invoiceAddress(bruno.id, {
    name_cached: 'Bruno Buyer',
    company: 'Bruno GmbH',
    street: 'Bruno Weg 2',
    zipcode: '80331',
    city: 'München',
    country: 'DE',
  });
  const brunoVip = await seed.position(bruno.id, vip.id, 1, { variation_id: gold.id, price: '150.00' });
  await seed.answer(brunoVip.id, shirtSize.id, '', [small.id]);
  await seed.checkin(brunoVip.id, mainList.id, '2030-06-01T09:00:00Z');
  await seed.checkin(brunoVip.id, vipList.id, '2030-06-01T09:30:00Z');

  // Carla: pending order (only on lists that include pending ones), never checked in.
  const carla = await seed.order(event.id, {
    status: 'n',
    email: 'carla@example.org',
    datetime: '2030-01-14T09:30:00Z',
  });
  codes.carla = carla.code;
  await seed.position(carla.id, ticket.id, 1, { attendee_name_cached: 'Carla Pending' });
  // Cancelled positions and cancelled orders never appear.
  const dora = await seed.order(event.id, { status: 'p', datetime: '2030-01-17T09:30:00Z' });
  await seed.position(dora.id, ticket.id, 1, { attendee_name_cached: 'Dora Dropped', canceled: true });
  const emil = await seed.order(event.id, { status: 'c', datetime: '2030-01-17T09:30:00Z' });
  await seed.position(emil.id, ticket.id, 1, { attendee_name_cached: 'Emil Canceled' });
});

const BASE_HEADERS = [
  'Order code',
  'Attendee name',
  'Product',
  'Price',
  'Checked in',
  'Checked out',
  'Automatically checked in',
];
const TAIL_HEADERS = [
  'Company',
  'Voucher code',
  'Order date',
  'Order time',
  'Requires special attention',
  'Comment',
  'Check-in text',
  'Seat ID',
  'Seat name',
  'Seat zone',
  'Seat row',
  'Seat number',
  'Blocked',
  'Valid from',
  'Valid until',
  'Address',
  'ZIP code',
  'City',
  'Country',
  'State',
];

describe('checkinlist', () => {
  test('describes pretix inputs in pretix order (no date_range: no event series)', () => {
    expect(checkinlist.describe()).toMatchObject({
      identifier: 'checkinlist',
      verbose_name: 'Check-in list',
      input_parameters: [
        { name: '_format', required: true },
        { name: 'list', required: true },
        { name: 'secrets', required: false },
        { name: 'attention_only', required: false },
        { name: 'status', required: false, choices: ['', '1', '2', '3', '0'] },
        { name: 'sort', required: false, choices: ['name', 'code', 'order_datetime'], default: 'name' },
        { name: 'questions', required: false },
      ],
    });
  });

  test('every column of paid attendees, sorted by name (then position), with the add-on falling back to its parent', async () => {
    const result = await database.run(checkinlist, {
      eventIds: [event.id],
      input: { list: mainList.id },
    });
    expect(result.filename).toBe(`${event.slug}_checkin_Main entrance`);
    expect(result.headers).toEqual([...BASE_HEADERS, 'Email', 'Phone number', ...TAIL_HEADERS]);
    expect(result.rows).toEqual([
      [
        codes.anna,
        'Anna Attendee',
        'Ticket',
        '23.00',
        '2030-06-01 10:00:00',
        '2030-06-01 12:00:00',
        'No',
        'anna@example.org',
        '+49301234',
        'ACME',
        null,
        '2030-01-15',
        '10:30:00',
        'Yes',
        'Wheelchair',
        ...Array(7).fill(null),
        '2030-06-01 08:00:00',
        null,
        'Main St 5',
        '10115',
        'Berlin',
        'DE',
        null,
      ],
      [
        codes.anna,
        'Anna Attendee',
        'Parking',
        '5.00',
        '2030-06-01 10:05:00',
        null,
        'No',
        'anna@example.org',
        '+49301234',
        'ACME',
        null,
        '2030-01-15',
        '10:30:00',
        'Yes',
        'Wheelchair',
        ...Array(7).fill(null),
        null,
        null,
        'Invoice St 1',
        '',
        '',
        '',
        '',
      ],
      [
        codes.bruno,
        'Bruno Buyer',
        'VIP – Gold',
        '150.00',
        '2030-06-01 11:00:00',
        null,
        'No',
        'bruno@example.org',
        null,
        'Bruno GmbH',
        null,
        '2030-01-16',
        '10:30:00',
        'No',
        '',
        ...Array(7).fill(null),
        null,
        null,
        'Bruno Weg 2',
        '80331',
        'München',
        'DE',
        '',
      ],
    ]);
  });

  test('questions in question order; choice answers list options, booleans are Yes/No', async () => {
    const result = await database.run(checkinlist, {
      eventIds: [event.id],
      input: { list: mainList.id, questions: [newsletter.id, shirtSize.id, diet.id] },
    });
    expect(result.headers.slice(9, 12)).toEqual(['Diet', 'Shirt size', 'Newsletter']);
    expect(keyed(result).map((r) => [r['Product'], r['Diet'], r['Shirt size'], r['Newsletter']])).toEqual([
      ['Ticket', 'No nuts, Vegan', null, 'Yes'],
      // The add-on answered Newsletter itself; for Diet it falls back to its parent's answer.
      ['Parking', 'No nuts, Vegan', null, 'No'],
      ['VIP – Gold', null, 'Small', null],
    ]);
  });

  test('secrets adds the Secret column; a list with pending orders adds Paid and includes them', async () => {
    const result = await database.run(checkinlist, {
      eventIds: [event.id],
      input: { list: pendingList.id, secrets: true, sort: 'code' },
    });
    expect(result.filename).toBe(`${event.slug}_checkin_Box office`);
    expect(result.headers).toEqual([
      ...BASE_HEADERS,
      'Paid',
      'Secret',
      'Email',
      'Phone number',
      ...TAIL_HEADERS,
    ]);
    const rows = keyed(result);
    const expected = [
      [codes.anna, 'Ticket', 'Yes', 'secret-anna', null],
      [codes.anna, 'Parking', 'Yes', expect.any(String), null],
      [codes.bruno, 'VIP – Gold', 'Yes', expect.any(String), null],
      [codes.carla, 'Ticket', 'No', expect.any(String), null],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    // Checked in on this list: nobody.
    expect(rows.map((r) => [r['Order code'], r['Product'], r['Paid'], r['Secret'], r['Checked in']])).toEqual(
      expected,
    );
  });

  test('a list limited to products only shows those; the file name is made safe as in pretix', async () => {
    const result = await database.run(checkinlist, {
      eventIds: [event.id],
      input: { list: vipList.id },
    });
    expect(result.filename).toBe(`${event.slug}_checkin_VIP Lounge _ Bar`);
    expect(keyed(result).map((r) => [r['Order code'], r['Checked in']])).toEqual([
      [codes.bruno, '2030-06-01 11:30:00'],
    ]);
  });

  test.each([
    ['1', ['Ticket', 'Parking', 'VIP – Gold']],
    ['2', ['Parking', 'VIP – Gold']],
    ['3', ['Ticket']],
    ['0', []],
    ['', ['Ticket', 'Parking', 'VIP – Gold']],
  ])('status %p filters by check-in state on the list', async (status, products) => {
    const result = await database.run(checkinlist, {
      eventIds: [event.id],
      input: { list: mainList.id, status },
    });
    expect(keyed(result).map((r) => r['Product'])).toEqual(products);
  });

  test('attention_only keeps orders that need special attention; order_datetime sorts newest first', async () => {
    const attention = await database.run(checkinlist, {
      eventIds: [event.id],
      input: { list: mainList.id, attention_only: true },
    });
    expect(keyed(attention).map((r) => r['Order code'])).toEqual([codes.anna, codes.anna]);
    const newest = await database.run(checkinlist, {
      eventIds: [event.id],
      input: { list: pendingList.id, sort: 'order_datetime' },
    });
    expect(keyed(newest).map((r) => r['Order code'])).toEqual([
      codes.bruno,
      codes.anna,
      codes.anna,
      codes.carla,
    ]);
  });

  test('safeForFilename folds accents and replaces other characters like pretix', () => {
    expect(safeForFilename('Café Zürich: Einlass/Süd')).toBe('Cafe Zurich_ Einlass_Sud');
  });
});
