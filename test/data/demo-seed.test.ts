import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { makeTeamWithToken, uniqueSlug } from '../support/factories';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

/** Runs the real CLI, as a user would, against the test run's database. */
async function cli(...args: string[]): Promise<{ json: Record<string, unknown>; stderr: string }> {
  const { stdout, stderr } = await run(
    path.join(root, 'node_modules/.bin/tsx'),
    ['src/main/cli.ts', ...args],
    {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'warn', SITE_URL: 'http://tixport.test' },
    },
  );
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return { json: JSON.parse(lines[0]!) as Record<string, unknown>, stderr };
}

let ctx: TestContext;
beforeAll(() => {
  ctx = createTestContext();
});
afterAll(() => ctx.close());
jest.setTimeout(180_000);

/** Everything demo:seed wrote for one event, without database ids, in a stable order. */
async function contentOf(eventSlug: string, organizerSlug: string) {
  const db = ctx.runtime.db;
  const event = await db('events')
    .join('organizers', 'organizers.id', 'events.organizer_id')
    .where({ 'events.slug': eventSlug, 'organizers.slug': organizerSlug })
    .first('events.id');
  const q = (sql: string) => db.raw(sql, { event: event.id }).then((r: { rows: unknown[] }) => r.rows);
  return {
    orders:
      await q(`SELECT code, status, secret, email, phone, locale, datetime, expires, total, comment, sales_channel,
                            checkin_attention, customer_reference, payment_provider
                       FROM orders WHERE event_id = :event ORDER BY code`),
    positions:
      await q(`SELECT o.code, p.positionid, i.name AS item, v.value AS variation, p.price, p.tax_value,
                               p.attendee_name_cached, p.attendee_name_parts, p.attendee_email, p.city, p.secret,
                               p.pseudonymization_id, a.positionid AS addon_to, p.canceled
                          FROM order_positions p JOIN orders o ON o.id = p.order_id JOIN items i ON i.id = p.item_id
                          LEFT JOIN item_variations v ON v.id = p.variation_id
                          LEFT JOIN order_positions a ON a.id = p.addon_to_id
                         WHERE o.event_id = :event ORDER BY o.code, p.positionid`),
    answers: await q(`SELECT o.code, p.positionid, qu.identifier, qa.answer, qa.file_key,
                             array(SELECT qo.identifier FROM question_answer_options x
                                     JOIN question_options qo ON qo.id = x.option_id
                                    WHERE x.answer_id = qa.id ORDER BY qo.identifier) AS options
                        FROM question_answers qa JOIN questions qu ON qu.id = qa.question_id
                        JOIN order_positions p ON p.id = qa.orderposition_id JOIN orders o ON o.id = p.order_id
                       WHERE o.event_id = :event ORDER BY o.code, p.positionid, qu.identifier`),
    fees: await q(`SELECT o.code, f.fee_type, f.value FROM order_fees f JOIN orders o ON o.id = f.order_id
                    WHERE o.event_id = :event ORDER BY o.code, f.fee_type`),
    invoices: await q(`SELECT o.code, ia.company, ia.name_cached, ia.street, ia.city, ia.country, ia.vat_id
                         FROM invoice_addresses ia JOIN orders o ON o.id = ia.order_id
                        WHERE o.event_id = :event ORDER BY o.code`),
    payments: await q(`SELECT o.code, pa.provider, pa.state, pa.amount, pa.payment_date FROM order_payments pa
                         JOIN orders o ON o.id = pa.order_id WHERE o.event_id = :event ORDER BY o.code`),
    refunds: await q(`SELECT o.code, r.state, r.amount FROM order_refunds r JOIN orders o ON o.id = r.order_id
                       WHERE o.event_id = :event ORDER BY o.code`),
    checkins: await q(`SELECT o.code, p.positionid, c.datetime, c.type, c.successful FROM checkins c
                         JOIN order_positions p ON p.id = c.position_id JOIN orders o ON o.id = p.order_id
                        WHERE o.event_id = :event ORDER BY o.code, p.positionid, c.datetime`),
    waiting: await q(`SELECT email, name_cached, created, voucher_code FROM waiting_list_entries
                       WHERE event_id = :event ORDER BY email, created`),
  };
}

