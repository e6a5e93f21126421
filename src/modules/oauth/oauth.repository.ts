import type { Knex } from 'knex';
import type { Db } from '../../platform/db';
import { organizerIdsOfMember } from '../teams/teams.repository';

type Executor = Db | Knex.Transaction;

export interface ApplicationRow {
  id: number;
  name: string;
  client_id: string;
  client_secret_hash: string | null;
  client_type: 'confidential' | 'public';
  redirect_uris: string[];
  active: boolean;
}

export interface UserLoginRow {
  id: number;
  email: string;
  password_hash: string;
  is_active: boolean;
}

export interface OrganizerChoice {
  id: number;
  slug: string;
  name: string;
}

/** A grant together with what every token use needs to know about it. */
export interface GrantRow {
  id: number;
  user_id: number;
  scope: string;
  redirect_uri: string;
  code_expires_at: Date;
  code_challenge: string | null;
  code_challenge_method: string | null;
  code_used_at: Date | null;
  client_id: string;
  organizer_ids: (number | string)[];
}

export interface AccessTokenRow {
  id: number;
  grant_id: number;
  user_id: number;
  scope: string;
  expires_at: Date;
  client_id: string;
  organizer_ids: (number | string)[];
}

export interface RefreshTokenRow {
  id: number;
  grant_id: number;
  user_id: number;
  scope: string;
  access_token_id: number | null;
  client_id: string;
  organizer_ids: (number | string)[];
}

/**
 * The conditions under which anything hanging off a grant still counts: grant not revoked, user active,
 * application active. Checked on every use, so deactivating a user or an application takes effect at once.
 */
function liveGrants(db: Executor, alias = 'g'): Knex.QueryBuilder {
  return db({ [alias]: 'oauth_grants' })
    .join('users', 'users.id', `${alias}.user_id`)
    .join('oauth_applications as app', 'app.id', `${alias}.application_id`)
    .whereNull(`${alias}.revoked_at`)
    .where('users.is_active', true)
    .where('app.active', true)
    .select(
      'app.client_id',
      db.raw(
        `coalesce((select array_agg(o.organizer_id order by o.organizer_id) from oauth_grant_organizers o
          where o.grant_id = ${alias}.id), '{}') as organizer_ids`,
      ),
    );
}

export async function insertApplication(
  db: Executor,
  row: Omit<ApplicationRow, 'id' | 'active'>,
): Promise<ApplicationRow> {
  const [created] = await db('oauth_applications').insert(row).returning('*');
  return created as ApplicationRow;
}

export async function findActiveApplication(
  db: Executor,
  clientId: string,
): Promise<ApplicationRow | undefined> {
  return db<ApplicationRow>('oauth_applications').where({ client_id: clientId, active: true }).first();
}

export async function findUserForLogin(db: Executor, email: string): Promise<UserLoginRow | undefined> {
  return db('users')
    .whereRaw('lower(email) = lower(?)', [email])
    .first('id', 'email', 'password_hash', 'is_active');
}

/** Organizers in which the user is a member of at least one team: the consent page's choices. */
export async function organizersOfUser(db: Executor, userId: number): Promise<OrganizerChoice[]> {
  return db('organizers')
    .whereIn('id', organizerIdsOfMember(db, userId))
    .orderBy([{ column: 'name' }, { column: 'slug' }])
    .select('id', 'slug', 'name');
}

export async function insertGrant(
  db: Db,
  grant: {
    application_id: number;
    user_id: number;
    scope: string;
    redirect_uri: string;
    code_hash: string;
    code_expires_at: Date;
    code_challenge: string | null;
    code_challenge_method: string | null;
  },
  organizerIds: readonly number[],
): Promise<number> {
  return db.transaction(async (trx) => {
    const [row] = await trx('oauth_grants').insert(grant).returning('id');
    const grantId = (row as { id: number }).id;
    if (organizerIds.length > 0) {
      await trx('oauth_grant_organizers').insert(
        organizerIds.map((organizerId) => ({ grant_id: grantId, organizer_id: organizerId })),
      );
    }
    return grantId;
  });
}

