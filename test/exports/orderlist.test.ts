import request from 'supertest';
import type { TestContext } from '../support/app';
import { makeEvent, makeOrganizer, makeTeamWithToken } from '../support/factories';
import { readCsv, readXlsx, records } from './files';
import { createExportsContext, download, startTestWorker, TicketingData, type TestWorker } from './support';

let ctx: TestContext;
let worker: TestWorker;
let organizer: { id: number; slug: string };
let event: { id: number; slug: string };
let authorization: string;
let paid: Awaited<ReturnType<TicketingData['order']>>;
let pending: Awaited<ReturnType<TicketingData['order']>>;
let ticketId: number;
let shirtId: number;
let sizeM: number;

beforeAll(async () => {
  ctx = createExportsContext({ EXPORT_MAX_ACTIVE_PER_CLIENT: '50' });
  worker = startTestWorker(ctx);
  const db = ctx.runtime.db;
  const data = new TicketingData(db);
  organizer = await makeOrganizer(db);
  event = await makeEvent(db, organizer.id, { name: { en: 'Sample Conference' } });
  await db('events').where('id', event.id).update({ timezone: 'Europe/Berlin' });
  ({ authorization } = await makeTeamWithToken(db, organizer.id, { permissions: ['can_view_orders'] }));
  ticketId = (await data.item(event.id, 'Ticket', '23.00')).id;
  shirtId = (await data.item(event.id, 'T-Shirt', '10.00')).id;
  sizeM = (await data.variation(shirtId, 'M')).id;
  const [diet] = await db('questions')
    .insert({
      event_id: event.id,
      question: JSON.stringify({ en: 'Diet' }),
      identifier: 'diet',
      type: 'S',
      position: 1,
    })
    .returning('id');
  const [workshops] = await db('questions')
    .insert({
      event_id: event.id,
      question: JSON.stringify({ en: 'Workshops' }),
      identifier: 'ws',
      type: 'M',
      position: 2,
    })
    .returning('id');
  const [optionA, optionB] = await db('question_options')
    .insert([
      { question_id: workshops.id, identifier: 'A', answer: JSON.stringify({ en: 'Alpha' }), position: 1 },
      { question_id: workshops.id, identifier: 'B', answer: JSON.stringify({ en: 'Beta' }), position: 2 },
    ])
    .returning('id');
  const [mainEntrance] = await db('checkin_lists')
    .insert({ event_id: event.id, name: 'Main entrance' })
    .returning('id');

  paid = await data.order(event.id, {
    code: 'PAID1',
    status: 'p',
    email: 'buyer@example.org',
    phone: '+49301234',
    datetime: '2030-01-15T09:30:00Z', // 10:30 in Berlin
    total: '34.50',
    comment: 'VIP',
    positions: [
      {
        itemId: ticketId,
        price: '23.00',
        tax_rate: '19.00',
        tax_value: '3.67',
        attendee_name: 'Alice Doe',
        attendee_email: 'alice@example.org',
      },
      { itemId: shirtId, variationId: sizeM, price: '10.00', tax_rate: '7.00', tax_value: '0.65' },
    ],
    fees: [{ fee_type: 'payment', value: '1.50', tax_rate: '19.00', tax_value: '0.24' }],
    invoiceAddress: {
      company: 'ACME Ltd',
      name_cached: 'Bob Buyer',
      street: 'Main St 1',
      zipcode: '10115',
      city: 'Berlin',
      country: 'DE',
      vat_id: 'DE123',
    },
    payments: [
      { provider: 'banktransfer', state: 'confirmed', amount: '34.50', payment_date: '2030-01-16T08:00:00Z' },
    ],
  });
  await db('checkins').insert({
    position_id: paid.positions[0]!.id,
    list_id: mainEntrance.id,
    datetime: '2030-06-01T08:00:00Z',
  });
  const [answerDiet] = await db('question_answers')
    .insert({ orderposition_id: paid.positions[0]!.id, question_id: diet.id, answer: 'vegan' })
    .returning('id');
  expect(answerDiet).toBeDefined();
  const [answerWs] = await db('question_answers')
    .insert({ orderposition_id: paid.positions[0]!.id, question_id: workshops.id, answer: 'Alpha, Beta' })
    .returning('id');
  await db('question_answer_options').insert([
    { answer_id: answerWs.id, option_id: optionA.id },
    { answer_id: answerWs.id, option_id: optionB.id },
  ]);
  pending = await data.order(event.id, {
    code: 'PEND2',
    status: 'n',
    email: 'pending@example.org',
    datetime: '2030-02-01T12:00:00Z',
    total: '23.00',
    comment: '=HYPERLINK("http://evil.example","click")',
    positions: [
      {
        itemId: ticketId,
        price: '23.00',
        tax_rate: '19.00',
        tax_value: '3.67',
        attendee_name: '@SUM(A1:A9)',
      },
    ],
  });
  // A subquery column (answers) goes through the regexp variant of the escaping.
  await db('question_answers').insert({
    orderposition_id: pending.positions[0]!.id,
    question_id: diet.id,
    answer: '\t=1+1',
  });
});
afterAll(async () => {
  await worker.stop();
  await ctx.close();
});

