import type { Knex } from 'knex';

/**
 * The exports table becomes the table of every run the engine executes: an export requested over HTTP, a
 * scheduled export, a shredder's export and the shred step. `kind` says which feature a run belongs to (each
 * completion hook picks its own); `notified_at` records that every completion hook has run, so hooks are
 * called again after a crash until they all succeed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('exports', (t) => {
    t.string('kind', 30).notNullable().defaultTo('export');
    t.timestamp('notified_at', { useTz: true });
  });
  await knex.raw(
    "ALTER TABLE exports ADD CONSTRAINT exports_kind_check CHECK (kind IN ('export', 'scheduled_export', 'shred_export', 'shred'))",
  );
  // Runs finished before hooks existed have nothing left to notify.
  await knex('exports')
    .whereIn('status', ['done', 'failed'])
    .update({ notified_at: knex.ref('finished_at') });
  await knex.raw(
    "CREATE INDEX exports_unnotified ON exports (queue_prefix) WHERE notified_at IS NULL AND status IN ('done', 'failed')",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX exports_unnotified');
  await knex.raw('ALTER TABLE exports DROP CONSTRAINT exports_kind_check');
  await knex.schema.alterTable('exports', (t) => {
    t.dropColumn('notified_at');
    t.dropColumn('kind');
  });
}
