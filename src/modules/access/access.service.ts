import type { Knex } from 'knex';
import type { Db } from '../../platform/db';
import { PermissionDenied } from '../../shared/errors';
import { grantedPermissions, type Permission, type PermissionRow } from './permissions';
import type { Principal } from './principal';

export interface OrganizerRow {
  id: number;
  slug: string;
  name: string;
}

export interface EventRow {
  id: number;
  organizer_id: number;
  slug: string;
  [column: string]: unknown;
}

export interface OrganizerAccess {
  organizer: OrganizerRow;
  /** Union of the permissions of every team through which the principal reaches this organizer. */
  permissions: ReadonlySet<Permission>;
  teamIds: readonly number[];
}

export interface EventAccess extends OrganizerAccess {
  event: EventRow;
}

type TeamRow = PermissionRow & { id: number; all_events: boolean };

/**
 * Answers "may this principal act here?" the way pretix does: a missing organizer or event and an inaccessible
 * one look the same (403), so that slugs do not leak.
 */
export class AccessService {
  constructor(private readonly db: Db) {}

  /** Teams of the organizer through which the principal acts (the token's team, or the user's teams). */
  private teamsQuery(principal: Principal, organizerId: number): Knex.QueryBuilder {
    const query = this.db('teams').where('teams.organizer_id', organizerId).select('teams.*');
    if (principal.kind === 'team_token') return query.where('teams.id', principal.teamId);
    return query.whereIn(
      'teams.id',
      this.db('team_members').select('team_id').where('user_id', principal.userId),
    );
  }

  private organizerGranted(principal: Principal, organizerId: number): boolean {
    if (principal.kind === 'team_token') return principal.organizerId === organizerId;
    return principal.organizerIds.includes(organizerId);
  }

  /** Organizers the principal can see, for GET /organizers/. */
  visibleOrganizers(principal: Principal): Knex.QueryBuilder {
    if (principal.kind === 'team_token') return this.db('organizers').where('id', principal.organizerId);
    return this.db('organizers')
      .whereIn('id', principal.organizerIds)
      .whereIn(
        'id',
        this.db('teams')
          .join('team_members', 'team_members.team_id', 'teams.id')
          .where('team_members.user_id', principal.userId)
          .select('teams.organizer_id'),
      );
  }

  async organizerAccess(principal: Principal, organizerSlug: string): Promise<OrganizerAccess> {
    const organizer = await this.db<OrganizerRow>('organizers')
      .whereRaw('lower(slug) = lower(?)', [organizerSlug])
      .first();
    if (!organizer || !this.organizerGranted(principal, organizer.id)) throw new PermissionDenied();
    const teams: TeamRow[] = await this.teamsQuery(principal, organizer.id);
    if (teams.length === 0) throw new PermissionDenied();
    return { organizer, permissions: grantedPermissions(teams), teamIds: teams.map((team) => team.id) };
  }

  /** Teams (of those given) that reach the event: all_events, or the event in their list. */
  private async teamsReachingEvent(teamIds: readonly number[], eventId: number): Promise<TeamRow[]> {
    return this.db('teams')
      .whereIn('id', teamIds)
      .where((q) =>
        q
          .where('all_events', true)
          .orWhereExists(
            this.db('team_limit_events')
              .whereRaw('team_limit_events.team_id = teams.id')
              .where('team_limit_events.event_id', eventId),
          ),
      );
  }

  async eventAccess(principal: Principal, organizerSlug: string, eventSlug: string): Promise<EventAccess> {
    const organizerAccess = await this.organizerAccess(principal, organizerSlug);
    const event = await this.db<EventRow>('events')
      .where('organizer_id', organizerAccess.organizer.id)
      .whereRaw('lower(slug) = lower(?)', [eventSlug])
      .first();
    if (!event) throw new PermissionDenied();
    const teams = await this.teamsReachingEvent(organizerAccess.teamIds, event.id);
    if (teams.length === 0) throw new PermissionDenied();
    return {
      organizer: organizerAccess.organizer,
      event,
      permissions: grantedPermissions(teams),
      teamIds: teams.map((team) => team.id),
    };
  }

  /**
   * Ids of the organizer's events the principal reaches, as a subquery for list filters. With a permission,
   * only events where one of the reaching teams holds it.
   */
  accessibleEventIds(access: OrganizerAccess, permission?: Permission): Knex.QueryBuilder {
    const db = this.db;
    return db('events')
      .select('events.id')
      .where('events.organizer_id', access.organizer.id)
      .whereExists(function () {
        this.select(db.raw('1'))
          .from('teams')
          .whereIn('teams.id', access.teamIds)
          .modify((q) => {
            if (permission) q.where(`teams.${permission}`, true);
          })
          .where((q) =>
            q
              .where('teams.all_events', true)
              .orWhereExists(
                db('team_limit_events')
                  .whereRaw('team_limit_events.team_id = teams.id')
                  .whereRaw('team_limit_events.event_id = events.id'),
              ),
          );
      });
  }
}

export function requirePermission(
  access: { permissions: ReadonlySet<Permission> },
  permission: Permission,
): void {
  if (!access.permissions.has(permission)) throw new PermissionDenied();
}
