import type { Knex } from 'knex';
import type { Db } from '../../platform/db';
import { PERMISSION_FLAGS, type Permission } from '../access/permissions';

export type TeamRow = {
  id: number;
  organizer_id: number;
  name: string;
  all_events: boolean;
  require_2fa: boolean;
} & Record<Permission, boolean>;

export interface TokenRow {
  id: number;
  team_id: number;
  name: string;
  active: boolean;
}

export interface MemberRow {
  id: number;
  email: string;
  fullname: string;
}

type Executor = Db | Knex.Transaction;

export const TEAM_COLUMNS = ['id', 'organizer_id', 'name', 'all_events', 'require_2fa', ...PERMISSION_FLAGS];

export function teamsOfOrganizer(db: Executor, organizerId: number): Knex.QueryBuilder {
  return db('teams').where('organizer_id', organizerId).select(TEAM_COLUMNS);
}

export async function findTeam(
  db: Executor,
  organizerId: number,
  teamId: number,
): Promise<TeamRow | undefined> {
  return teamsOfOrganizer(db, organizerId).where('id', teamId).first();
}

/** Event slugs per team, for a page of teams at once. */
export async function limitEventSlugs(db: Executor, teamIds: number[]): Promise<Map<number, string[]>> {
  const rows: { team_id: number; slug: string }[] = await db('team_limit_events')
    .join('events', 'events.id', 'team_limit_events.event_id')
    .whereIn('team_limit_events.team_id', teamIds)
    .orderBy('events.slug')
    .select('team_limit_events.team_id', 'events.slug');
  const byTeam = new Map<number, string[]>(teamIds.map((id) => [id, []]));
  for (const row of rows) byTeam.get(row.team_id)?.push(row.slug);
  return byTeam;
}

export async function eventIdsBySlug(
  db: Executor,
  organizerId: number,
  slugs: string[],
): Promise<Map<string, number>> {
  const rows: { id: number; slug: string }[] = await db('events')
    .where('organizer_id', organizerId)
    .whereRaw('lower(slug) = any(?)', [slugs.map((slug) => slug.toLowerCase())])
    .select('id', 'slug');
  return new Map(rows.map((row) => [row.slug.toLowerCase(), row.id]));
}

export async function replaceLimitEvents(
  trx: Knex.Transaction,
  teamId: number,
  eventIds: number[],
): Promise<void> {
  await trx('team_limit_events').where('team_id', teamId).delete();
  if (eventIds.length > 0) {
    await trx('team_limit_events').insert(eventIds.map((event_id) => ({ team_id: teamId, event_id })));
  }
}

/** A team limited to some events also reaches this one (the event its token just created); others already do. */
export async function reachNewEvent(trx: Knex.Transaction, teamId: number, eventId: number): Promise<void> {
  const team: { all_events: boolean } | undefined = await trx('teams')
    .where('id', teamId)
    .first('all_events');
  if (team && !team.all_events)
    await trx('team_limit_events').insert({ team_id: teamId, event_id: eventId }).onConflict().ignore();
}

/** Organizers in which the user is a member of at least one team, as a subquery of organizer ids. */
export function organizerIdsOfMember(db: Executor, userId: number): Knex.QueryBuilder {
  return db('teams')
    .join('team_members', 'team_members.team_id', 'teams.id')
    .where('team_members.user_id', userId)
    .select('teams.organizer_id');
}

export function membersOfTeam(db: Executor, teamId: number): Knex.QueryBuilder {
  return db('users')
    .join('team_members', 'team_members.user_id', 'users.id')
    .where('team_members.team_id', teamId)
    .select('users.id', 'users.email', 'users.fullname');
}

export function tokensOfTeam(db: Executor, teamId: number): Knex.QueryBuilder {
  return db('team_api_tokens').where('team_id', teamId).select('id', 'team_id', 'name', 'active');
}
