import { dataFixture, DENIED, type DataFixture } from './setup';

let f: DataFixture;
let soldOut: { id: number; variations: { id: number }[] };
let available: { id: number };

beforeAll(async () => {
  f = await dataFixture();
  soldOut = (
    await f.call('post', '/items/', { name: 'Gala', default_price: '50', variations: [{ value: 'Seat' }] })
  ).body;
  available = (await f.call('post', '/items/', { name: 'Entry', default_price: '10' })).body;
  await f.call('post', '/quotas/', {
    name: 'Gala',
    size: 1,
    items: [soldOut.id],
    variations: [soldOut.variations[0]!.id],
  });
  await f.call('post', '/quotas/', { name: 'Entry', size: 100, items: [available.id] });
  const sold = await f.call('post', '/orders/', {
    status: 'p',
    positions: [{ item: soldOut.id, variation: soldOut.variations[0]!.id }],
  });
  expect(sold.status).toBe(201);
});
afterAll(() => f.ctx.close());

describe('waitinglistentries/', () => {
  test('create, list, detail and DELETE with pretix shapes; the entry counts in the quota', async () => {
    const created = await f.call('post', '/waitinglistentries/', {
      item: soldOut.id,
      variation: soldOut.variations[0]!.id,
      email: 'wait@example.org',
      name_parts: { given_name: 'Wanda', family_name: 'Waiter' },
      priority: 5,
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(Number),
      created: expect.stringMatching(/Z$/),
      name: 'Wanda Waiter',
      name_parts: { given_name: 'Wanda', family_name: 'Waiter' },
      email: 'wait@example.org',
      phone: null,
      voucher_code: null,
      voucher_state: null,
      item: soldOut.id,
      variation: soldOut.variations[0]!.id,
      locale: 'en',
      subevent: null,
      priority: 5,
    });
    const id = created.body.id;
    expect((await f.call('get', '/waitinglistentries/')).body).toEqual({
      count: 1,
      next: null,
      previous: null,
      results: [created.body],
    });
    expect((await f.call('get', `/waitinglistentries/${id}/`)).body).toEqual(created.body);
    const quotas = (await f.call('get', '/quotas/')).body.results as { id: number; name: string }[];
    const gala = quotas.find((q) => q.name === 'Gala')!;
    expect((await f.call('get', `/quotas/${gala.id}/availability/`)).body).toMatchObject({
      paid_orders: 1,
      waiting_list: 1,
      available_number: 0,
      available: false,
    });
    expect((await f.call('patch', `/waitinglistentries/${id}/`, { priority: 1 })).status).toBe(405);
    expect((await f.call('delete', `/waitinglistentries/${id}/`)).status).toBe(204);
    expect((await f.call('get', `/waitinglistentries/${id}/`)).status).toBe(404);
  });

  test('refuses available products, duplicates and variations of other items', async () => {
    const availableRes = await f.call('post', '/waitinglistentries/', {
      item: available.id,
      email: 'a@example.org',
    });
    expect(availableRes.status).toBe(400);
    expect(availableRes.body).toEqual(['This product is currently available.']);

    const body = { item: soldOut.id, variation: soldOut.variations[0]!.id, email: 'dup@example.org' };
    expect((await f.call('post', '/waitinglistentries/', body)).status).toBe(201);
    const duplicate = await f.call('post', '/waitinglistentries/', { ...body, email: 'DUP@example.org' });
    expect(duplicate.body).toEqual([
      'You are already on this waiting list! We will notify you as soon as we have a ticket available for you.',
    ]);
    const noVariation = await f.call('post', '/waitinglistentries/', {
      item: soldOut.id,
      email: 'v@example.org',
    });
    expect(noVariation.body).toEqual({ variation: ['You should specify a variation for this item.'] });
    const badEmail = await f.call('post', '/waitinglistentries/', { item: soldOut.id, email: 'nope' });
    expect(badEmail.body).toEqual({ email: ['Enter a valid email address.'] });
  });

  test('an entry with a voucher cannot be deleted', async () => {
    const entry = (
      await f.call('post', '/waitinglistentries/', {
        item: soldOut.id,
        variation: soldOut.variations[0]!.id,
        email: 'voucher@example.org',
      })
    ).body;
    await f.ctx.runtime
      .db('waiting_list_entries')
      .where('id', entry.id)
      .update({ voucher_code: 'ABC', voucher_state: 'valid' });
    const res = await f.call('delete', `/waitinglistentries/${entry.id}/`);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: 'This entry can not be deleted as it has a voucher assigned.' });
  });

  test('reading needs can_view_orders, changing can_change_orders, foreign organizers get 403', async () => {
    const viewer = await f.tokenWith(['can_view_orders']);
    const nobody = await f.tokenWith(['can_change_items', 'can_checkin_orders']);
    expect((await f.call('get', '/waitinglistentries/', undefined, viewer)).status).toBe(200);
    expect((await f.call('get', '/waitinglistentries/', undefined, nobody)).body).toEqual(DENIED);
    const write = await f.call(
      'post',
      '/waitinglistentries/',
      { item: soldOut.id, email: 'x@example.org' },
      viewer,
    );
    expect(write.status).toBe(403);
    expect((await f.call('get', '/waitinglistentries/', undefined, await f.foreign())).status).toBe(403);
  });
});
