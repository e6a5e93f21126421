/**
 * Who is calling. Endpoints never look at how the caller authenticated: they ask the access service what this
 * principal may do. A new kind of credential adds a variant here and a branch in access.service.ts.
 */
export type Principal = TeamTokenPrincipal | OAuthUserPrincipal;

export interface TeamTokenPrincipal {
  kind: 'team_token';
  /** Stable key used to bind results (exports, idempotency) to exactly this credential. */
  key: string;
  tokenId: number;
  teamId: number;
  organizerId: number;
}

export interface OAuthUserPrincipal {
  kind: 'oauth_user';
  key: string;
  userId: number;
  grantId: number;
  scopes: ReadonlySet<string>;
  /** Organizers the user chose at consent; the user's teams decide the rest. */
  organizerIds: readonly number[];
}

export function teamTokenPrincipal(row: {
  id: number;
  team_id: number;
  organizer_id: number;
}): TeamTokenPrincipal {
  return {
    kind: 'team_token',
    key: `token:${row.id}`,
    tokenId: row.id,
    teamId: row.team_id,
    organizerId: row.organizer_id,
  };
}
