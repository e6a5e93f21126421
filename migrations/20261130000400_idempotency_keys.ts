import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('idempotency_keys', (t) => {
    // SHA-1 of the Authorization header, as pretix scopes keys to the credentials that sent them.
    t.string('auth_hash', 40).notNullable();
    t.string('key', 190).notNullable();
    t.boolean('locked').notNullable().defaultTo(true);
    t.integer('response_status');
    t.jsonb('response_headers');
    t.binary('response_body');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now()).index();
    t.primary(['auth_hash', 'key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('idempotency_keys');
}
