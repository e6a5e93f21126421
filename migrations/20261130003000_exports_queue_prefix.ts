import type { Knex } from 'knex';

/**
 * The BullMQ prefix an export was enqueued under. Several installations (and test runs) may share one database
 * with separate queues; a worker's reconciler must re-enqueue only the exports of its own queue.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('exports', (t) => {
    t.string('queue_prefix', 190).notNullable().defaultTo('tixport');
  });
  await knex.raw(
    "CREATE INDEX exports_active_by_queue ON exports (queue_prefix) WHERE status IN ('waiting', 'running')",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX exports_active_by_queue');
  await knex.schema.alterTable('exports', (t) => {
    t.dropColumn('queue_prefix');
  });
}
