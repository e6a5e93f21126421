import { dataFixture, DENIED, type DataFixture } from './setup';

let f: DataFixture;
beforeAll(async () => {
  f = await dataFixture();
});
afterAll(() => f.ctx.close());

describe('categories/', () => {
  test('create, list, detail, PATCH and DELETE with pretix shapes', async () => {
    const created = await f.call('post', '/categories/', {
      name: { en: 'Tickets', de: 'Tickets' },
      position: 2,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    expect(created.body).toEqual({
      id,
      name: { en: 'Tickets', de: 'Tickets' },
      description: {},
      position: 2,
      is_addon: false,
    });
    const list = await f.call('get', '/categories/');
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ count: 1, next: null, previous: null, results: [created.body] });
    const patched = await f.call('patch', `/categories/${id}/`, { is_addon: true });
    expect(patched.body).toEqual({ ...created.body, is_addon: true });
    expect((await f.call('get', `/categories/${id}/`)).body).toEqual(patched.body);
    expect((await f.call('delete', `/categories/${id}/`)).status).toBe(204);
    expect((await f.call('get', `/categories/${id}/`)).status).toBe(404);
  });

  test('a blank name is refused in DRF shape', async () => {
    const res = await f.call('post', '/categories/', { position: 1 });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ name: ['This field is required.'] });
  });

  test('values the database could not hold are refused with 400, never a 500', async () => {
    const res = await f.call('post', '/categories/', { name: 'Big', position: 2 ** 40 });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ position: ['Ensure this value is less than or equal to 2147483647.'] });
    const price = await f.call('post', '/items/', { name: 'X', default_price: '1e30' });
    expect(price.body).toEqual({ default_price: ['A valid number is required.'] });
  });
});

describe('items/', () => {
  test('create with nested variations, read back, PATCH, and the variations endpoint', async () => {
    const category = (await f.call('post', '/categories/', { name: { en: 'Main' } })).body;
    const created = await f.call('post', '/items/', {
      name: { en: 'T-Shirt' },
      category: category.id,
      default_price: '25',
      tax_rate: '19.00',
      admission: false,
      variations: [{ value: { en: 'S' } }, { value: { en: 'XL' }, default_price: '27.50', position: 1 }],
    });
    expect(created.status).toBe(201);
    const [small, large] = created.body.variations;
    expect(created.body).toEqual({
      id: expect.any(Number),
      category: category.id,
      name: { en: 'T-Shirt' },
      description: {},
      default_price: '25.00',
      tax_rate: '19.00',
      admission: false,
      active: true,
      position: 0,
      has_variations: true,
      variations: [
        { id: small.id, value: { en: 'S' }, default_price: null, price: '25.00', active: true, position: 0 },
        {
          id: large.id,
          value: { en: 'XL' },
          default_price: '27.50',
          price: '27.50',
          active: true,
          position: 1,
        },
      ],
    });
    const id = created.body.id;
    expect((await f.call('get', `/items/${id}/`)).body).toEqual(created.body);

    const patched = await f.call('patch', `/items/${id}/`, { default_price: '30.00', active: false });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ default_price: '30.00', active: false });
    expect(patched.body.variations[0].price).toBe('30.00');

    const refused = await f.call('patch', `/items/${id}/`, { variations: [] });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      variations: [
        'Updating variations via PATCH/PUT is not supported. Please use the dedicated nested endpoint.',
      ],
    });

    const variation = await f.call('post', `/items/${id}/variations/`, { value: { en: 'M' }, position: 5 });
    expect(variation.status).toBe(201);
    expect(variation.body).toEqual({
      id: expect.any(Number),
      value: { en: 'M' },
      default_price: null,
      price: '30.00',
      active: true,
      position: 5,
    });
    const variations = await f.call('get', `/items/${id}/variations/`);
    expect(variations.body.results.map((v: { id: number }) => v.id)).toEqual([
      small.id,
      large.id,
      variation.body.id,
    ]);
    expect((await f.call('delete', `/items/${id}/variations/${variation.body.id}/`)).status).toBe(204);
  });

  test('an unknown category is an invalid pk', async () => {
    const res = await f.call('post', '/items/', { name: 'X', default_price: '1.00', category: 999999999 });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ category: ['Invalid pk "999999999" - object does not exist.'] });
  });

  test('unknown and non-numeric ids are 404', async () => {
    expect((await f.call('get', '/items/999999999/')).body).toEqual({ detail: 'Not found.' });
    expect((await f.call('get', '/items/abc/')).status).toBe(404);
  });
});

