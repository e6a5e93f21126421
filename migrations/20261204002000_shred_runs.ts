import type { Knex } from 'knex';

/**
 * The audit log of data shredder runs: one row per `POST …/shredders/export/`, following it through the shred.
 * It outlives the two runs it points at (their rows and the ZIP expire after 2 h): who started it, when, with
 * which shredders, what was counted and erased, and how it ended stay answerable.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('shred_runs', (t) => {
    t.uuid('id').primary();
    t.bigInteger('organizer_id').notNullable().references('organizers.id').onDelete('CASCADE');
    t.bigInteger('event_id').notNullable().references('events.id').onDelete('CASCADE');
    // The exact credential (Principal.key) that started the export; every shredder URL is bound to it.
    t.string('principal_key', 190).notNullable();
    t.specificType('shredders', 'text[]').notNullable();
    // The two runs of the run engine (exports table), referenced by id only: those rows expire, this one stays.
    t.uuid('export_run_id').notNullable().unique();
    t.uuid('export_job_id').notNullable();
    t.uuid('shred_run_id').unique();
    t.uuid('shred_job_id');
    t.string('confirm_code', 16).notNullable();
    // exporting → exported → shredding → shredded; export_failed and failed end it.
    t.string('status', 20).notNullable().defaultTo('exporting');
    t.text('message');
    // A digest of the event's personal data, taken in the export's snapshot; the shred refuses when it differs.
    t.string('fingerprint', 64);
    // Per shredder: what the export held and what the shred erased ({identifier: {export, erase}}).
    t.jsonb('exported_counts');
    t.jsonb('erased_counts');
    // Stored files (uploaded answers) to delete once the shred has committed; emptied when they are gone.
    t.specificType('pending_file_keys', 'text[]').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('exported_at', { useTz: true });
    t.timestamp('shred_requested_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    t.index(['event_id', 'created_at']);
  });
  await knex.raw(
    `ALTER TABLE shred_runs ADD CONSTRAINT shred_runs_status_check CHECK (status IN
      ('exporting', 'exported', 'export_failed', 'shredding', 'shredded', 'failed'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('shred_runs');
}
