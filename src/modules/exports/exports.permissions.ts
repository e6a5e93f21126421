import type { Db } from '../../platform/db';
import type { Permission } from '../access/permissions';
import type { ExportRow } from './exports.repository';

/**
 * Re-checks, when the job runs, that the credential that started the export still may read every event in it
 * (pretix re-checks inside its task too): the token may have been revoked or its team narrowed meanwhile.
 * Team tokens are checked here; a principal kind without a check (a future OAuth grant adds one) passes.
 */
export async function principalStillPermitted(
  db: Db,
  row: Pick<ExportRow, 'principal_key' | 'event_ids' | 'organizer_id'>,
  permission: Permission,
): Promise<boolean> {
  const token = /^token:(\d+)$/.exec(row.principal_key);
  if (!token) return true;
  const team = await db('team_api_tokens')
    .join('teams', 'teams.id', 'team_api_tokens.team_id')
    .where('team_api_tokens.id', Number(token[1]))
    .where('team_api_tokens.active', true)
    .where('teams.organizer_id', row.organizer_id)
    .where(`teams.${permission}`, true)
    .first('teams.id', 'teams.all_events');
  if (!team) return false;
  if (team.all_events || row.event_ids.length === 0) return true;
  const reachable = await db('team_limit_events')
    .where('team_id', team.id)
    .whereIn('event_id', row.event_ids)
    .count<{ count: number }>({ count: '*' })
    .first();
  return Number(reachable?.count ?? 0) === row.event_ids.length;
}
