import type { Knex } from 'knex';
import type { Db } from '../../platform/db';
import { NotFound, ValidationError } from '../../shared/errors';
import { randomToken, sha256Hex } from '../../shared/ids';
import { PERMISSION_FLAGS } from '../access/permissions';
import {
  eventIdsBySlug,
  findTeam,
  limitEventSlugs,
  membersOfTeam,
  replaceLimitEvents,
  teamsOfOrganizer,
  tokensOfTeam,
  type MemberRow,
  type TeamRow,
  type TokenRow,
} from './teams.repository';
import type { TeamInput } from './teams.schemas';

export type TeamResource = ReturnType<typeof teamResource>;

function teamResource(row: TeamRow, limitEvents: string[]) {
  return {
    id: row.id,
    name: row.name,
    all_events: row.all_events,
    limit_events: limitEvents,
    require_2fa: row.require_2fa,
    ...Object.fromEntries(PERMISSION_FLAGS.map((flag) => [flag, row[flag]])),
  };
}

export function tokenResource(row: TokenRow) {
  return { id: row.id, name: row.name, active: row.active };
}

export function memberResource(row: MemberRow) {
  return { id: row.id, email: row.email, fullname: row.fullname, require_2fa: false };
}

/** Teams, their members and their API tokens, always within one organizer. */
export class TeamsService {
  constructor(private readonly db: Db) {}

  listQuery(organizerId: number): Knex.QueryBuilder {
    return teamsOfOrganizer(this.db, organizerId);
  }

  async toResources(rows: TeamRow[]): Promise<TeamResource[]> {
    const slugs = await limitEventSlugs(
      this.db,
      rows.map((row) => row.id),
    );
    return rows.map((row) => teamResource(row, slugs.get(row.id) ?? []));
  }

  async get(organizerId: number, teamId: number): Promise<TeamResource> {
    const row = await findTeam(this.db, organizerId, teamId);
    if (!row) throw new NotFound();
    const [resource] = await this.toResources([row]);
    return resource!;
  }

  /** The organizer's team of that exact name, if any (the demo command reuses its team across runs). */
  async findByName(organizerId: number, name: string): Promise<TeamRow | undefined> {
    return teamsOfOrganizer(this.db, organizerId).where('name', name).first();
  }

  private async resolveEvents(
    trx: Knex.Transaction,
    organizerId: number,
    slugs: string[],
  ): Promise<number[]> {
    const ids = await eventIdsBySlug(trx, organizerId, slugs);
    const missing = slugs.filter((slug) => !ids.has(slug.toLowerCase()));
    if (missing.length > 0) {
      throw new ValidationError({
        limit_events: missing.map((slug) => `Object with slug=${slug} does not exist.`),
      });
    }
    return [...new Set(slugs.map((slug) => ids.get(slug.toLowerCase())!))];
  }

  private checkScope(allEvents: boolean, limitEvents: readonly unknown[]): void {
    if (allEvents && limitEvents.length > 0) {
      throw new ValidationError({ non_field_errors: ['Do not set both limit_events and all_events.'] });
    }
  }

  async create(organizerId: number, input: TeamInput, memberEmails: string[] = []): Promise<TeamResource> {
    this.checkScope(input.all_events, input.limit_events);
    const teamId = await this.db.transaction(async (trx) => {
      const eventIds = await this.resolveEvents(trx, organizerId, input.limit_events);
      const { limit_events: _ignored, ...columns } = input;
      const [row] = await trx('teams')
        .insert({ ...columns, organizer_id: organizerId })
        .returning('id');
      const id = (row as { id: number }).id;
      await replaceLimitEvents(trx, id, eventIds);
      await this.addMembers(trx, id, memberEmails);
      return id;
    });
    return this.get(organizerId, teamId);
  }

  private async addMembers(trx: Knex.Transaction, teamId: number, emails: string[]): Promise<void> {
    if (emails.length === 0) return;
    const users: { id: number; email: string }[] = await trx('users')
      .whereRaw('lower(email) = any(?)', [emails.map((email) => email.toLowerCase())])
      .select('id', 'email');
    const found = new Set(users.map((user) => user.email.toLowerCase()));
    const missing = emails.filter((email) => !found.has(email.toLowerCase()));
    if (missing.length > 0)
      throw new ValidationError({ members: missing.map((email) => `No user with email ${email}.`) });
    await trx('team_members')
      .insert(users.map((user) => ({ team_id: teamId, user_id: user.id })))
      .onConflict(['team_id', 'user_id'])
      .ignore();
  }

  /** PATCH (partial) and PUT (full, with defaults already applied by the schema) share this path. */
  async update(organizerId: number, teamId: number, changes: Partial<TeamInput>): Promise<TeamResource> {
    await this.db.transaction(async (trx) => {
      const current = await findTeam(trx, organizerId, teamId);
      if (!current) throw new NotFound();
      const currentSlugs = (await limitEventSlugs(trx, [teamId])).get(teamId) ?? [];
      this.checkScope(changes.all_events ?? current.all_events, changes.limit_events ?? currentSlugs);
      const { limit_events: limitEvents, ...columns } = changes;
      if (Object.keys(columns).length > 0) await trx('teams').where('id', teamId).update(columns);
      if (limitEvents)
        await replaceLimitEvents(trx, teamId, await this.resolveEvents(trx, organizerId, limitEvents));
    });
    return this.get(organizerId, teamId);
  }

  async delete(organizerId: number, teamId: number): Promise<void> {
    const deleted = await this.db('teams').where({ organizer_id: organizerId, id: teamId }).delete();
    if (deleted === 0) throw new NotFound();
  }

  membersQuery(teamId: number): Knex.QueryBuilder {
    return membersOfTeam(this.db, teamId).orderBy('users.email');
  }

  async member(teamId: number, userId: number): Promise<MemberRow> {
    const row = await membersOfTeam(this.db, teamId).where('users.id', userId).first();
    if (!row) throw new NotFound();
    return row;
  }

  async removeMember(teamId: number, userId: number): Promise<void> {
    const removed = await this.db('team_members').where({ team_id: teamId, user_id: userId }).delete();
    if (removed === 0) throw new NotFound();
  }

  tokensQuery(teamId: number): Knex.QueryBuilder {
    return tokensOfTeam(this.db, teamId).orderBy('name');
  }

  async token(teamId: number, tokenId: number): Promise<TokenRow> {
    const row = await tokensOfTeam(this.db, teamId).where('id', tokenId).first();
    if (!row) throw new NotFound();
    return row;
  }

  /** The secret exists in clear only in this return value; the database keeps its SHA-256. */
  async createToken(teamId: number, name: string): Promise<TokenRow & { token: string }> {
    const secret = randomToken(64);
    const [row] = await this.db('team_api_tokens')
      .insert({ team_id: teamId, name, token_hash: sha256Hex(secret) })
      .returning(['id', 'team_id', 'name', 'active']);
    return { ...(row as TokenRow), token: secret };
  }

  /** pretix never deletes tokens: they are deactivated for good. */
  async deactivateToken(teamId: number, tokenId: number): Promise<TokenRow> {
    const [row] = await this.db('team_api_tokens')
      .where({ team_id: teamId, id: tokenId })
      .update({ active: false })
      .returning(['id', 'team_id', 'name', 'active']);
    if (!row) throw new NotFound();
    return row as TokenRow;
  }
}