describe('demo:seed', () => {
  const organizer = uniqueSlug('seed');

  test('creates organizer, event and exactly the requested orders, with all related data', async () => {
    const { json, stderr } = await cli(
      'demo:seed',
      '--organizer',
      organizer,
      '--event',
      'one',
      '--orders',
      '40',
      '--seed',
      '42',
    );
    expect(json).toMatchObject({
      organizer,
      event: 'one',
      seed: 42,
      orders: 40,
      items: 5,
      questions: 13,
      quotas: 5,
    });
    expect(stderr).toContain('demo:seed 100% 40/40 orders');

    const content = await contentOf('one', organizer);
    expect(content.orders).toHaveLength(40);
    expect(content.positions).toHaveLength(json.positions as number);
    expect(content.answers).toHaveLength(json.answers as number);
    expect(content.payments).toHaveLength(40);
    expect(content.invoices).toHaveLength(json.invoice_addresses as number);
    expect(content.checkins).toHaveLength(json.checkins as number);
    expect(content.waiting).toHaveLength(json.waiting_list_entries as number);
    const perOrder = new Map<string, number>();
    for (const position of content.positions as { code: string }[])
      perOrder.set(position.code, (perOrder.get(position.code) ?? 0) + 1);
    expect([...perOrder.values()].every((n) => n >= 1 && n <= 4)).toBe(true);

    const db = ctx.runtime.db;
    const event = await db('events')
      .where({ slug: 'one' })
      .whereIn('organizer_id', db('organizers').where('slug', organizer).select('id'))
      .first();
    const types = await db('questions').where('event_id', event.id).orderBy('type').pluck('type');
    expect(types.sort()).toEqual(['B', 'C', 'CC', 'D', 'EMAIL', 'F', 'H', 'M', 'N', 'S', 'T', 'TEL', 'W']);

    // The seeded data reads back through the API like any other order.
    const organizerRow = await db('organizers').where('slug', organizer).first();
    const { authorization } = await makeTeamWithToken(db, organizerRow.id, { permissions: 'all' });
    const orders = await request(ctx.app)
      .get(`/api/v1/organizers/${organizer}/events/one/orders/?page_size=5`)
      .set('Authorization', authorization);
    expect(orders.status).toBe(200);
    expect(orders.body.count).toBe(40);
    expect(orders.body.results[0].positions.length).toBeGreaterThan(0);
  });

  test('the same seed gives the same data (in a fresh organizer); another seed gives other data', async () => {
    const fresh = uniqueSlug('seed');
    await cli('demo:seed', '--organizer', fresh, '--event', 'two', '--orders', '40', '--seed', '42');
    await cli('demo:seed', '--organizer', organizer, '--event', 'three', '--orders', '40', '--seed', '43');
    const one = await contentOf('one', organizer);
    const two = await contentOf('two', fresh);
    const three = await contentOf('three', organizer);
    expect(two).toEqual(one);
    expect(three.orders).not.toEqual(one.orders);
  });

  test("order codes are unique across one organizer's events, even for the same seed (as in pretix)", async () => {
    await cli('demo:seed', '--organizer', organizer, '--event', 'four', '--orders', '40', '--seed', '42');
    const codes: string[] = await ctx.runtime
      .db('orders')
      .join('events', 'events.id', 'orders.event_id')
      .join('organizers', 'organizers.id', 'events.organizer_id')
      .where('organizers.slug', organizer)
      .pluck('orders.code');
    expect(codes).toHaveLength(120);
    expect(new Set(codes).size).toBe(120);
  });

  test('refuses an event that already has products', async () => {
    await expect(
      cli('demo:seed', '--organizer', organizer, '--event', 'one', '--orders', '1'),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('This event already has products') });
  });
});

describe('npm run demo', () => {
  test('prints a working token and three curl lines; a second run only adds a token', async () => {
    const first = (await cli('demo')).json;
    expect(first).toMatchObject({ organizer: 'demo', event: 'democon', user: 'demo@example.org' });
    expect(first.seeded).toMatchObject({ orders: 1000 });
    const curl = first.curl as string[];
    expect(curl).toHaveLength(3);
    const api = 'http://tixport.test/api/v1/organizers/demo/events/democon';
    expect(curl).toEqual([
      `curl -H "Authorization: Token ${String(first.token)}" "${api}/orders/?status=p"`,
      `curl -H "Authorization: Token ${String(first.token)}" "${api}/quotas/"`,
      `curl -H "Authorization: Token ${String(first.token)}" "${api}/checkinlists/"`,
    ]);
    const orders = await request(ctx.app)
      .get('/api/v1/organizers/demo/events/democon/orders/')
      .set('Authorization', `Token ${String(first.token)}`);
    expect(orders.status).toBe(200);
    expect(orders.body.count).toBe(1000);

    const second = (await cli('demo')).json;
    expect(second.seeded).toBeNull();
    expect(second.token).not.toBe(first.token);
  });
});
