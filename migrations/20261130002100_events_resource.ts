import type { Knex } from 'knex';

/**
 * The full pretix event resource on top of the minimal events table: the remaining event columns, organizer
 * meta properties with per-event values, item meta properties, and the two settings stores (event and
 * organizer level). Every new events column has a default or is nullable, so older inserts keep working.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.timestamp('date_admission', { useTz: true });
    t.boolean('is_public').notNullable().defaultTo(true);
    t.timestamp('presale_start', { useTz: true });
    t.timestamp('presale_end', { useTz: true });
    t.jsonb('location');
    t.double('geo_lat');
    t.double('geo_lon');
    t.boolean('has_subevents').notNullable().defaultTo(false);
    t.specificType('plugins', 'text[]').notNullable().defaultTo('{}');
    t.boolean('all_sales_channels').notNullable().defaultTo(true);
    t.specificType('limit_sales_channels', 'text[]').notNullable().defaultTo('{}');
  });

  await knex.schema.createTable('event_meta_properties', (t) => {
    t.bigIncrements('id');
    t.bigInteger('organizer_id').notNullable().references('organizers.id').onDelete('CASCADE');
    t.string('name', 50).notNullable();
    t.text('default').notNullable().defaultTo('');
    t.boolean('required').notNullable().defaultTo(false);
    // null = any value; otherwise the list of allowed values
    t.jsonb('allowed_values');
    t.boolean('protected').notNullable().defaultTo(false);
    t.boolean('filter_allowed').notNullable().defaultTo(true);
    t.unique(['organizer_id', 'name']);
  });

  await knex.schema.createTable('event_meta_values', (t) => {
    t.bigInteger('event_id').notNullable().references('events.id').onDelete('CASCADE');
    t.bigInteger('property_id')
      .notNullable()
      .references('event_meta_properties.id')
      .onDelete('CASCADE')
      .index();
    t.text('value').notNullable();
    t.primary(['event_id', 'property_id']);
  });

  await knex.schema.createTable('item_meta_properties', (t) => {
    t.bigIncrements('id');
    t.bigInteger('event_id').notNullable().references('events.id').onDelete('CASCADE');
    t.string('name', 50).notNullable();
    t.text('default').notNullable().defaultTo('');
    t.unique(['event_id', 'name']);
  });

  await knex.schema.createTable('organizer_settings', (t) => {
    t.bigInteger('organizer_id').notNullable().references('organizers.id').onDelete('CASCADE');
    t.string('key', 190).notNullable();
    t.jsonb('value').notNullable();
    t.primary(['organizer_id', 'key']);
  });

  await knex.schema.createTable('event_settings', (t) => {
    t.bigInteger('event_id').notNullable().references('events.id').onDelete('CASCADE');
    t.string('key', 190).notNullable();
    t.jsonb('value').notNullable();
    t.primary(['event_id', 'key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('event_settings');
  await knex.schema.dropTable('organizer_settings');
  await knex.schema.dropTable('item_meta_properties');
  await knex.schema.dropTable('event_meta_values');
  await knex.schema.dropTable('event_meta_properties');
  await knex.schema.alterTable('events', (t) => {
    for (const column of [
      'date_admission',
      'is_public',
      'presale_start',
      'presale_end',
      'location',
      'geo_lat',
      'geo_lon',
      'has_subevents',
      'plugins',
      'all_sales_channels',
      'limit_sales_channels',
    ])
      t.dropColumn(column);
  });
}
