import type { Knex } from 'knex';
import type { Db } from '../../platform/db';
import type { Permission } from '../access/permissions';
import type { ExportRow } from './exports.repository';

/**
 * Teams through which the credential behind `principal_key` still acts in the organizer with `permission`:
 * the active token's team, or — for an OAuth grant that is not revoked, of an active user and application,
 * still granting this organizer — the user's teams. Null for a key of no known kind (fails closed).
 */
function teamsOfPrincipal(
  db: Db,
  principalKey: string,
  organizerId: number,
  permission: Permission,
): Knex.QueryBuilder | null {
  const teams = db('teams')
    .where('teams.organizer_id', organizerId)
    .where(`teams.${permission}`, true)
    .select('teams.id', 'teams.all_events');
  const token = /^token:(\d+)$/.exec(principalKey);
  if (token) {
    return teams.whereIn(
      'teams.id',
      db('team_api_tokens')
        .where({ id: Number(token[1]), active: true })
        .select('team_id'),
    );
  }
  const grant = /^oauth:(\d+)$/.exec(principalKey);
  if (grant) {
    const liveGrant = db('oauth_grants as g')
      .join('users', 'users.id', 'g.user_id')
      .join('oauth_applications as app', 'app.id', 'g.application_id')
      .join('oauth_grant_organizers as go', 'go.grant_id', 'g.id')
      .where('g.id', Number(grant[1]))
      .whereNull('g.revoked_at')
      .where('users.is_active', true)
      .where('app.active', true)
      .where('go.organizer_id', organizerId)
      .select('g.user_id');
    return teams.whereIn('teams.id', db('team_members').whereIn('user_id', liveGrant).select('team_id'));
  }
  return null;
}

/**
 * Re-checks, when the job runs, that the credential that started the export still may read every event in it
 * (pretix re-checks inside its task too): the token may have been revoked, the user deactivated, the grant
 * revoked or narrowed, or the teams changed meanwhile. Each event must be reached by one of the teams.
 */
export async function principalStillPermitted(
  db: Db,
  row: Pick<ExportRow, 'principal_key' | 'event_ids' | 'organizer_id'>,
  permission: Permission,
): Promise<boolean> {
  const query = teamsOfPrincipal(db, row.principal_key, Number(row.organizer_id), permission);
  if (!query) return false;
  const teams: { id: number; all_events: boolean }[] = await query;
  if (teams.length === 0) return false;
  if (teams.some((team) => team.all_events) || row.event_ids.length === 0) return true;
  const reachable = await db('team_limit_events')
    .whereIn(
      'team_id',
      teams.map((team) => team.id),
    )
    .whereIn('event_id', row.event_ids)
    .countDistinct<{ count: number }>({ count: 'event_id' })
    .first();
  return Number(reachable?.count ?? 0) === new Set(row.event_ids.map(Number)).size;
}