/** Runs orderlist at `base` (an organizer or event URL) and downloads the file. */
async function runAt(base: string, body: object) {
  const run = await request(ctx.app)
    .post(`${base}/exporters/orderlist/run/`)
    .set('Authorization', authorization)
    .send(body);
  expect(run.status).toBe(202);
  const res = await download(ctx.app, run.body.download, authorization);
  expect(res.status).toBe(200);
  return res;
}

const runExport = (body: object, eventSlug = event.slug) =>
  runAt(`/api/v1/organizers/${organizer.slug}/events/${eventSlug}`, body);
const runOrganizerExport = (body: object) => runAt(`/api/v1/organizers/${organizer.slug}`, body);

/** pretix's orders sheet columns (research §4.4.1) for an event without name parts or meta data. */
function ordersHeaders(taxRates: string[]): string[] {
  return [
    ...['Event slug', 'Event name', 'Order code', 'Order total', 'Status', 'Email', 'Phone number'],
    ...['Order date', 'Order time', 'Company', 'Name', 'Address', 'ZIP code', 'City', 'Country', 'State'],
    ...['Custom address field', 'VAT ID', 'Date of last payment', 'Fees', 'Order locale'],
    ...taxRates.flatMap((r) => [`Gross at ${r} % tax`, `Net at ${r} % tax`, `Tax value at ${r} % tax`]),
    ...['Invoice numbers', 'Sales channel', 'Requires special attention', 'Check-in text', 'Comment'],
    ...['Follow-up date', 'Positions', 'Email address verified', 'External customer ID', 'Payment providers'],
    'Order link',
  ];
}