describe('questions/', () => {
  test('create a choice question with options for an item; identifiers are generated', async () => {
    const item = (await f.call('post', '/items/', { name: 'Ticket', default_price: '10' })).body;
    const created = await f.call('post', '/questions/', {
      question: { en: 'Meal?' },
      type: 'C',
      required: true,
      items: [item.id],
      options: [{ answer: { en: 'Vegan' } }, { answer: { en: 'Meat' }, identifier: 'MEAT' }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(Number),
      question: { en: 'Meal?' },
      help_text: {},
      type: 'C',
      required: true,
      items: [item.id],
      options: [
        {
          id: expect.any(Number),
          identifier: expect.stringMatching(/^[A-Z0-9]{8}$/),
          answer: { en: 'Vegan' },
          position: 0,
        },
        { id: expect.any(Number), identifier: 'MEAT', answer: { en: 'Meat' }, position: 1 },
      ],
      position: 0,
      identifier: expect.stringMatching(/^[A-Z0-9]{8}$/),
    });
    const id = created.body.id;
    const list = await f.call('get', '/questions/');
    expect(list.body.results).toContainEqual(created.body);
    const patched = await f.call('patch', `/questions/${id}/`, { required: false, items: [] });
    expect(patched.body).toMatchObject({ required: false, items: [] });
    expect((await f.call('delete', `/questions/${id}/`)).status).toBe(204);
  });

  test('options have their own nested endpoint; PATCH of the question cannot change them', async () => {
    const question = (
      await f.call('post', '/questions/', {
        question: 'Size',
        type: 'C',
        options: [{ answer: 'S', identifier: 'S' }],
      })
    ).body;
    const refused = await f.call('patch', `/questions/${question.id}/`, { options: [] });
    expect(refused.body).toEqual({
      options: ['Updating options via PATCH/PUT is not supported. Please use the dedicated nested endpoint.'],
    });
    const created = await f.call('post', `/questions/${question.id}/options/`, {
      answer: { en: 'L' },
      identifier: 'L',
      position: 1,
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(Number),
      identifier: 'L',
      answer: { en: 'L' },
      position: 1,
    });
    const patched = await f.call('patch', `/questions/${question.id}/options/${created.body.id}/`, {
      answer: 'XL',
    });
    expect(patched.body).toEqual({ ...created.body, answer: { en: 'XL' } });
    const list = await f.call('get', `/questions/${question.id}/options/`);
    expect(list.body.results.map((o: { identifier: string }) => o.identifier)).toEqual(['S', 'L']);
    expect((await f.call('delete', `/questions/${question.id}/options/${created.body.id}/`)).status).toBe(
      204,
    );
    expect((await f.call('get', `/questions/999999999/options/`)).status).toBe(404);
  });

  test('an unknown type and a duplicate identifier are refused', async () => {
    const badType = await f.call('post', '/questions/', { question: 'Q', type: 'Z' });
    expect(badType.status).toBe(400);
    expect(badType.body).toEqual({ type: ['"Z" is not a valid choice.'] });
    await f.call('post', '/questions/', { question: 'Q', type: 'S', identifier: 'DUP' });
    const duplicate = await f.call('post', '/questions/', { question: 'Q2', type: 'S', identifier: 'DUP' });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body).toEqual({
      identifier: ['This identifier is already used for a different question.'],
    });
  });
});

describe('quotas/', () => {
  test('create, detail, PATCH and availability of an empty quota', async () => {
    const item = (await f.call('post', '/items/', { name: 'Day pass', default_price: '5' })).body;
    const created = await f.call('post', '/quotas/', { name: 'Day', size: 20, items: [item.id] });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(Number),
      name: 'Day',
      size: 20,
      items: [item.id],
      variations: [],
    });
    const patched = await f.call('patch', `/quotas/${created.body.id}/`, { size: null });
    expect(patched.body).toEqual({ ...created.body, size: null });
    const availability = await f.call('get', `/quotas/${created.body.id}/availability/`);
    expect(availability.status).toBe(200);
    expect(availability.body).toEqual({
      paid_orders: 0,
      pending_orders: 0,
      exited_orders: 0,
      blocking_vouchers: 0,
      cart_positions: 0,
      waiting_list: 0,
      available_number: null,
      available: true,
      total_size: null,
    });
  });

  test('items with variations need some of their variations', async () => {
    const item = (
      await f.call('post', '/items/', { name: 'Shirt', default_price: '5', variations: [{ value: 'S' }] })
    ).body;
    const res = await f.call('post', '/quotas/', { name: 'Shirts', size: 5, items: [item.id] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      variations: ['One or more items has variations but none of these are in the variations list.'],
    });
    const foreign = await f.call('post', '/quotas/', {
      name: 'X',
      size: 5,
      items: [item.id],
      variations: [999999999],
    });
    expect(foreign.body).toEqual({
      variations: ['All variations must belong to an item contained in the items list.'],
    });
  });
});

describe('permissions', () => {
  test('reads need only event access; writes need can_change_items', async () => {
    const reader = await f.tokenWith([]);
    for (const path of ['/categories/', '/items/', '/questions/', '/quotas/']) {
      expect((await f.call('get', path, undefined, reader)).status).toBe(200);
      const write = await f.call('post', path, { name: 'x' }, reader);
      expect(write.status).toBe(403);
      expect(write.body).toEqual(DENIED);
    }
    const changer = await f.tokenWith(['can_change_items']);
    expect((await f.call('post', '/categories/', { name: 'ok' }, changer)).status).toBe(201);
  });

  test('a token of another organizer gets 403 on every resource', async () => {
    const foreign = await f.foreign();
    for (const path of ['/categories/', '/items/', '/questions/', '/quotas/']) {
      const res = await f.call('get', path, undefined, foreign);
      expect(res.status).toBe(403);
      expect(res.body).toEqual(DENIED);
    }
  });
});
