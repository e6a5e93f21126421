import type { Knex } from 'knex';

/**
 * Export runs. Postgres is the source of truth for their state; Redis only carries the job that points here.
 * Also the SQL helper that neutralises spreadsheet formulas, so CSV rendered by COPY is escaped by Postgres.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('exports', (t) => {
    t.uuid('id').primary();
    // The second id of the download URL (pretix's async task id); both must match.
    t.uuid('job_id').notNullable();
    t.string('level', 10).notNullable(); // event | organizer
    t.bigInteger('organizer_id').notNullable().references('organizers.id').onDelete('CASCADE');
    t.bigInteger('event_id').references('events.id').onDelete('CASCADE');
    t.string('identifier', 100).notNullable();
    t.jsonb('input').notNullable();
    t.specificType('event_ids', 'bigint[]').notNullable();
    // The exact credential that ran it (Principal.key); downloads by anyone else are 404.
    t.string('principal_key', 190).notNullable();
    // The deployment's QUEUE_PREFIX: its reconciler and cleanup only touch their own runs (installations or
    // test runs sharing one database never take over each other's exports or files).
    t.string('queue_prefix', 100).notNullable();
    t.string('status', 10).notNullable().defaultTo('waiting');
    t.double('percentage');
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('message');
    t.string('file_key', 255);
    t.string('file_name', 255);
    t.string('content_type', 190);
    t.bigInteger('file_size');
    t.string('file_sha256', 64);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('started_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['principal_key', 'status']);
    t.index(['queue_prefix', 'status']);
    t.index(['queue_prefix', 'expires_at']);
  });
  await knex.raw(
    "ALTER TABLE exports ADD CONSTRAINT exports_status_check CHECK (status IN ('waiting', 'running', 'done', 'failed'))",
  );
  // Inlined by the planner (single-statement IMMUTABLE SQL functions), so they cost no function call per cell.
  // ascii() of the first character (= + - @ tab CR) is the cheapest test, but the value appears twice, and
  // Postgres does not inline a function that would evaluate a subquery argument twice: columns that are
  // subqueries use the regexp variant, which names its value once.
  await knex.raw(`
    CREATE FUNCTION export_safe_text(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT CASE WHEN ascii(value) IN (61, 43, 45, 64, 9, 13) THEN '''' || value ELSE value END
    $$`);
  await knex.raw(`
    CREATE FUNCTION export_safe_text_rx(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT regexp_replace(value, '^([-=+@\\t\\r])', '''\\1')
    $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION export_safe_text_rx(text)');
  await knex.raw('DROP FUNCTION export_safe_text(text)');
  await knex.schema.dropTable('exports');
}
