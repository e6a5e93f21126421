import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.bigIncrements('id');
    t.string('email', 190).notNullable();
    t.text('password_hash').notNullable();
    t.string('fullname', 255).notNullable().defaultTo('');
    t.string('locale', 50).notNullable().defaultTo('en');
    t.string('timezone', 100).notNullable().defaultTo('UTC');
    t.boolean('is_active').notNullable().defaultTo(true);
    t.boolean('is_staff').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // Emails are compared case-insensitively, as people type them.
  await knex.raw('CREATE UNIQUE INDEX users_email_unique ON users (lower(email))');

  await knex.schema.createTable('organizers', (t) => {
    t.bigIncrements('id');
    t.string('slug', 50).notNullable();
    t.string('name', 200).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE UNIQUE INDEX organizers_slug_unique ON organizers (lower(slug))');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('organizers');
  await knex.schema.dropTable('users');
}
