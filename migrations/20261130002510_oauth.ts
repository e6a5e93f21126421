import type { Knex } from 'knex';

/**
 * OAuth2 provider ("Connect with tixport"). Every secret (client secret, code, access and refresh token, page
 * session) is stored as the SHA-256 of a high-entropy random string, so a leaked table grants nothing.
 * A grant is one consent: user, application, scope and the organizers ticked. Its code, access tokens and
 * refresh tokens hang off it, so refreshing keeps the organizers and revoking the grant ends everything.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('oauth_applications', (t) => {
    t.bigIncrements('id');
    t.string('name', 255).notNullable();
    t.string('client_id', 100).notNullable().unique();
    t.string('client_secret_hash', 64).nullable();
    t.string('client_type', 20).notNullable().defaultTo('confidential');
    t.specificType('redirect_uris', 'text[]').notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    "ALTER TABLE oauth_applications ADD CONSTRAINT oauth_applications_client_type CHECK (client_type IN ('confidential', 'public'))",
  );

  await knex.schema.createTable('oauth_grants', (t) => {
    t.bigIncrements('id');
    t.bigInteger('application_id').notNullable().references('oauth_applications.id').onDelete('CASCADE');
    t.bigInteger('user_id').notNullable().references('users.id').onDelete('CASCADE').index();
    t.string('scope', 100).notNullable();
    t.string('redirect_uri', 2500).notNullable();
    t.string('code_hash', 64).notNullable().unique();
    t.timestamp('code_expires_at', { useTz: true }).notNullable();
    t.string('code_challenge', 128).nullable();
    t.string('code_challenge_method', 10).nullable();
    t.timestamp('code_used_at', { useTz: true }).nullable();
    t.timestamp('revoked_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('oauth_grant_organizers', (t) => {
    t.bigInteger('grant_id').notNullable().references('oauth_grants.id').onDelete('CASCADE');
    t.bigInteger('organizer_id').notNullable().references('organizers.id').onDelete('CASCADE').index();
    t.primary(['grant_id', 'organizer_id']);
  });

  await knex.schema.createTable('oauth_access_tokens', (t) => {
    t.bigIncrements('id');
    t.bigInteger('grant_id').notNullable().references('oauth_grants.id').onDelete('CASCADE').index();
    t.string('token_hash', 64).notNullable().unique();
    t.string('scope', 100).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('oauth_refresh_tokens', (t) => {
    t.bigIncrements('id');
    t.bigInteger('grant_id').notNullable().references('oauth_grants.id').onDelete('CASCADE').index();
    t.string('token_hash', 64).notNullable().unique();
    t.string('scope', 100).notNullable();
    t.bigInteger('access_token_id').nullable().references('oauth_access_tokens.id').onDelete('SET NULL');
    t.timestamp('revoked_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // Browser sessions of the login and consent pages only; the API itself never reads them.
  await knex.schema.createTable('oauth_page_sessions', (t) => {
    t.bigIncrements('id');
    t.string('token_hash', 64).notNullable().unique();
    t.bigInteger('user_id').notNullable().references('users.id').onDelete('CASCADE').index();
    t.timestamp('expires_at', { useTz: true }).notNullable().index();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('oauth_page_sessions');
  await knex.schema.dropTable('oauth_refresh_tokens');
  await knex.schema.dropTable('oauth_access_tokens');
  await knex.schema.dropTable('oauth_grant_organizers');
  await knex.schema.dropTable('oauth_grants');
  await knex.schema.dropTable('oauth_applications');
}
