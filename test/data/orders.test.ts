import { dataFixture, DENIED, orderDataCounts, type DataFixture } from './setup';

let f: DataFixture;
let ticket: { id: number };
let shirt: { id: number; variations: { id: number }[] };
let other: { id: number };
let nameQuestion: { id: number; identifier: string };
let countQuestion: { id: number };
let mealQuestion: { id: number; options: { id: number; identifier: string }[] };
let shirtQuestion: { id: number };
let quota: { id: number };

beforeAll(async () => {
  f = await dataFixture();
  ticket = (
    await f.call('post', '/items/', { name: { en: 'Ticket' }, default_price: '100.00', tax_rate: '19.00' })
  ).body;
  shirt = (
    await f.call('post', '/items/', {
      name: { en: 'Shirt' },
      default_price: '20.00',
      admission: false,
      variations: [{ value: { en: 'S' } }, { value: { en: 'L' }, default_price: '22.00' }],
    })
  ).body;
  other = (await f.call('post', '/items/', { name: { en: 'Unquoted' }, default_price: '1.00' })).body;
  nameQuestion = (
    await f.call('post', '/questions/', {
      question: { en: 'Company' },
      type: 'S',
      required: true,
      identifier: 'COMPANY',
      items: [ticket.id],
    })
  ).body;
  countQuestion = (await f.call('post', '/questions/', { question: 'Guests', type: 'N', items: [ticket.id] }))
    .body;
  mealQuestion = (
    await f.call('post', '/questions/', {
      question: 'Meal',
      type: 'M',
      items: [ticket.id],
      options: [
        { answer: 'Vegan', identifier: 'VEG' },
        { answer: 'Fish', identifier: 'FISH' },
      ],
    })
  ).body;
  shirtQuestion = (await f.call('post', '/questions/', { question: 'Fit', type: 'S', items: [shirt.id] }))
    .body;
  quota = (await f.call('post', '/quotas/', { name: 'Tickets', size: 3, items: [ticket.id] })).body;
  await f.call('post', '/quotas/', {
    name: 'Shirts',
    size: null,
    items: [shirt.id],
    variations: shirt.variations.map((v) => v.id),
  });
});
afterAll(() => f.ctx.close());

const ticketPosition = (extra: Record<string, unknown> = {}) => ({
  item: ticket.id,
  attendee_name: 'Ada Lovelace',
  answers: [{ question: nameQuestion.id, answer: 'Analytical Engines Ltd' }],
  ...extra,
});