describe('orderlist as xlsx', () => {
  let sheets: Awaited<ReturnType<typeof readXlsx>>;
  beforeAll(async () => {
    const res = await runExport({ _format: 'xlsx', paid_only: false });
    sheets = await readXlsx(res.body);
  });

  test("has pretix's three sheets", () => {
    expect([...sheets.keys()]).toEqual(['Orders', 'Order positions', 'Order fees']);
  });

  test('orders sheet: one typed row per order, cell by cell', () => {
    const rows = sheets.get('Orders')!;
    expect(rows[0]).toEqual(ordersHeaders(['7.00', '19.00']));
    const [first, second] = records(rows);
    expect(first).toEqual({
      'Event slug': event.slug,
      'Event name': 'Sample Conference',
      'Order code': 'PAID1',
      'Order total': 34.5,
      Status: 'paid',
      Email: 'buyer@example.org',
      // A leading + could start a formula: neutralised like every text cell.
      'Phone number': "'+49301234",
      'Order date': new Date(Date.UTC(2030, 0, 15)),
      'Order time': '10:30:00',
      Company: 'ACME Ltd',
      Name: 'Bob Buyer',
      Address: 'Main St 1',
      'ZIP code': '10115',
      City: 'Berlin',
      Country: 'DE',
      State: null,
      'Custom address field': null,
      'VAT ID': 'DE123',
      'Date of last payment': new Date(Date.UTC(2030, 0, 16)),
      Fees: 1.5,
      'Order locale': 'en',
      'Gross at 7.00 % tax': 10,
      'Net at 7.00 % tax': 9.35,
      'Tax value at 7.00 % tax': 0.65,
      'Gross at 19.00 % tax': 24.5,
      'Net at 19.00 % tax': 20.59,
      'Tax value at 19.00 % tax': 3.91,
      'Invoice numbers': null,
      'Sales channel': 'web',
      'Requires special attention': 'No',
      'Check-in text': null,
      Comment: 'VIP',
      'Follow-up date': null,
      Positions: 2,
      'Email address verified': null,
      'External customer ID': null,
      'Payment providers': 'Bank transfer',
      'Order link': `http://tixport.test/${organizer.slug}/${event.slug}/order/PAID1/${paid.secret}/`,
    });
    expect(second).toMatchObject({
      'Order code': 'PEND2',
      Status: 'pending',
      'Order time': '13:00:00',
      'Order link': `http://tixport.test/${organizer.slug}/${event.slug}/order/PEND2/${pending.secret}/`,
    });
  });

  test('positions sheet: products, variations, answers, add-on columns', () => {
    const rows = records(sheets.get('Order positions')!);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({
      'Order code': 'PAID1',
      'Position ID': 1,
      Status: 'paid',
      Product: 'Ticket',
      'Product ID': ticketId,
      Variation: null,
      Price: 23,
      'Tax rate': 19,
      'Tax value': 3.67,
      'Attendee name': 'Alice Doe',
      'Attendee email': 'alice@example.org',
      Diet: 'vegan',
      'Workshops – Alpha': 'Yes',
      'Workshops – Beta': 'Yes',
      'Check-in lists': 'Main entrance',
      'Payment providers': 'Bank transfer',
      'Invoice address name': 'Bob Buyer',
    });
    expect(rows[1]).toMatchObject({
      'Position ID': 2,
      Product: 'T-Shirt',
      Variation: 'M',
      'Variation ID': sizeM,
    });
    expect(rows[2]).toMatchObject({ 'Order code': 'PEND2', Diet: "'\t=1+1", 'Workshops – Alpha': 'No' });
  });

  test('fees sheet', () => {
    const rows = records(sheets.get('Order fees')!);
    expect(rows).toEqual([
      expect.objectContaining({
        'Order code': 'PAID1',
        'Fee type': 'Payment fee',
        Price: 1.5,
        'Tax rate': 19,
        'Tax value': 0.24,
      }),
    ]);
  });

  test('formula-like text is neutralised with a leading apostrophe; numbers stay numbers', () => {
    const orders = records(sheets.get('Orders')!);
    expect(orders[1]!.Comment).toBe(`'=HYPERLINK("http://evil.example","click")`);
    const positions = records(sheets.get('Order positions')!);
    expect(positions[2]!['Attendee name']).toBe("'@SUM(A1:A9)");
  });
});

