/**
 * Who is calling. Endpoints never look at how the caller authenticated: they ask the access service what this
 * principal may do. A new kind of credential adds a variant here and a branch in access.service.ts.
 */
export type Principal = TeamTokenPrincipal | OAuthUserPrincipal | UserPrincipal;

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

/**
 * A user acting on their own account without a request: a scheduled export runs as its owner. It reaches what
 * the user's teams reach, in every organizer; the user must be active.
 */
export interface UserPrincipal {
  kind: 'user';
  key: string;
  userId: number;
}

export function userPrincipal(userId: number): UserPrincipal {
  return { kind: 'user', key: `user:${userId}`, userId };
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

/** The credential behind a principal, as the access module checks it live. */
export type Credential =
  { kind: 'token'; tokenId: number } | { kind: 'oauth'; grantId: number } | { kind: 'user'; userId: number };

export function credentialOf(principal: Principal): Credential {
  switch (principal.kind) {
    case 'team_token':
      return { kind: 'token', tokenId: principal.tokenId };
    case 'oauth_user':
      return { kind: 'oauth', grantId: principal.grantId };
    case 'user':
      return { kind: 'user', userId: principal.userId };
  }
}

/** Parses a stored `Principal.key` (`token:N`, `oauth:N`, `user:N`); null for any other key. */
export function credentialOfKey(key: string): Credential | null {
  const match = /^(token|oauth|user):(\d{1,15})$/.exec(key);
  if (!match) return null;
  const id = Number(match[2]);
  if (match[1] === 'token') return { kind: 'token', tokenId: id };
  if (match[1] === 'oauth') return { kind: 'oauth', grantId: id };
  return { kind: 'user', userId: id };
}