describe('POST orders/', () => {
  test('creates a complete order and answers with its full shape', async () => {
    const res = await f.call('post', '/orders/', {
      email: 'ada@example.org',
      phone: '+441234567',
      locale: 'de',
      comment: 'VIP',
      payment_provider: 'banktransfer',
      invoice_address: {
        name: 'Ada Lovelace',
        street: '1 Main St',
        zipcode: 'W1',
        city: 'London',
        country: 'GB',
      },
      positions: [
        ticketPosition({
          attendee_email: 'ada@example.org',
          answers: [
            { question: nameQuestion.id, answer: 'AE Ltd' },
            { question: countQuestion.id, answer: '2' },
            { question: mealQuestion.id, options: [mealQuestion.options[1]!.id] },
          ],
        }),
        {
          item: shirt.id,
          variation: shirt.variations[1]!.id,
          addon_to: 1,
          answers: [{ question: shirtQuestion.id, answer: 'slim' }],
        },
      ],
      fees: [{ fee_type: 'shipping', value: '5.00', description: 'Post' }],
    });
    expect(res.status).toBe(201);
    const order = res.body;
    const [first, second] = order.positions;
    expect(order).toEqual({
      code: expect.stringMatching(/^[A-Z0-9]{5}$/),
      event: f.event.slug,
      status: 'n',
      testmode: false,
      secret: expect.stringMatching(/^[a-z0-9]{16}$/),
      email: 'ada@example.org',
      phone: '+441234567',
      customer: null,
      locale: 'de',
      sales_channel: 'web',
      datetime: expect.stringMatching(/Z$/),
      expires: expect.stringMatching(/Z$/),
      payment_date: null,
      payment_provider: 'banktransfer',
      total: '127.00',
      comment: 'VIP',
      checkin_attention: false,
      customer_reference: null,
      require_approval: false,
      last_modified: expect.stringMatching(/Z$/),
      invoice_address: {
        last_modified: expect.stringMatching(/Z$/),
        is_business: false,
        company: '',
        name: 'Ada Lovelace',
        name_parts: { _legacy: 'Ada Lovelace' },
        street: '1 Main St',
        zipcode: 'W1',
        city: 'London',
        country: 'GB',
        state: '',
        vat_id: '',
        vat_id_validated: false,
        internal_reference: '',
      },
      positions: [
        {
          id: expect.any(Number),
          order: order.code,
          positionid: 1,
          item: ticket.id,
          variation: null,
          price: '100.00',
          attendee_name: 'Ada Lovelace',
          attendee_name_parts: { _legacy: 'Ada Lovelace' },
          attendee_email: 'ada@example.org',
          company: null,
          street: null,
          zipcode: null,
          city: null,
          country: null,
          state: null,
          voucher: null,
          tax_rate: '19.00',
          tax_value: '15.97',
          tax_rule: null,
          secret: expect.stringMatching(/^[a-z0-9]{32}$/),
          addon_to: null,
          subevent: null,
          pseudonymization_id: expect.stringMatching(/^[A-Z0-9]{10}$/),
          canceled: false,
          valid_from: null,
          valid_until: null,
          checkins: [],
          answers: [
            {
              question: nameQuestion.id,
              question_identifier: 'COMPANY',
              answer: 'AE Ltd',
              options: [],
              option_identifiers: [],
            },
            {
              question: countQuestion.id,
              question_identifier: expect.any(String),
              answer: '2',
              options: [],
              option_identifiers: [],
            },
            {
              question: mealQuestion.id,
              question_identifier: expect.any(String),
              answer: 'Fish',
              options: [mealQuestion.options[1]!.id],
              option_identifiers: ['FISH'],
            },
          ],
          downloads: [],
        },
        expect.objectContaining({
          positionid: 2,
          item: shirt.id,
          variation: shirt.variations[1]!.id,
          price: '22.00',
        }),
      ],
      fees: [
        {
          id: expect.any(Number),
          fee_type: 'shipping',
          value: '5.00',
          description: 'Post',
          internal_type: '',
          tax_rate: '0.00',
          tax_value: '0.00',
          tax_rule: null,
          canceled: false,
        },
      ],
      payments: [
        {
          local_id: 1,
          state: 'created',
          amount: '127.00',
          created: expect.stringMatching(/Z$/),
          payment_date: null,
          provider: 'banktransfer',
          payment_url: null,
          details: {},
        },
      ],
      refunds: [],
      downloads: [],
    });
    expect(second.addon_to).toBe(first.id);
    expect(second.tax_value).toBe('0.00');

    const detail = await f.call('get', `/orders/${order.code}/`);
    expect(detail.status).toBe(200);
    expect(detail.body).toEqual(order);
    expect((await f.call('get', `/orders/${order.code.toLowerCase()}/`)).body.code).toBe(order.code);
  });

  test('takes payments as given and a code of its own; a taken code is refused', async () => {
    const body = {
      code: 'MYCODE1',
      status: 'p',
      positions: [{ item: shirt.id, variation: shirt.variations[0]!.id, price: '18.50' }],
      payments: [
        {
          provider: 'stripe',
          state: 'confirmed',
          amount: '10.00',
          payment_date: '2030-01-02T03:04:05Z',
          info: { id: 'ch_1' },
        },
        { provider: 'giftcard', state: 'confirmed', amount: '8.50' },
      ],
    };
    const res = await f.call('post', '/orders/', body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      code: 'MYCODE1',
      status: 'p',
      total: '18.50',
      payment_date: '2030-01-02',
    });
    expect(res.body.payments).toEqual([
      expect.objectContaining({ local_id: 1, provider: 'stripe', amount: '10.00', details: { id: 'ch_1' } }),
      expect.objectContaining({ local_id: 2, provider: 'giftcard', amount: '8.50' }),
    ]);
    const again = await f.call('post', '/orders/', body);
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ code: ['This order code is already in use.'] });
  });

  test('refuses an unknown country in the invoice address', async () => {
    const res = await f.call('post', '/orders/', {
      invoice_address: { country: 'XX' },
      positions: [{ item: shirt.id, variation: shirt.variations[0]!.id }],
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ invoice_address: { country: ['"XX" is not a valid choice.'] } });
  });

  test.each([
    [
      'an unknown item',
      () => ({ positions: [{ item: 999999999 }] }),
      () => ({ positions: [{ item: ['Invalid pk "999999999" - object does not exist.'] }] }),
    ],
    [
      'a variation of another item',
      () => ({ positions: [ticketPosition({ variation: shirt.variations[0]!.id })] }),
      () => ({ positions: [{ variation: ['You cannot specify a variation for this item.'] }] }),
    ],
    [
      'an item with variations but none given',
      () => ({ positions: [{ item: shirt.id }] }),
      () => ({ positions: [{ variation: ['You should specify a variation for this item.'] }] }),
    ],
    [
      'an answer of the wrong type',
      () => ({
        positions: [
          ticketPosition({
            answers: [
              { question: nameQuestion.id, answer: 'x' },
              { question: countQuestion.id, answer: 'many' },
            ],
          }),
        ],
      }),
      () => ({ positions: [{ answers: [{}, { answer: ['Invalid number input.'] }] }] }),
    ],
    [
      'an option of another question',
      () => ({
        positions: [
          ticketPosition({
            answers: [
              { question: nameQuestion.id, answer: 'x' },
              { question: mealQuestion.id, options: [999999999] },
            ],
          }),
        ],
      }),
      () => ({
        positions: [
          { answers: [{}, { options: ['The specified option does not belong to this question.'] }] },
        ],
      }),
    ],
    [
      'an answer to a question not asked for the item',
      () => ({
        positions: [
          ticketPosition(),
          {
            item: shirt.id,
            variation: shirt.variations[0]!.id,
            answers: [{ question: nameQuestion.id, answer: 'x' }],
          },
        ],
      }),
      () => ({
        positions: [
          {},
          { answers: [{ question: ['The question "Company" is not asked for this product.'] }] },
        ],
      }),
    ],
    [
      'a missing required answer',
      () => ({ positions: [{ item: ticket.id }] }),
      () => ({ positions: [{ answers: ['The question "Company" is required.'] }] }),
    ],
    [
      'an item without a quota',
      () => ({ positions: [{ item: other.id }] }),
      () => ({ positions: [{ item: ['The product "Unquoted" is not assigned to a quota.'] }] }),
    ],
    ['no positions', () => ({ positions: [] }), () => ({ positions: ['An order cannot be empty.'] })],
  ])('refuses %s with 400 and writes nothing', async (_name, body, expected) => {
    const before = await orderDataCounts(f);
    const res = await f.call('post', '/orders/', { email: 'x@example.org', ...body() });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expected());
    expect(await orderDataCounts(f)).toEqual(before);
  });
});

