import { json, pythonJson } from '../../../src/modules/exports/exporters/json';
import { makeEvent, makeOrganizer } from '../../support/factories';
import { useExportHarness } from './support';

const database = useExportHarness();
let organizer: { id: number; slug: string; name: string };
let event: { id: number; slug: string };
let empty: { id: number; slug: string };
const ids: Record<string, number> = {};
const codes: Record<string, string> = {};

beforeAll(async () => {
  const { db, seed } = database;
  organizer = await makeOrganizer(db);
  event = await makeEvent(db, organizer.id, { name: { en: 'Café Summit', de: 'Gipfel' } });
  empty = await makeEvent(db, organizer.id);
  const other = await makeEvent(db, organizer.id);

  const category = await seed.category(
    event.id,
    { en: 'Tickets' },
    { position: 3, description: '{"en":"All"}' },
  );
  ids.category = category.id;
  const ticket = await seed.item(
    event.id,
    { en: 'Ticket' },
    { category_id: category.id, default_price: '23.00', tax_rate: '19.00', position: 1 },
  );
  ids.ticket = ticket.id;
  const shirt = await seed.item(event.id, { en: 'Shirt' }, { default_price: '15.00', admission: false });
  ids.shirt = shirt.id;
  ids.small = (await seed.variation(shirt.id, { en: 'S' }, { position: 1, default_price: '12.50' })).id;
  ids.large = (await seed.variation(shirt.id, { en: 'L' }, { position: 2, active: false })).id;
  const question = await seed.question(event.id, 'Diet?', 'S', { required: true, identifier: 'DIET' });
  ids.question = question.id;
  ids.quota = (await seed.quota(event.id, 'All', 100, [ticket.id, shirt.id], [ids.small])).id;

  const older = await seed.order(event.id, {
    status: 'p',
    email: 'anna@example.org',
    phone: '+49301234',
    locale: 'de',
    total: '33.00',
    comment: 'Hello',
    checkin_attention: true,
    datetime: '2030-01-10T09:30:00.123456Z',
    expires: '2030-01-24T09:30:00Z',
  });
  codes.older = older.code;
  const position = await seed.position(older.id, ticket.id, 1, {
    price: '23.00',
    tax_rate: '19.00',
    tax_value: '3.67',
    attendee_name_cached: 'Anna Ä',
    attendee_email: 'anna@example.org',
    company: 'ACME',
    street: 'Main St 5',
    zipcode: '10115',
    city: 'Berlin',
    country: 'DE',
    secret: 'sec1',
    valid_from: '2030-06-01T06:00:00Z',
  });
  ids.position = position.id;
  const addon = await seed.position(older.id, shirt.id, 2, {
    variation_id: ids.small,
    price: '10.00',
    addon_to_id: position.id,
    secret: 'sec2',
  });
  ids.addon = addon.id;
  await seed.position(older.id, ticket.id, 3, { canceled: true, secret: 'gone' });
  await seed.answer(position.id, question.id, 'Vegan "strict"');
  await seed.fee(older.id, {
    fee_type: 'payment',
    description: 'Card fee',
    value: '1.50',
    tax_rate: '19.00',
  });
  await seed.fee(older.id, { fee_type: 'shipping', value: '4.00', canceled: true });
  const newer = await seed.order(event.id, { status: 'n', datetime: '2030-01-11T09:30:00Z' });
  codes.newer = newer.code;
  await seed.order(other.id, { status: 'p' });
});

