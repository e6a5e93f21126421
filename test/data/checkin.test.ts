import { dataFixture, DENIED, type DataFixture } from './setup';

let f: DataFixture;
let ticket: { id: number };
let merch: { id: number };

beforeAll(async () => {
  f = await dataFixture();
  ticket = (await f.call('post', '/items/', { name: 'Ticket', default_price: '10.00' })).body;
  merch = (await f.call('post', '/items/', { name: 'Mug', default_price: '5.00', admission: false })).body;
  await f.call('post', '/quotas/', { name: 'All', size: null, items: [ticket.id, merch.id] });
});
afterAll(() => f.ctx.close());

async function order(status: 'n' | 'p', items: number[] = [ticket.id], extra: Record<string, unknown> = {}) {
  const res = await f.call('post', '/orders/', {
    status,
    positions: items.map((item) => ({ item })),
    ...extra,
  });
  expect(res.status).toBe(201);
  return res.body as { code: string; positions: { id: number; secret: string }[] };
}

async function list(body: Record<string, unknown> = {}) {
  const res = await f.call('post', '/checkinlists/', { name: 'Entrance', ...body });
  expect(res.status).toBe(201);
  return res.body as { id: number; name: string; include_pending: boolean };
}

const redeem = (
  listId: number,
  position: number | string,
  body: Record<string, unknown> = {},
  auth?: string,
) => f.call('post', `/checkinlists/${listId}/positions/${position}/redeem/`, body, auth);

describe('checkinlists/', () => {
  test('create, list, detail, PATCH and DELETE with pretix shapes', async () => {
    const created = await f.call('post', '/checkinlists/', {
      name: 'Workshops',
      all_products: false,
      limit_products: [merch.id],
      include_pending: true,
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(Number),
      name: 'Workshops',
      all_products: false,
      limit_products: [merch.id],
      subevent: null,
      include_pending: true,
      allow_multiple_entries: false,
      allow_entry_after_exit: true,
    });
    const id = created.body.id;
    expect((await f.call('get', '/checkinlists/')).body.results).toContainEqual(created.body);
    expect((await f.call('get', `/checkinlists/${id}/`)).body).toEqual(created.body);
    const patched = await f.call('patch', `/checkinlists/${id}/`, { name: 'Rooms', limit_products: [] });
    expect(patched.body).toEqual({ ...created.body, name: 'Rooms', limit_products: [] });
    expect((await f.call('delete', `/checkinlists/${id}/`)).status).toBe(204);
    expect((await f.call('get', `/checkinlists/${id}/`)).status).toBe(404);
  });

  test('products of another event are refused', async () => {
    const res = await f.call('post', '/checkinlists/', { name: 'X', limit_products: [999999999] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ limit_products: ['Invalid pk "999999999" - object does not exist.'] });
  });
});