describe('quota availability and sold-out', () => {
  test('counts paid and pending tickets and refuses an order beyond the quota', async () => {
    const availability = async () => (await f.call('get', `/quotas/${quota.id}/availability/`)).body;
    // The first test left one pending ticket in the quota of 3.
    expect(await availability()).toMatchObject({
      paid_orders: 0,
      pending_orders: 1,
      available_number: 2,
      available: true,
    });

    const paid = await f.call('post', '/orders/', { status: 'p', positions: [ticketPosition()] });
    expect(paid.status).toBe(201);
    expect(paid.body.payments).toEqual([
      expect.objectContaining({ state: 'confirmed', amount: '100.00', provider: 'manual' }),
    ]);
    expect(paid.body.payment_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(await availability()).toEqual({
      paid_orders: 1,
      pending_orders: 1,
      exited_orders: 0,
      blocking_vouchers: 0,
      cart_positions: 0,
      waiting_list: 0,
      available_number: 1,
      available: true,
      total_size: 3,
    });

    const before = await orderDataCounts(f);
    const tooMany = await f.call('post', '/orders/', { positions: [ticketPosition(), ticketPosition()] });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toEqual({
      positions: [
        {},
        { item: ['There is not enough quota available on quota "Tickets" to perform the operation.'] },
      ],
    });
    expect(await orderDataCounts(f)).toEqual(before);

    const last = await f.call('post', '/orders/', { positions: [ticketPosition()] });
    expect(last.status).toBe(201);
    expect(await availability()).toMatchObject({
      paid_orders: 1,
      pending_orders: 2,
      available_number: 0,
      available: false,
    });

    const canceled = await f.call('post', `/orders/${last.body.code}/mark_canceled/`, {});
    expect(canceled.status).toBe(200);
    expect(await availability()).toMatchObject({ pending_orders: 1, available_number: 1 });
  });
});

describe('status transitions', () => {
  test('mark_paid: pending → paid with a confirmed payment over the open amount; twice is refused', async () => {
    const created = (
      await f.call('post', '/orders/', {
        positions: [{ item: shirt.id, variation: shirt.variations[0]!.id }],
      })
    ).body;
    const paid = await f.call('post', `/orders/${created.code}/mark_paid/`);
    expect(paid.status).toBe(200);
    expect(paid.body.status).toBe('p');
    expect(paid.body.payments).toEqual([
      {
        local_id: 1,
        state: 'confirmed',
        amount: '20.00',
        created: expect.any(String),
        payment_date: expect.any(String),
        provider: 'manual',
        payment_url: null,
        details: {},
      },
    ]);
    const again = await f.call('post', `/orders/${created.code}/mark_paid/`);
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ detail: 'The order is not pending or expired.' });
  });

  test('mark_canceled: paid → canceled; a canceled order cannot be canceled or paid', async () => {
    const created = (
      await f.call('post', '/orders/', {
        status: 'p',
        positions: [{ item: shirt.id, variation: shirt.variations[0]!.id }],
      })
    ).body;
    const canceled = await f.call('post', `/orders/${created.code}/mark_canceled/`, { send_email: false });
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe('c');
    expect(Date.parse(canceled.body.last_modified)).toBeGreaterThanOrEqual(Date.parse(created.last_modified));
    expect((await f.call('post', `/orders/${created.code}/mark_canceled/`)).body).toEqual({
      detail: 'The order is not allowed to be canceled.',
    });
    expect((await f.call('post', `/orders/${created.code}/mark_paid/`)).status).toBe(400);
    expect((await f.call('post', '/orders/NOPE1/mark_paid/')).status).toBe(404);
  });

  test('mark_paid revives an expired order only while its quota has room', async () => {
    const db = f.ctx.runtime.db;
    const expired = (await f.call('post', '/orders/', { positions: [ticketPosition()] })).body;
    await db('orders').where({ event_id: f.event.id, code: expired.code }).update({ status: 'e' });
    const filler = (await f.call('post', '/orders/', { positions: [ticketPosition()] })).body;
    const refused = await f.call('post', `/orders/${expired.code}/mark_paid/`);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      detail: 'There is not enough quota available on quota "Tickets" to perform the operation.',
    });
    await f.call('post', `/orders/${filler.code}/mark_canceled/`);
    const revived = await f.call('post', `/orders/${expired.code}/mark_paid/`);
    expect(revived.status).toBe(200);
    expect(revived.body.status).toBe('p');
  });
});