export async function findGrantByCode(db: Executor, codeHash: string): Promise<GrantRow | undefined> {
  return liveGrants(db)
    .where('g.code_hash', codeHash)
    .first(
      'g.id',
      'g.user_id',
      'g.scope',
      'g.redirect_uri',
      'g.code_expires_at',
      'g.code_challenge',
      'g.code_challenge_method',
      'g.code_used_at',
    );
}

/** Marks the code used; false when it already was (a replay, possibly racing the first exchange). */
export async function markCodeUsed(db: Executor, grantId: number): Promise<boolean> {
  const updated = await db('oauth_grants')
    .where('id', grantId)
    .whereNull('code_used_at')
    .update({ code_used_at: db.fn.now() });
  return updated === 1;
}

/** Ends grants: their access tokens are deleted and their refresh tokens revoked, in one transaction. */
export async function revokeGrants(db: Db, grantIds: readonly number[]): Promise<void> {
  if (grantIds.length === 0) return;
  await db.transaction(async (trx) => {
    await trx('oauth_grants')
      .whereIn('id', grantIds)
      .whereNull('revoked_at')
      .update({ revoked_at: trx.fn.now() });
    await trx('oauth_refresh_tokens')
      .whereIn('grant_id', grantIds)
      .whereNull('revoked_at')
      .update({ revoked_at: trx.fn.now(), access_token_id: null });
    await trx('oauth_access_tokens').whereIn('grant_id', grantIds).delete();
  });
}
export interface NewAccessToken {
  token_hash: string;
  scope: string;
  expires_at: Date;
}

/**
 * Stores the first token pair of a grant. The grant row is locked and re-checked so that a token is never
 * issued for a grant that a concurrent code replay has just revoked.
 */
export async function insertTokenPair(
  db: Db,
  grantId: number,
  access: NewAccessToken,
  refreshHash: string,
): Promise<boolean> {
  return db.transaction(async (trx) => {
    const grant = await trx('oauth_grants').where('id', grantId).forUpdate().first('revoked_at');
    if (!grant || grant.revoked_at !== null) return false;
    const [accessRow] = await trx('oauth_access_tokens')
      .insert({ ...access, grant_id: grantId })
      .returning('id');
    await trx('oauth_refresh_tokens').insert({
      grant_id: grantId,
      token_hash: refreshHash,
      scope: access.scope,
      access_token_id: (accessRow as { id: number }).id,
    });
    return true;
  });
}

/**
 * The refresh grant: the refresh token's previous access token is deleted (its string stops working at once,
 * as in pretix) and the new one takes its place. False when the refresh token was revoked meanwhile.
 */
export async function replaceAccessToken(
  db: Db,
  refreshTokenId: number,
  access: NewAccessToken,
): Promise<boolean> {
  return db.transaction(async (trx) => {
    const refresh = await trx('oauth_refresh_tokens')
      .where('id', refreshTokenId)
      .whereNull('revoked_at')
      .forUpdate()
      .first('grant_id', 'access_token_id');
    if (!refresh) return false;
    if (refresh.access_token_id !== null)
      await trx('oauth_access_tokens').where('id', refresh.access_token_id).delete();
    const [accessRow] = await trx('oauth_access_tokens')
      .insert({ ...access, grant_id: refresh.grant_id })
      .returning('id');
    await trx('oauth_refresh_tokens')
      .where('id', refreshTokenId)
      .update({ access_token_id: (accessRow as { id: number }).id });
    return true;
  });
}

export async function findAccessToken(db: Executor, tokenHash: string): Promise<AccessTokenRow | undefined> {
  return liveGrants(db)
    .join('oauth_access_tokens as t', 't.grant_id', 'g.id')
    .where('t.token_hash', tokenHash)
    .first('t.id', 't.grant_id', 'g.user_id', 't.scope', 't.expires_at');
}

export async function findRefreshToken(
  db: Executor,
  tokenHash: string,
): Promise<RefreshTokenRow | undefined> {
  return liveGrants(db)
    .join('oauth_refresh_tokens as r', 'r.grant_id', 'g.id')
    .where('r.token_hash', tokenHash)
    .whereNull('r.revoked_at')
    .first('r.id', 'r.grant_id', 'g.user_id', 'r.scope', 'r.access_token_id');
}

