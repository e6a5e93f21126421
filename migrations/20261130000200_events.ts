import type { Knex } from 'knex';

/** The minimal events table; the events resource extends it in later migrations. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('events', (t) => {
    t.bigIncrements('id');
    t.bigInteger('organizer_id').notNullable().references('organizers.id').onDelete('CASCADE');
    t.string('slug', 50).notNullable();
    t.jsonb('name').notNullable();
    t.string('currency', 10).notNullable().defaultTo('EUR');
    t.timestamp('date_from', { useTz: true }).notNullable();
    t.timestamp('date_to', { useTz: true });
    t.string('timezone', 100).notNullable().defaultTo('UTC');
    t.boolean('live').notNullable().defaultTo(false);
    t.boolean('testmode').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE UNIQUE INDEX events_organizer_slug_unique ON events (organizer_id, lower(slug))');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('events');
}