describe('GET orders/', () => {
  test('filters by status, email, code, testmode and modified_since', async () => {
    const test = (
      await f.call('post', '/orders/', {
        email: 'Filter@Example.org',
        testmode: true,
        positions: [{ item: shirt.id, variation: shirt.variations[0]!.id }],
      })
    ).body;
    const codes = async (query: string) =>
      ((await f.call('get', `/orders/?${query}`)).body.results as { code: string }[]).map((o) => o.code);
    expect(await codes('email=filter@example.org')).toEqual([test.code]);
    expect(await codes(`code=${test.code.toLowerCase()}`)).toEqual([test.code]);
    expect(await codes('testmode=true')).toEqual([test.code]);
    expect(await codes('testmode=false')).not.toContain(test.code);
    expect(await codes('status=c')).not.toContain(test.code);
    expect(await codes('status=n')).toContain(test.code);
    expect(await codes(`modified_since=${encodeURIComponent(test.last_modified)}`)).toEqual([test.code]);
    expect(await codes('modified_since=2999-01-01T00:00:00Z')).toEqual([]);

    const list = await f.call('get', '/orders/?ordering=-datetime');
    expect(list.status).toBe(200);
    expect(list.headers['x-page-generated']).toMatch(/Z$/);
    expect(list.body.results[0]).toEqual((await f.call('get', `/orders/${test.code}/`)).body);

    expect((await f.call('get', '/orders/?status=x')).body).toEqual({
      status: ['Select a valid choice. x is not one of the available choices.'],
    });
    expect((await f.call('get', '/orders/?modified_since=yesterday')).body).toEqual({
      modified_since: ['Enter a valid date/time.'],
    });
  });
});

describe('permissions', () => {
  test('reading needs can_view_orders, writing can_change_orders; foreign organizers get 403', async () => {
    const code = (await f.call('get', '/orders/')).body.results[0].code as string;
    const none = await f.tokenWith(['can_change_items', 'can_checkin_orders']);
    const viewer = await f.tokenWith(['can_view_orders']);
    const foreign = await f.foreign();
    for (const auth of [none, foreign]) {
      for (const path of ['/orders/', `/orders/${code}/`]) {
        const res = await f.call('get', path, undefined, auth);
        expect(res.status).toBe(403);
        expect(res.body).toEqual(DENIED);
      }
    }
    expect((await f.call('get', '/orders/', undefined, viewer)).status).toBe(200);
    expect((await f.call('get', `/orders/${code}/`, undefined, viewer)).status).toBe(200);
    for (const path of ['/orders/', `/orders/${code}/mark_paid/`, `/orders/${code}/mark_canceled/`]) {
      const res = await f.call('post', path, { positions: [] }, viewer);
      expect(res.status).toBe(403);
      expect(res.body).toEqual(DENIED);
    }
  });
});
