import { quotalist } from '../../../src/modules/exports/exporters/quotalist';
import { makeEvent, makeOrganizer } from '../../support/factories';
import { useExportHarness } from './support';

const database = useExportHarness();
let event: { id: number; slug: string };

beforeAll(async () => {
  const { db, seed } = database;
  const organizer = await makeOrganizer(db);
  event = await makeEvent(db, organizer.id);
  const other = await makeEvent(db, organizer.id);
  const ticket = await seed.item(event.id, { en: 'Ticket' });
  const shirt = await seed.item(event.id, { en: 'Shirt' });
  const small = await seed.variation(shirt.id, { en: 'S' });
  const large = await seed.variation(shirt.id, { en: 'L' });

  await seed.quota(event.id, 'Tickets', 10, [ticket.id]);
  await seed.quota(event.id, 'Small shirts', 2, [shirt.id], [small.id]);
  await seed.quota(event.id, 'Anything goes', null, [ticket.id, shirt.id], [small.id, large.id]);
  await seed.quota(other.id, 'Other event', 5, []);

  const paid = await seed.order(event.id, { status: 'p' });
  await seed.position(paid.id, ticket.id, 1);
  await seed.position(paid.id, ticket.id, 2);
  await seed.position(paid.id, ticket.id, 3, { canceled: true });
  await seed.position(paid.id, shirt.id, 4, { variation_id: small.id });
  await seed.position(paid.id, shirt.id, 5, { variation_id: large.id });
  const pending = await seed.order(event.id, { status: 'n' });
  await seed.position(pending.id, ticket.id, 1);
  await seed.position(pending.id, shirt.id, 2, { variation_id: small.id });
  await seed.position(pending.id, shirt.id, 3, { variation_id: small.id });
  const expired = await seed.order(event.id, { status: 'e' });
  await seed.position(expired.id, ticket.id, 1);
  const canceled = await seed.order(event.id, { status: 'c' });
  await seed.position(canceled.id, ticket.id, 1);

  await seed.waitingListEntry(event.id, ticket.id, { email: 'a@example.org' });
  await seed.waitingListEntry(event.id, ticket.id, { email: 'b@example.org', voucher_code: 'V1' });
  await seed.waitingListEntry(event.id, shirt.id, { email: 'c@example.org', variation_id: small.id });
});

describe('quotalist', () => {
  test('describes pretix inputs: only _format', () => {
    expect(quotalist.describe()).toMatchObject({
      identifier: 'quotalist',
      verbose_name: 'Quota availabilities',
      input_parameters: [
        { name: '_format', required: true, choices: ['xlsx', 'default', 'csv-excel', 'semicolon'] },
      ],
    });
  });

  test('counts paid, pending and waiting-list demand per quota as pretix does, by quota name', async () => {
    const result = await database.run(quotalist, { eventIds: [event.id] });
    expect(result.filename).toBe(`${event.slug}_quotas`);
    expect(result.headers).toEqual([
      'Quota name',
      'Total quota',
      'Paid orders',
      'Pending orders',
      'Blocking vouchers',
      "Current user's carts",
      'Waiting list',
      'Exited orders',
      'Current availability',
    ]);
    expect(result.rows).toEqual([
      // Unlimited: every position of the event counts, availability stays infinite.
      ['Anything goes', 'Infinite', 4, 3, 0, 0, 2, 0, 'Infinite'],
      // Variation quota: only positions with variation S; 1 paid + 2 pending + 1 waiting > 2 → 0 left.
      ['Small shirts', '2', 1, 2, 0, 0, 1, 0, '0'],
      // 2 paid (one cancelled position does not count) + 1 pending + 1 waiting (the other has a voucher).
      ['Tickets', '10', 2, 1, 0, 0, 1, 0, '6'],
    ]);
  });
});