describe('redeem', () => {
  test('a paid ticket enters once: 201 with the ticket, then already_redeemed; both scans are recorded', async () => {
    const entrance = await list();
    const paid = await order('p');
    const position = paid.positions[0]!;
    const first = await redeem(entrance.id, position.id, { gate_name: 'North' });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      status: 'ok',
      require_attention: false,
      position: expect.objectContaining({
        id: position.id,
        order: paid.code,
        checkins: [
          {
            id: expect.any(Number),
            list: entrance.id,
            datetime: expect.stringMatching(/Z$/),
            type: 'entry',
            gate_name: 'North',
            device_name: null,
            auto_checked_in: false,
          },
        ],
      }),
      list: {
        id: entrance.id,
        name: 'Entrance',
        event: f.event.slug,
        subevent: null,
        include_pending: false,
      },
    });
    const second = await redeem(entrance.id, position.secret);
    expect(second.status).toBe(400);
    expect(second.body).toMatchObject({
      status: 'error',
      reason: 'already_redeemed',
      reason_explanation: null,
    });
    const rows = await f.ctx.runtime.db('checkins').where('position_id', position.id).orderBy('id');
    expect(rows.map((row) => [row.successful, row.error_reason])).toEqual([
      [true, null],
      [false, 'already_redeemed'],
    ]);
    expect((await redeem(entrance.id, position.id, { force: true })).status).toBe(201);
  });

  test('exit, then entry again only when the list allows entry after exit', async () => {
    const strict = await list({ allow_entry_after_exit: false });
    const lenient = await list();
    const paid = await order('p');
    const id = paid.positions[0]!.id;
    for (const l of [strict, lenient]) {
      expect((await redeem(l.id, id)).status).toBe(201);
      expect((await redeem(l.id, id, { type: 'exit' })).status).toBe(201);
    }
    expect((await redeem(strict.id, id)).body.reason).toBe('already_redeemed');
    expect((await redeem(lenient.id, id)).status).toBe(201);
  });

  test('allow_multiple_entries lets a ticket in again and again', async () => {
    const open = await list({ allow_multiple_entries: true });
    const id = (await order('p')).positions[0]!.id;
    for (let i = 0; i < 3; i++) expect((await redeem(open.id, id)).status).toBe(201);
  });

  test('pending orders need ignore_unpaid on a list that includes pending', async () => {
    const paidOnly = await list();
    const withPending = await list({ include_pending: true });
    const id = (await order('n')).positions[0]!.id;
    expect((await redeem(paidOnly.id, id, { ignore_unpaid: true })).body.reason).toBe('unpaid');
    expect((await redeem(withPending.id, id)).body.reason).toBe('unpaid');
    expect((await redeem(withPending.id, id, { ignore_unpaid: true })).status).toBe(201);
  });

  test('canceled orders, products not on the list and tickets outside their validity are refused', async () => {
    const entrance = await list();
    const mugsOnly = await list({ all_products: false, limit_products: [merch.id] });
    const canceled = await order('p');
    await f.call('post', `/orders/${canceled.code}/mark_canceled/`);
    expect((await redeem(entrance.id, canceled.positions[0]!.id)).body.reason).toBe('canceled');
    const paid = await order('p');
    expect((await redeem(mugsOnly.id, paid.positions[0]!.id)).body.reason).toBe('product');
    const future = await order('p', [ticket.id], {});
    await f.ctx.runtime
      .db('order_positions')
      .where('id', future.positions[0]!.id)
      .update({ valid_from: new Date(Date.now() + 86_400_000) });
    expect((await redeem(entrance.id, future.positions[0]!.id)).body.reason).toBe('invalid_time');
  });

  test('an unknown ticket answers 404 invalid, an unknown list 404', async () => {
    const entrance = await list();
    const res = await redeem(entrance.id, 'doesnotexist');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ status: 'error', reason: 'invalid' });
    expect((await redeem(999999999, 'x')).status).toBe(404);
  });
});

describe('permissions', () => {
  test('redeem needs can_checkin_orders; lists are read with view or check-in permission', async () => {
    const entrance = await list();
    const id = (await order('p')).positions[0]!.id;
    const viewer = await f.tokenWith(['can_view_orders', 'can_change_orders']);
    const scanner = await f.tokenWith(['can_checkin_orders']);
    const nobody = await f.tokenWith(['can_change_items']);
    const denied = await redeem(entrance.id, id, {}, viewer);
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual(DENIED);
    expect((await redeem(entrance.id, id, {}, scanner)).status).toBe(201);

    expect((await f.call('get', '/checkinlists/', undefined, scanner)).status).toBe(200);
    expect((await f.call('get', '/checkinlists/', undefined, viewer)).status).toBe(200);
    expect((await f.call('get', '/checkinlists/', undefined, nobody)).body).toEqual(DENIED);
    expect((await f.call('post', '/checkinlists/', { name: 'x' }, scanner)).status).toBe(403);
    expect(
      (
        await f.call(
          'post',
          '/checkinlists/',
          { name: 'x' },
          await f.tokenWith(['can_change_event_settings']),
        )
      ).status,
    ).toBe(201);

    const foreign = await f.foreign();
    expect((await redeem(entrance.id, id, {}, foreign)).body).toEqual(DENIED);
    expect((await f.call('get', '/checkinlists/', undefined, foreign)).status).toBe(403);
  });
});