describe('orderlist as CSV', () => {
  test('positions:default quotes every non-numeric cell and escapes formulas', async () => {
    const res = await runExport({
      _format: 'positions:default',
      paid_only: false,
      group_multiple_choice: true,
    });
    expect(res.headers['content-type']).toBe('text/csv');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${event.slug}_orders.csv"`);
    const text = res.body.toString('utf8');
    // Rows end in CRLF, as pretix's (Python's csv module).
    expect(text.endsWith('\r\n')).toBe(true);
    const lines = text.split('\r\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]!.startsWith('"Event slug","Event name","Order code","Position ID","Status"')).toBe(true);
    expect(lines[1]).toContain(`"PAID1",1,"paid"`);
    const rows = records(readCsv(res.body));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({
      'Position ID': '1',
      Price: '23.00',
      Workshops: 'Alpha, Beta',
      'Order date': '2030-01-15',
    });
    expect(rows[2]!['Attendee name']).toBe("'@SUM(A1:A9)");
    expect(rows[2]!.Diet).toBe("'\t=1+1");
  });

  test('orders:semicolon uses ; and minimal quoting', async () => {
    const res = await runExport({ _format: 'orders:semicolon', paid_only: false });
    const text = res.body.toString('utf8');
    expect(text.split('\r\n')[0]).toMatch(/^Event slug;Event name;Order code;Order total;Status;/);
    const rows = records(readCsv(res.body, ';'));
    expect(rows.map((r) => r['Order code'])).toEqual(['PAID1', 'PEND2']);
    expect(rows[1]!.Comment).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(rows[0]!['Order total']).toBe('34.50');
  });

  test('fees:excel', async () => {
    const res = await runExport({ _format: 'fees:excel', paid_only: false });
    expect(readCsv(res.body)[1]!.slice(0, 4)).toEqual([event.slug, 'Sample Conference', 'PAID1', 'paid']);
  });

  test('paid_only (the default) keeps paid orders only', async () => {
    const res = await runExport({ _format: 'orders:default' });
    expect(records(readCsv(res.body)).map((r) => r['Order code'])).toEqual(['PAID1']);
  });

  test('items keeps orders containing one of the products, positions of those products only', async () => {
    const orders = await runExport({ _format: 'orders:default', paid_only: false, items: [shirtId] });
    expect(records(readCsv(orders.body)).map((r) => r['Order code'])).toEqual(['PAID1']);
    const positions = await runExport({ _format: 'positions:default', paid_only: false, items: [shirtId] });
    expect(records(readCsv(positions.body)).map((r) => r.Product)).toEqual(['T-Shirt']);
  });

  test("date_range filters by order date in the event's time zone", async () => {
    const res = await runExport({
      _format: 'orders:default',
      paid_only: false,
      date_range: '2030-02-01/2030-02-28',
    });
    expect(records(readCsv(res.body)).map((r) => r['Order code'])).toEqual(['PEND2']);
  });

  test('include_payment_amounts adds "Paid by" per provider', async () => {
    const res = await runExport({
      _format: 'orders:default',
      paid_only: false,
      include_payment_amounts: true,
    });
    const rows = records(readCsv(res.body));
    expect(rows[0]!['Paid by Bank transfer']).toBe('34.50');
    expect(rows[1]!['Paid by Bank transfer']).toBe('0.00');
  });
});

/** Differences a review against pretix's OrderListExporter found; each case runs on an event of its own. */
describe('pretix parity', () => {
  const newEvent = async () => {
    const created = await makeEvent(ctx.runtime.db, organizer.id);
    const data = new TicketingData(ctx.runtime.db);
    return { event: created, data, ticket: await data.item(created.id, 'Ticket') };
  };

  test('Payment providers: without free, sorted by identifier (not by name), in every sheet', async () => {
    const { event: own, data, ticket } = await newEvent();
    await data.order(own.id, {
      code: 'PROV1',
      positions: [{ itemId: ticket.id }],
      fees: [{ fee_type: 'payment', value: '1.00' }],
      payments: [
        { provider: 'giftcard', state: 'confirmed', amount: '5.00' },
        { provider: 'free', state: 'confirmed', amount: '0.00' },
        // By name ("Gift card" < "gift_voucher") this one would come second; by identifier it comes first.
        { provider: 'gift_voucher', state: 'pending', amount: '5.00' },
        { provider: 'stripe', state: 'failed', amount: '5.00' },
      ],
    });
    await data.order(own.id, {
      code: 'PROV2',
      positions: [{ itemId: ticket.id }],
      payments: [{ provider: 'free', state: 'confirmed', amount: '0.00' }],
    });
    const sheets = await readXlsx((await runExport({ _format: 'xlsx', paid_only: false }, own.slug)).body);
    const providers = (sheet: string) => records(sheets.get(sheet)!).map((r) => r['Payment providers']);
    expect(providers('Orders')).toEqual(['gift_voucher, Gift card', null]);
    expect(providers('Order positions')).toEqual(['gift_voucher, Gift card', null]);
    expect(providers('Order fees')).toEqual(['gift_voucher, Gift card']);
    const csv = records(
      readCsv((await runExport({ _format: 'orders:default', paid_only: false }, own.slug)).body),
    );
    expect(csv.map((r) => r['Payment providers'])).toEqual(['gift_voucher, Gift card', '']);
  });

  test('a paid order whose positions are all cancelled is "canceled (paid fee)" in every sheet', async () => {
    const { event: own, data, ticket } = await newEvent();
    await data.order(own.id, {
      code: 'FEE01',
      status: 'p',
      positions: [{ itemId: ticket.id, canceled: true }],
      fees: [{ fee_type: 'cancellation', value: '5.00' }],
    });
    await data.order(own.id, {
      code: 'PART1',
      status: 'p',
      positions: [{ itemId: ticket.id, canceled: true }, { itemId: ticket.id }],
    });
    await data.order(own.id, { code: 'NONE1', status: 'p', fees: [{ fee_type: 'service', value: '1.00' }] });
    const sheets = await readXlsx((await runExport({ _format: 'xlsx', paid_only: false }, own.slug)).body);
    const statuses = (sheet: string) =>
      records(sheets.get(sheet)!).map((r) => [r['Order code'], r.Status, r['Positions'] ?? null]);
    expect(statuses('Orders')).toEqual([
      ['FEE01', 'canceled (paid fee)', 0],
      ['PART1', 'paid', 1],
      // Without any positions there is nothing cancelled: paid, as pretix shows it.
      ['NONE1', 'paid', 0],
    ]);
    expect(statuses('Order positions').map(([code, status]) => [code, status])).toEqual([
      ['FEE01', 'canceled'],
      ['PART1', 'canceled'],
      ['PART1', 'paid'],
    ]);
    expect(statuses('Order fees').map(([code, status]) => [code, status])).toEqual([
      ['FEE01', 'canceled (paid fee)'],
      ['NONE1', 'paid'],
    ]);
  });

  test('Date of last payment counts refunded payments as well as confirmed ones', async () => {
    const { event: own, data, ticket } = await newEvent();
    await data.order(own.id, {
      code: 'LAST1',
      positions: [{ itemId: ticket.id }],
      payments: [
        {
          provider: 'banktransfer',
          state: 'confirmed',
          amount: '5.00',
          payment_date: '2030-03-01T10:00:00Z',
        },
        { provider: 'stripe', state: 'refunded', amount: '5.00', payment_date: '2030-03-05T10:00:00Z' },
        { provider: 'stripe', state: 'pending', amount: '5.00', payment_date: '2030-03-09T10:00:00Z' },
      ],
    });
    await data.order(own.id, {
      code: 'LAST2',
      positions: [{ itemId: ticket.id }],
      payments: [
        { provider: 'stripe', state: 'refunded', amount: '5.00', payment_date: '2030-04-02T10:00:00Z' },
        { provider: 'stripe', state: 'canceled', amount: '5.00', payment_date: '2030-04-03T10:00:00Z' },
      ],
    });
    const res = await runExport({ _format: 'orders:default', paid_only: false }, own.slug);
    const rows = records(readCsv(res.body));
    expect(rows.map((r) => [r['Order code'], r['Date of last payment']])).toEqual([
      ['LAST1', '2030-03-05'],
      ['LAST2', '2030-04-02'],
    ]);
  });

  test('fees sheet: cancelled fees appear with status "canceled", except with paid_only', async () => {
    const { event: own, data, ticket } = await newEvent();
    await data.order(own.id, {
      code: 'FEES1',
      positions: [{ itemId: ticket.id }],
      fees: [
        { fee_type: 'payment', value: '1.50' },
        { fee_type: 'shipping', value: '4.00', canceled: true },
      ],
    });
    const all = records(
      readCsv((await runExport({ _format: 'fees:default', paid_only: false }, own.slug)).body),
    );
    expect(all.map((r) => [r['Order code'], r['Fee type'], r.Price, r.Status])).toEqual([
      ['FEES1', 'Payment fee', '1.50', 'paid'],
      ['FEES1', 'Shipping fee', '4.00', 'canceled'],
    ]);
    const sheets = await readXlsx((await runExport({ _format: 'xlsx', paid_only: false }, own.slug)).body);
    expect(records(sheets.get('Order fees')!).map((r) => [r['Fee type'], r.Price, r.Status])).toEqual([
      ['Payment fee', 1.5, 'paid'],
      ['Shipping fee', 4, 'canceled'],
    ]);
    const paidOnly = records(readCsv((await runExport({ _format: 'fees:default' }, own.slug)).body));
    expect(paidOnly.map((r) => [r['Fee type'], r.Status])).toEqual([['Payment fee', 'paid']]);
  });

  test('Check-in lists: the lists with a successful entry scan of the position, not every list it is valid on', async () => {
    const { event: own, data, ticket } = await newEvent();
    const db = ctx.runtime.db;
    const [main, side, vip] = await db('checkin_lists')
      .insert([
        { event_id: own.id, name: 'Main entrance' },
        { event_id: own.id, name: 'Side door' },
        { event_id: own.id, name: 'VIP lounge' },
      ])
      .returning('id');
    const order = await data.order(own.id, {
      code: 'SCAN1',
      positions: [{ itemId: ticket.id }, { itemId: ticket.id }, { itemId: ticket.id }],
    });
    const [first, second] = order.positions;
    const scan = (position: number, list: number, extra: Record<string, unknown> = {}) => ({
      position_id: position,
      list_id: list,
      datetime: '2030-05-01T10:00:00Z',
      ...extra,
    });
    await db('checkins').insert([
      scan(first!.id, vip.id),
      scan(first!.id, side.id),
      scan(first!.id, side.id, { datetime: '2030-05-01T12:00:00Z' }),
      scan(first!.id, main.id, { successful: false, error_reason: 'invalid' }),
      scan(second!.id, main.id, { type: 'exit' }),
    ]);
    const res = await runExport({ _format: 'positions:default', paid_only: false }, own.slug);
    expect(records(readCsv(res.body)).map((r) => [r['Position ID'], r['Check-in lists']])).toEqual([
      ['1', 'Side door, VIP lounge'],
      ['2', ''],
      ['3', ''],
    ]);
  });

  test('question columns are sorted by position across events, not event by event', async () => {
    const first = await newEvent();
    const second = await newEvent();
    const question = async (eventId: number, text: string, position: number) => {
      const [row] = await ctx.runtime
        .db('questions')
        .insert({
          event_id: eventId,
          question: JSON.stringify({ en: text }),
          identifier: text,
          type: 'S',
          position,
        })
        .returning('id');
      return row.id as number;
    };
    const late = await question(first.event.id, 'First event, position 3', 3);
    await question(first.event.id, 'First event, position 2', 2);
    await question(second.event.id, 'Second event, position 1', 1);
    const order = await first.data.order(first.event.id, {
      code: 'QPOS1',
      positions: [{ itemId: first.ticket.id }],
    });
    await ctx.runtime
      .db('question_answers')
      .insert({ orderposition_id: order.positions[0]!.id, question_id: late, answer: 'late answer' });
    const res = await runOrganizerExport({
      _format: 'positions:default',
      paid_only: false,
      events: [first.event.slug, second.event.slug],
    });
    const [header, row] = readCsv(res.body);
    const at = header!.indexOf('Add-on to position ID');
    expect(header!.slice(at + 1, at + 4)).toEqual([
      'Second event, position 1',
      'First event, position 2',
      'First event, position 3',
    ]);
    expect(row!.slice(at + 1, at + 4)).toEqual(['', '', 'late answer']);
  });

  test("organizer level: each order's dates and times in its own event's time zone", async () => {
    const db = ctx.runtime.db;
    const berlin = await newEvent();
    const newYork = await newEvent();
    await db('events').where('id', berlin.event.id).update({ timezone: 'Europe/Berlin' });
    await db('events').where('id', newYork.event.id).update({ timezone: 'America/New_York' });
    const spec = (code: string, itemId: number) => ({
      code,
      datetime: '2030-01-15T03:30:00Z',
      positions: [{ itemId }],
      fees: [{ fee_type: 'service', value: '1.00' }],
      payments: [
        {
          provider: 'banktransfer',
          state: 'confirmed',
          amount: '10.00',
          payment_date: '2030-01-16T02:00:00Z',
        },
      ],
    });
    const orders = [
      await berlin.data.order(berlin.event.id, spec('TZBER', berlin.ticket.id)),
      await newYork.data.order(newYork.event.id, spec('TZNYC', newYork.ticket.id)),
    ];
    for (const order of orders)
      await db('order_positions')
        .where('id', order.positions[0]!.id)
        .update({ valid_from: '2030-01-20T12:00:00Z', valid_until: '2030-01-21T04:00:00Z' });
    const body = { paid_only: false, events: [berlin.event.slug, newYork.event.slug] };
    const byCode = (rows: Record<string, string>[], ...columns: string[]) =>
      Object.fromEntries(rows.map((r) => [r['Order code'], columns.map((c) => r[c])]));

    const ordersCsv = records(
      readCsv((await runOrganizerExport({ ...body, _format: 'orders:default' })).body),
    );
    expect(byCode(ordersCsv, 'Order date', 'Order time', 'Date of last payment')).toEqual({
      TZBER: ['2030-01-15', '04:30:00', '2030-01-16'],
      TZNYC: ['2030-01-14', '22:30:00', '2030-01-15'],
    });
    const positionsCsv = records(
      readCsv((await runOrganizerExport({ ...body, _format: 'positions:default' })).body),
    );
    expect(byCode(positionsCsv, 'Order date', 'Order time', 'Valid from', 'Valid until')).toEqual({
      TZBER: ['2030-01-15', '04:30:00', '2030-01-20 13:00:00', '2030-01-21 05:00:00'],
      TZNYC: ['2030-01-14', '22:30:00', '2030-01-20 07:00:00', '2030-01-20 23:00:00'],
    });
    const feesCsv = records(readCsv((await runOrganizerExport({ ...body, _format: 'fees:default' })).body));
    expect(byCode(feesCsv, 'Order date', 'Order time')).toEqual({
      TZBER: ['2030-01-15', '04:30:00'],
      TZNYC: ['2030-01-14', '22:30:00'],
    });

    const sheets = await readXlsx((await runOrganizerExport({ ...body, _format: 'xlsx' })).body);
    const positions = records(sheets.get('Order positions')!);
    expect(
      Object.fromEntries(positions.map((r) => [r['Order code'], [r['Order date'], r['Valid from']]])),
    ).toEqual({
      TZBER: [new Date(Date.UTC(2030, 0, 15)), new Date(Date.UTC(2030, 0, 20, 13))],
      TZNYC: [new Date(Date.UTC(2030, 0, 14)), new Date(Date.UTC(2030, 0, 20, 7))],
    });
  });

  test("name parts of the event's name scheme and the organizer's event meta data get columns of their own", async () => {
    const db = ctx.runtime.db;
    // An organizer of its own: meta data properties are organizer-wide and would add columns to other tests.
    const own = await makeOrganizer(db);
    const { authorization: auth } = await makeTeamWithToken(db, own.id, { permissions: ['can_view_orders'] });
    const withParts = await makeEvent(db, own.id);
    const plain = await makeEvent(db, own.id);
    await db('event_settings').insert({
      event_id: withParts.id,
      key: 'name_scheme',
      value: JSON.stringify('salutation_given_family'),
    });
    const [region, series] = await db('event_meta_properties')
      .insert([
        { organizer_id: own.id, name: 'Region', default: 'EU' },
        { organizer_id: own.id, name: 'Series', default: '' },
      ])
      .returning('id');
    await db('event_meta_values').insert([
      { event_id: withParts.id, property_id: series.id, value: 'Summit' },
      { event_id: plain.id, property_id: region.id, value: 'US' },
    ]);
    const data = new TicketingData(db);
    const ticket = await data.item(withParts.id, 'Ticket');
    await data.order(withParts.id, {
      code: 'NAME1',
      positions: [{ itemId: ticket.id }],
      fees: [{ fee_type: 'service', value: '1.00' }],
      invoiceAddress: {
        name_cached: 'Dr. Ada Lovelace',
        name_parts: JSON.stringify({
          _scheme: 'salutation_given_family',
          salutation: 'Ms',
          given_name: 'Ada',
          family_name: 'Lovelace',
        }),
      },
    });
    await db('order_positions')
      .whereIn('order_id', db('orders').where('code', 'NAME1').select('id'))
      .update({
        attendee_name_cached: 'Bob Babbage',
        attendee_name_parts: JSON.stringify({ given_name: 'Bob', family_name: 'Babbage' }),
      });
    const run = async (base: string, body: object) => {
      const started = await request(ctx.app)
        .post(`${base}/exporters/orderlist/run/`)
        .set('Authorization', auth)
        .send(body);
      expect(started.status).toBe(202);
      return readXlsx((await download(ctx.app, started.body.download, auth)).body);
    };
    const sheets = await run(`/api/v1/organizers/${own.slug}/events/${withParts.slug}`, {
      _format: 'xlsx',
      paid_only: false,
    });
    const [orders] = records(sheets.get('Orders')!);
    const headers = (sheet: string) => sheets.get(sheet)![0]!.map(String);
    const after = (sheet: string, column: string, n: number) => {
      const all = headers(sheet);
      return all.slice(all.indexOf(column) + 1, all.indexOf(column) + 1 + n);
    };
    expect(after('Orders', 'Name', 3)).toEqual(['Salutation', 'Given name', 'Family name']);
    expect(headers('Orders').slice(-2)).toEqual(['Region', 'Series']);
    expect(orders).toMatchObject({ Salutation: 'Ms', 'Given name': 'Ada', 'Family name': 'Lovelace' });
    // The event's own value, else the property's default.
    expect(orders).toMatchObject({ Region: 'EU', Series: 'Summit' });
    const parts = ['Salutation', 'Given name', 'Family name'];
    expect(after('Order positions', 'Attendee name', 3)).toEqual(parts.map((p) => `Attendee name: ${p}`));
    expect(after('Order positions', 'Invoice address name', 3)).toEqual(
      parts.map((p) => `Invoice address name: ${p}`),
    );
    expect(records(sheets.get('Order positions')!)[0]).toMatchObject({
      'Attendee name: Given name': 'Bob',
      'Attendee name: Family name': 'Babbage',
      // pretix writes '' for a part the name does not have.
      'Attendee name: Salutation': null,
      'Invoice address name: Given name': 'Ada',
    });
    expect(after('Order fees', 'Invoice address name', 3)).toEqual(
      parts.map((p) => `Invoice address name: ${p}`),
    );
    expect(headers('Order fees').slice(-2)).toEqual(['Region', 'Series']);
    expect(records(sheets.get('Order fees')!)[0]).toMatchObject({
      'Invoice address name: Salutation': 'Ms',
      Region: 'EU',
    });

    // At organizer level, events may have different schemes: no part columns, but the meta data of each row's event.
    const organizerLevel = await run(`/api/v1/organizers/${own.slug}`, {
      _format: 'xlsx',
      paid_only: false,
      all_events: true,
    });
    expect(organizerLevel.get('Orders')![0]).not.toContain('Given name');
    expect(records(organizerLevel.get('Orders')!)[0]).toMatchObject({
      'Order code': 'NAME1',
      Region: 'EU',
      Series: 'Summit',
    });
  });

  test("every sheet has pretix's columns in pretix's order; data tixport does not hold stays empty", async () => {
    const { event: own, data, ticket } = await newEvent();
    await data.order(own.id, {
      code: 'COLS1',
      positions: [{ itemId: ticket.id }],
      fees: [{ fee_type: 'service', value: '2.00' }],
    });
    const address = ['Address', 'ZIP code', 'City', 'Country', 'State'];
    const head = ['Event slug', 'Event name', 'Order code'];
    const orderHead = ['Status', 'Email', 'Phone number', 'Order date', 'Order time'];
    const expected = {
      orders: ordersHeaders(['0.00']),
      positions: [
        ...head,
        'Position ID',
        ...orderHead,
        'Product',
        'Product ID',
        'Variation',
        'Variation ID',
        'Price',
        'Tax rate',
        'Tax rule',
        'Tax value',
        'Attendee name',
        'Attendee email',
        'Attendee company',
        ...address,
        'Voucher',
        'Voucher budget usage',
        'Voucher tag',
        'Pseudonymization ID',
        'Ticket secret',
        'Seat ID',
        'Seat name',
        'Seat zone',
        'Seat row',
        'Seat number',
        'Blocked',
        'Valid from',
        'Valid until',
        'Order comment',
        'Follow-up date',
        'Add-on to position ID',
        'Invoice address company',
        'Invoice address name',
        'Invoice address street',
        'Invoice address ZIP code',
        'Invoice address city',
        'Invoice address country',
        'Invoice address state',
        'VAT ID',
        'Sales channel',
        'Order locale',
        'Email address verified',
        'External customer ID',
        'Check-in lists',
        'Payment providers',
        'Position order link',
      ],
      fees: [
        ...head,
        ...orderHead,
        'Fee type',
        'Description',
        'Price',
        'Tax rate',
        'Tax rule',
        'Tax value',
        'Company',
        'Invoice address name',
        ...address,
        'VAT ID',
        'External customer ID',
        'Payment providers',
      ],
    };
    const blanks = {
      orders: [
        'Custom address field',
        'Invoice numbers',
        'Check-in text',
        'Follow-up date',
        'Email address verified',
      ],
      positions: [
        'Tax rule',
        'Voucher',
        'Voucher budget usage',
        'Voucher tag',
        'Seat ID',
        'Seat name',
        'Seat zone',
        'Seat row',
        'Seat number',
        'Blocked',
        'Follow-up date',
        'Email address verified',
        'Position order link',
      ],
      fees: ['Tax rule'],
    };
    for (const sheet of ['orders', 'positions', 'fees'] as const) {
      const res = await runExport({ _format: `${sheet}:default`, paid_only: false }, own.slug);
      const [header, row, ...rest] = readCsv(res.body);
      expect(header).toEqual(expected[sheet]);
      expect(rest).toEqual([]);
      for (const name of blanks[sheet]) expect(row![header!.indexOf(name)]).toBe('');
      if (sheet === 'fees') {
        // pretix writes '' there, which its default dialect quotes: Tax rate, Tax rule, Tax value.
        expect(res.body.toString('utf8').split('\r\n')[1]).toContain(',"0.00","","0.00",');
      }
      expect(row![2]).toBe('COLS1');
    }
    const sheets = await readXlsx((await runExport({ _format: 'xlsx', paid_only: false }, own.slug)).body);
    expect(sheets.get('Orders')![0]).toEqual(expected.orders);
    expect(sheets.get('Order positions')![0]).toEqual(expected.positions);
    expect(sheets.get('Order fees')![0]).toEqual(expected.fees);
    const position = records(sheets.get('Order positions')!)[0]!;
    for (const name of blanks.positions) expect(position[name]).toBeNull();
  });
});
