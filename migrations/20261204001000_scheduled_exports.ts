import type { Knex } from 'knex';

/**
 * Scheduled exports (event and organizer level in one table, as the API treats them alike) and the history of
 * their runs. A run row is keyed by (schedule, slot): two schedulers that both see a schedule due can insert
 * its slot only once, which is what makes a run go out exactly once.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('scheduled_exports', (t) => {
    t.bigIncrements('id');
    t.string('level', 10).notNullable(); // event | organizer
    t.bigInteger('organizer_id').notNullable().references('organizers.id').onDelete('CASCADE');
    t.bigInteger('event_id').references('events.id').onDelete('CASCADE');
    // A user who owns schedules cannot be deleted (pretix: PROTECT); deactivating them stops the runs instead.
    t.bigInteger('owner_id').notNullable().references('users.id').onDelete('RESTRICT').index();
    t.string('export_identifier', 190).notNullable();
    t.jsonb('export_form_data').notNullable().defaultTo('{}');
    t.string('locale', 250).notNullable().defaultTo('en');
    t.text('mail_additional_recipients').notNullable().defaultTo('');
    t.text('mail_additional_recipients_cc').notNullable().defaultTo('');
    t.text('mail_additional_recipients_bcc').notNullable().defaultTo('');
    t.string('mail_subject', 250).notNullable();
    t.text('mail_template').notNullable();
    t.text('schedule_rrule').notNullable();
    t.time('schedule_rrule_time').notNullable();
    // Organizer level only; an event-level schedule follows its event's time zone.
    t.string('timezone', 100);
    t.timestamp('schedule_next_run', { useTz: true });
    t.integer('error_counter').notNullable().defaultTo(0);
    t.text('error_last_message');
    // The deployment's QUEUE_PREFIX: its scheduler only ticks its own schedules (installations or test runs
    // sharing one database never run each other's schedules), as the exports table does for runs.
    t.string('queue_prefix', 100).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['organizer_id', 'event_id']);
  });
  await knex.raw(`
    ALTER TABLE scheduled_exports
      ADD CONSTRAINT scheduled_exports_level_check CHECK (
        (level = 'event' AND event_id IS NOT NULL AND timezone IS NULL)
        OR (level = 'organizer' AND event_id IS NULL AND timezone IS NOT NULL))`);
  // What the scheduler tick scans every minute: due schedules that have not failed five times in a row.
  await knex.raw(
    'CREATE INDEX scheduled_exports_due ON scheduled_exports (queue_prefix, schedule_next_run) WHERE error_counter < 5',
  );

  await knex.schema.createTable('scheduled_export_runs', (t) => {
    t.bigIncrements('id');
    t.bigInteger('schedule_id').notNullable().references('scheduled_exports.id').onDelete('CASCADE');
    // The slot this run is for: the schedule_next_run that was due when the tick picked it up.
    t.timestamp('scheduled_for', { useTz: true }).notNullable();
    // The export run that produces the file (exports.id); the export row may expire before the history does.
    t.uuid('export_id').references('exports.id').onDelete('SET NULL').unique();
    // null while pending; sent | failed | no_data | owner_inactive once decided.
    t.string('outcome', 20);
    t.text('message');
    // attachment | link (the file was above SCHEDULED_EXPORT_ATTACH_MAX)
    t.string('delivery', 10);
    t.jsonb('recipients');
    t.bigInteger('file_size');
    t.string('file_name', 255);
    // SHA-256 of the secret in the download link of a large result; the secret itself is only in the mail.
    t.string('link_token_hash', 64).unique();
    t.timestamp('link_expires_at', { useTz: true });
    // A delivery in progress (claimed by one hook call); a stale claim is taken over after a crash.
    t.timestamp('delivery_claimed_at', { useTz: true });
    t.integer('delivery_attempts').notNullable().defaultTo(0);
    t.string('mail_message_id', 255);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('started_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    t.unique(['schedule_id', 'scheduled_for']);
  });
  await knex.raw(`
    ALTER TABLE scheduled_export_runs
      ADD CONSTRAINT scheduled_export_runs_outcome_check
      CHECK (outcome IS NULL OR outcome IN ('sent', 'failed', 'no_data', 'owner_inactive'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('scheduled_export_runs');
  await knex.schema.dropTable('scheduled_exports');
}