export async function deleteAccessToken(db: Executor, id: number): Promise<void> {
  await db('oauth_access_tokens').where('id', id).delete();
}

/** Revokes a refresh token and deletes the access token issued with it. */
export async function revokeRefreshToken(db: Db, id: number): Promise<void> {
  await db.transaction(async (trx) => {
    const [row] = await trx('oauth_refresh_tokens')
      .where('id', id)
      .update({ revoked_at: trx.fn.now() })
      .returning('access_token_id');
    const accessTokenId = (row as { access_token_id: number | null } | undefined)?.access_token_id;
    if (accessTokenId) {
      await trx('oauth_refresh_tokens').where('id', id).update({ access_token_id: null });
      await trx('oauth_access_tokens').where('id', accessTokenId).delete();
    }
  });
}

/** True when the user already holds an unexpired access token of this application covering the scope. */
export async function hasLiveTokenWithScope(
  db: Executor,
  userId: number,
  applicationId: number,
  scope: string,
): Promise<boolean> {
  const row = await db('oauth_access_tokens as t')
    .join('oauth_grants as g', 'g.id', 't.grant_id')
    .where({ 'g.user_id': userId, 'g.application_id': applicationId })
    .whereNull('g.revoked_at')
    .where('t.expires_at', '>', db.fn.now())
    .whereRaw("? = any(string_to_array(t.scope, ' '))", [scope])
    .first('t.id');
  return row !== undefined;
}

export async function insertPageSession(
  db: Executor,
  row: { token_hash: string; user_id: number; expires_at: Date },
): Promise<void> {
  // Expired sessions are swept whenever someone logs in; the table stays as small as the active logins.
  await db('oauth_page_sessions').where('expires_at', '<', db.fn.now()).delete();
  await db('oauth_page_sessions').insert(row);
}

export async function findPageSessionUser(
  db: Executor,
  tokenHash: string,
): Promise<{ id: number; email: string; fullname: string } | undefined> {
  return db('oauth_page_sessions as s')
    .join('users', 'users.id', 's.user_id')
    .where('s.token_hash', tokenHash)
    .where('s.expires_at', '>', db.fn.now())
    .where('users.is_active', true)
    .first('users.id', 'users.email', 'users.fullname');
}

export async function deletePageSession(db: Executor, tokenHash: string): Promise<void> {
  await db('oauth_page_sessions').where('token_hash', tokenHash).delete();
}

export async function deletePageSessionsOfUser(db: Executor, userId: number): Promise<void> {
  await db('oauth_page_sessions').where('user_id', userId).delete();
}

export interface ConnectedGrantRow {
  id: number;
  application_id: number;
  name: string;
  scope: string;
  created_at: Date;
  organizer_names: string[];
}

/** The user's grants that still hold a usable refresh token, with their application and organizers. */
export async function connectedGrants(db: Executor, userId: number): Promise<ConnectedGrantRow[]> {
  return db('oauth_grants as g')
    .join('oauth_applications as app', 'app.id', 'g.application_id')
    .where('g.user_id', userId)
    .whereNull('g.revoked_at')
    .whereExists(db('oauth_refresh_tokens as r').whereRaw('r.grant_id = g.id').whereNull('r.revoked_at'))
    .orderBy([{ column: 'app.name' }, { column: 'g.id' }])
    .select(
      'g.id',
      'g.application_id',
      'app.name',
      'g.scope',
      'g.created_at',
      db.raw(
        `array(select o.name from oauth_grant_organizers go join organizers o on o.id = go.organizer_id
          where go.grant_id = g.id order by o.name) as organizer_names`,
      ),
    );
}

/** Disconnects an application from a user: every grant between them is revoked with its tokens. */
export async function revokeApplicationForUser(db: Db, userId: number, applicationId: number): Promise<void> {
  const grantIds: number[] = await db('oauth_grants')
    .where({ user_id: userId, application_id: applicationId })
    .whereNull('revoked_at')
    .pluck('id');
  await revokeGrants(db, grantIds);
}
