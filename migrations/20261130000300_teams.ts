import type { Knex } from 'knex';

export const TEAM_PERMISSION_FLAGS = [
  'can_create_events',
  'can_change_teams',
  'can_change_organizer_settings',
  'can_manage_customers',
  'can_manage_reusable_media',
  'can_manage_gift_cards',
  'can_change_event_settings',
  'can_change_items',
  'can_view_orders',
  'can_change_orders',
  'can_checkin_orders',
  'can_view_vouchers',
  'can_change_vouchers',
] as const;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('teams', (t) => {
    t.bigIncrements('id');
    t.bigInteger('organizer_id').notNullable().references('organizers.id').onDelete('CASCADE').index();
    t.string('name', 190).notNullable();
    t.boolean('all_events').notNullable().defaultTo(false);
    t.boolean('require_2fa').notNullable().defaultTo(false);
    for (const flag of TEAM_PERMISSION_FLAGS) t.boolean(flag).notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('team_limit_events', (t) => {
    t.bigInteger('team_id').notNullable().references('teams.id').onDelete('CASCADE');
    t.bigInteger('event_id').notNullable().references('events.id').onDelete('CASCADE').index();
    t.primary(['team_id', 'event_id']);
  });

  await knex.schema.createTable('team_members', (t) => {
    t.bigInteger('team_id').notNullable().references('teams.id').onDelete('CASCADE');
    t.bigInteger('user_id').notNullable().references('users.id').onDelete('CASCADE').index();
    t.primary(['team_id', 'user_id']);
  });

  await knex.schema.createTable('team_api_tokens', (t) => {
    t.bigIncrements('id');
    t.bigInteger('team_id').notNullable().references('teams.id').onDelete('CASCADE').index();
    t.string('name', 190).notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    // SHA-256 of the secret: the secret has 64 random characters, so a fast hash is enough and lookups stay O(1).
    t.string('token_hash', 64).notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('team_api_tokens');
  await knex.schema.dropTable('team_members');
  await knex.schema.dropTable('team_limit_events');
  await knex.schema.dropTable('teams');
}
