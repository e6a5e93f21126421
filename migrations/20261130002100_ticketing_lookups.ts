import type { Knex } from 'knex';

/**
 * Lookups the ticketing API makes that the base schema does not index: orders by email (case-insensitive
 * filter), tickets by secret (check-in redeem), a position's check-ins on one list (entry rules), and the
 * waiting list in creation order.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX orders_event_email_lower ON orders (event_id, lower(email))');
  await knex.raw('CREATE INDEX order_positions_secret ON order_positions (secret)');
  await knex.raw('CREATE INDEX checkins_position_list ON checkins (position_id, list_id, datetime)');
  await knex.raw(
    'CREATE INDEX waiting_list_entries_event_created ON waiting_list_entries (event_id, created)',
  );
}

export async function down(knex: Knex): Promise<void> {
  for (const index of [
    'waiting_list_entries_event_created',
    'checkins_position_list',
    'order_positions_secret',
    'orders_event_email_lower',
  ]) {
    await knex.raw(`DROP INDEX IF EXISTS ${index}`);
  }
}
