import type { Knex } from 'knex';
import type { Db } from '../../platform/db';
import { PermissionDenied } from '../../shared/errors';
import { grantedPermissions, type Permission, type PermissionRow } from './permissions';
import { credentialOf, credentialOfKey, type Credential, type Principal } from './principal';

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

  /**
   * Teams of the organizer through which a credential acts, with the credential checked live: the active token's
   * team; for an OAuth grant that is not revoked, of an active user and application and still granting this
   * organizer, the user's teams; for a user, the active user's teams. The request path and the run-time re-check
   * (stillPermitted) both go through here, so a new kind of credential is one branch in this function.
   */
  private teamsQuery(credential: Credential, organizerId: number): Knex.QueryBuilder {
    const db = this.db;
    const teams = db('teams').where('teams.organizer_id', organizerId).select('teams.*');
    switch (credential.kind) {
      case 'token':
        return teams.whereIn(
          'teams.id',
          db('team_api_tokens').where({ id: credential.tokenId, active: true }).select('team_id'),
        );
      case 'oauth': {
        const liveGrantUser = db('oauth_grants as g')
          .join('users', 'users.id', 'g.user_id')
          .join('oauth_applications as app', 'app.id', 'g.application_id')
          .join('oauth_grant_organizers as go', 'go.grant_id', 'g.id')
          .where('g.id', credential.grantId)
          .whereNull('g.revoked_at')
          .where('users.is_active', true)
          .where('app.active', true)
          .where('go.organizer_id', organizerId)
          .select('g.user_id');
        return teams.whereIn(
          'teams.id',
          db('team_members').whereIn('user_id', liveGrantUser).select('team_id'),
        );
      }
      case 'user': {
        const activeUser = db('users').where({ id: credential.userId, is_active: true }).select('id');
        return teams.whereIn('teams.id', db('team_members').whereIn('user_id', activeUser).select('team_id'));
      }
    }
  }

  private organizerGranted(principal: Principal, organizerId: number): boolean {
    switch (principal.kind) {
      case 'team_token':
        return principal.organizerId === organizerId;
      case 'oauth_user':
        return principal.organizerIds.includes(organizerId);
      case 'user':
        return true;
    }
  }

  /** Organizers the principal can see, for GET /organizers/. */
  visibleOrganizers(principal: Principal): Knex.QueryBuilder {
    if (principal.kind === 'team_token') return this.db('organizers').where('id', principal.organizerId);
    const viaTeams = this.db('organizers').whereIn(
      'id',
      this.db('teams')
        .join('team_members', 'team_members.team_id', 'teams.id')
        .where('team_members.user_id', principal.userId)
        .select('teams.organizer_id'),
    );
    return principal.kind === 'oauth_user' ? viaTeams.whereIn('id', principal.organizerIds) : viaTeams;
  }

  async organizerAccess(principal: Principal, organizerSlug: string): Promise<OrganizerAccess> {
    const organizer = await this.db<OrganizerRow>('organizers')
      .whereRaw('lower(slug) = lower(?)', [organizerSlug])
      .first();
    return this.accessTo(principal, organizer);
  }

  /** organizerAccess by id, for work that runs without a request (a schedule acting as its owner). */
  async organizerAccessById(principal: Principal, organizerId: number): Promise<OrganizerAccess> {
    return this.accessTo(
      principal,
      await this.db<OrganizerRow>('organizers').where('id', organizerId).first(),
    );
  }

  private async accessTo(
    principal: Principal,
    organizer: OrganizerRow | undefined,
  ): Promise<OrganizerAccess> {
    if (!organizer || !this.organizerGranted(principal, organizer.id)) throw new PermissionDenied();
    const teams: TeamRow[] = await this.teamsQuery(credentialOf(principal), organizer.id);
    if (teams.length === 0) throw new PermissionDenied();
    return { organizer, permissions: grantedPermissions(teams), teamIds: teams.map((team) => team.id) };
  }

  /**
   * The run-time re-check of a stored principal key (`token:N`, `oauth:N`, `user:N`): does that credential still
   * hold `permission` in the organizer on every one of `eventIds` (pretix re-checks inside its task too)? The
   * token may have been revoked, the user deactivated, the grant revoked or narrowed, the teams changed. A key of
   * no known kind fails closed.
   */
  async stillPermitted(
    principalKey: string,
    organizerId: number,
    eventIds: readonly number[],
    permission: Permission,
  ): Promise<boolean> {
    const credential = credentialOfKey(principalKey);
    if (!credential) return false;
    const teams: TeamRow[] = await this.teamsQuery(credential, organizerId).where(
      `teams.${permission}`,
      true,
    );
    if (teams.length === 0) return false;
    if (teams.some((team) => team.all_events) || eventIds.length === 0) return true;
    const reachable = await this.db('team_limit_events')
      .whereIn(
        'team_id',
        teams.map((team) => team.id),
      )
      .whereIn('event_id', eventIds)
      .countDistinct<{ count: number }>({ count: 'event_id' })
      .first();
    return Number(reachable?.count ?? 0) === new Set(eventIds.map(Number)).size;
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
    return this.accessToEvent(organizerAccess, event);
  }

  /** eventAccess by ids, for work that runs without a request. */
  async eventAccessById(principal: Principal, organizerId: number, eventId: number): Promise<EventAccess> {
    const organizerAccess = await this.organizerAccessById(principal, organizerId);
    const event = await this.db<EventRow>('events').where({ organizer_id: organizerId, id: eventId }).first();
    return this.accessToEvent(organizerAccess, event);
  }

  private async accessToEvent(
    organizerAccess: OrganizerAccess,
    event: EventRow | undefined,
  ): Promise<EventAccess> {
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