describe('json', () => {
  test('has no inputs and names the file <slug>_pretixdata.json', async () => {
    expect(json.describe()).toEqual({
      identifier: 'json',
      verbose_name: 'Order data (JSON)',
      input_parameters: [],
    });
    const { filename } = await database.runFile(json, { eventIds: [empty.id] });
    expect(filename).toBe(`${empty.slug}_pretixdata.json`);
  });

  test('writes the event, its configuration and its orders in pretix JSON shape', async () => {
    const { body } = await database.runFile(json, { eventIds: [event.id] });
    const data = JSON.parse(body);
    expect(Object.keys(data)).toEqual(['event']);
    expect(data.event).toMatchObject({
      name: 'Café Summit',
      slug: event.slug,
      organizer: { name: organizer.name, slug: organizer.slug },
      meta_data: {},
      subevents: [],
    });
    expect(data.event.categories).toEqual([
      { id: ids.category, name: 'Tickets', description: 'All', position: 3, internal_name: null },
    ]);
    expect(data.event.items.map((i: { id: number }) => i.id)).toEqual([ids.ticket, ids.shirt]);
    expect(data.event.items[0]).toMatchObject({
      id: ids.ticket,
      name: 'Ticket',
      category: ids.category,
      price: '23.00',
      tax_rate: '19.00',
      admission: true,
      active: true,
      description: '',
      meta_data: {},
      variations: [],
    });
    expect(Object.keys(data.event.items[0])).toEqual([
      'id',
      'position',
      'name',
      'internal_name',
      'category',
      'price',
      'tax_rate',
      'tax_name',
      'admission',
      'personalized',
      'active',
      'sales_channels',
      'description',
      'available_from',
      'available_until',
      'require_voucher',
      'hide_without_voucher',
      'allow_cancel',
      'require_bundling',
      'min_per_order',
      'max_per_order',
      'checkin_attention',
      'checkin_text',
      'original_price',
      'issue_giftcard',
      'meta_data',
      'require_membership',
      'variations',
    ]);
    expect(data.event.items[1].variations).toEqual([
      expect.objectContaining({ id: ids.small, active: true, price: '12.50', name: 'S', position: 1 }),
      expect.objectContaining({ id: ids.large, active: false, price: '15.00', name: 'L', position: 2 }),
    ]);
    expect(data.event.questions).toEqual([
      {
        id: ids.question,
        identifier: 'DIET',
        required: true,
        question: 'Diet?',
        position: 0,
        hidden: null,
        ask_during_checkin: null,
        help_text: '',
        type: 'S',
      },
    ]);
    expect(data.event.quotas).toEqual([
      {
        id: ids.quota,
        size: 100,
        subevent: null,
        items: [ids.ticket, ids.shirt],
        variations: [ids.small],
      },
    ]);
  });

  test('orders newest first, without cancelled positions and fees, every field as pretix writes it', async () => {
    const { body, writes } = await database.runFile(json, { eventIds: [event.id] });
    const orders = JSON.parse(body).event.orders;
    // Streamed: the head, one write per order, the tail (never the document as one buffer).
    expect(writes).toBe(2 + orders.length);
    expect(orders.map((o: { code: string }) => o.code)).toEqual([codes.newer, codes.older]);
    expect(orders[1]).toEqual({
      code: codes.older,
      status: 'p',
      customer: null,
      testmode: false,
      user: 'anna@example.org',
      email: 'anna@example.org',
      phone: '+49301234',
      locale: 'de',
      comment: 'Hello',
      custom_followup_at: null,
      require_approval: null,
      checkin_attention: true,
      checkin_text: null,
      sales_channel: 'web',
      expires: '2030-01-24T09:30:00Z',
      datetime: '2030-01-10T09:30:00.123Z',
      fees: [{ type: 'payment', description: 'Card fee', value: '1.50' }],
      total: '33.00',
      positions: [
        {
          id: ids.position,
          positionid: 1,
          item: ids.ticket,
          variation: null,
          subevent: null,
          seat: null,
          price: '23.00',
          tax_rate: '19.00',
          tax_value: '3.67',
          attendee_name: 'Anna Ä',
          attendee_email: 'anna@example.org',
          company: 'ACME',
          street: 'Main St 5',
          zipcode: '10115',
          country: 'DE',
          state: null,
          secret: 'sec1',
          addon_to: null,
          valid_from: '2030-06-01T06:00:00Z',
          valid_until: null,
          blocked: null,
          answers: [{ question: ids.question, answer: 'Vegan "strict"' }],
        },
        expect.objectContaining({
          id: ids.addon,
          positionid: 2,
          variation: ids.small,
          addon_to: ids.position,
          answers: [],
        }),
      ],
    });
    expect(orders[0]).toMatchObject({ status: 'n', email: null, fees: [], positions: [], total: '0.00' });
  });

  test('is byte-compatible with Python json.dumps: ", "/": " separators and ASCII escapes', async () => {
    const { body } = await database.runFile(json, { eventIds: [event.id] });
    expect(
      body.startsWith(`{"event": {"name": "Caf\\u00e9 Summit", "slug": "${event.slug}", "organizer": {`),
    ).toBe(true);
    expect(body).toContain('"attendee_name": "Anna \\u00c4"');
    expect(body).toContain('"answer": "Vegan \\"strict\\""');
    expect(body.endsWith('"subevents": []}}')).toBe(true);
    expect(/[^\x20-\x7e]/.test(body)).toBe(false);
    expect(pythonJson({ a: [1, true, null, 'x\n€😀'] })).toBe(
      '{"a": [1, true, null, "x\\n\\u20ac\\ud83d\\ude00"]}',
    );
  });

  test('an event without data still gives a complete document', async () => {
    const { body } = await database.runFile(json, { eventIds: [empty.id] });
    expect(JSON.parse(body).event).toMatchObject({
      slug: empty.slug,
      categories: [],
      items: [],
      questions: [],
      orders: [],
      quotas: [],
      subevents: [],
    });
  });
});
