import { timingSafeEqual } from 'node:crypto';
import OAuth2Server, { InvalidGrantError } from '@node-oauth/oauth2-server';
import type { Db } from '../../platform/db';
import { sha256Hex } from '../../shared/ids';
import * as repo from './oauth.repository';
import { ACCESS_TOKEN_LIFETIME, SCOPES } from './oauth.schemas';

/**
 * What the library carries around as "user": opaque to it, meaningful to us. `refresh` is set only when the user
 * comes from a refresh token, so that saveToken can swap that token's access token instead of minting a pair.
 */
export interface GrantUser {
  id: number;
  grantId?: number;
  organizerIds: number[];
  refresh?: { id: number; token: string };
}

export interface TixportClient extends OAuth2Server.Client {
  id: string;
  redirectUris: string[];
  grants: string[];
  applicationId: number;
  name: string;
  clientType: 'confidential' | 'public';
}

function toClient(app: repo.ApplicationRow): TixportClient {
  return {
    id: app.client_id,
    redirectUris: app.redirect_uris,
    grants: ['authorization_code', 'refresh_token'],
    accessTokenLifetime: ACCESS_TOKEN_LIFETIME,
    applicationId: app.id,
    name: app.name,
    clientType: app.client_type,
  };
}

function secretMatches(secret: string, hash: string | null): boolean {
  if (hash === null) return false;
  const given = Buffer.from(sha256Hex(secret), 'hex');
  const stored = Buffer.from(hash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/**
 * Client authentication: a confidential client needs its secret, a public one must not send any (it proves
 * itself with PKCE instead). Null for an unknown or inactive client or a wrong secret.
 */
export async function authenticateClient(
  db: Db,
  clientId: string,
  secret: string | undefined,
): Promise<TixportClient | null> {
  const app = await repo.findActiveApplication(db, clientId);
  if (!app) return null;
  if (app.client_type === 'confidential' ? !secret || !secretMatches(secret, app.client_secret_hash) : secret)
    return null;
  return toClient(app);
}

export async function findClient(db: Db, clientId: string): Promise<TixportClient | null> {
  const app = await repo.findActiveApplication(db, clientId);
  return app ? toClient(app) : null;
}

const toScopes = (scope: string) => scope.split(' ');

function grantUser(row: { user_id: number; organizer_ids: readonly (number | string)[] }) {
  // node-postgres parses bigint[] into strings (only scalar int8 has a number parser); ids stay far below 2^53.
  return { id: row.user_id, organizerIds: row.organizer_ids.map(Number) };
}

/**
 * The storage model @node-oauth/oauth2-server asks for. Every secret is looked up by its SHA-256; the plain
 * values only ever exist in the responses that hand them out.
 */
export function createModel(db: Db) {
  return {
    getClient: (clientId: string, clientSecret: string | undefined) =>
      authenticateClient(db, clientId, clientSecret ?? undefined),

    async validateScope(_user: GrantUser, _client: OAuth2Server.Client, scope?: string[]) {
      if (!scope || scope.length === 0) return false;
      return scope.every((s) => (SCOPES as readonly string[]).includes(s)) ? scope : false;
    },

    async validateRedirectUri(redirectUri: string, client: OAuth2Server.Client) {
      return (client as TixportClient).redirectUris.includes(redirectUri);
    },

    async saveAuthorizationCode(
      code: Pick<
        OAuth2Server.AuthorizationCode,
        'authorizationCode' | 'expiresAt' | 'redirectUri' | 'scope' | 'codeChallenge' | 'codeChallengeMethod'
      >,
      client: OAuth2Server.Client,
      user: GrantUser,
    ): Promise<OAuth2Server.AuthorizationCode> {
      const grantId = await repo.insertGrant(
        db,
        {
          application_id: (client as TixportClient).applicationId,
          user_id: user.id,
          scope: (code.scope ?? []).join(' '),
          redirect_uri: code.redirectUri,
          code_hash: sha256Hex(code.authorizationCode),
          code_expires_at: code.expiresAt,
          code_challenge: code.codeChallenge ?? null,
          code_challenge_method: code.codeChallenge ? (code.codeChallengeMethod ?? null) : null,
        },
        user.organizerIds,
      );
      return { ...code, client, user: { ...user, grantId } };
    },

    async getAuthorizationCode(authorizationCode: string): Promise<OAuth2Server.AuthorizationCode | null> {
      const grant = await repo.findGrantByCode(db, sha256Hex(authorizationCode));
      if (!grant) return null;
      if (grant.code_used_at !== null) {
        // RFC 6749 §4.1.2: a code used twice was probably stolen; everything issued from it is revoked.
        await repo.revokeGrants(db, [grant.id]);
        return null;
      }
      return {
        authorizationCode,
        expiresAt: grant.code_expires_at,
        redirectUri: grant.redirect_uri,
        scope: toScopes(grant.scope),
        client: { id: grant.client_id, grants: [] },
        user: { ...grantUser(grant), grantId: grant.id } satisfies GrantUser,
        ...(grant.code_challenge
          ? {
              codeChallenge: grant.code_challenge,
              codeChallengeMethod: grant.code_challenge_method ?? 'S256',
            }
          : {}),
      };
    },

    async revokeAuthorizationCode(code: OAuth2Server.AuthorizationCode): Promise<boolean> {
      const grantId = (code.user as GrantUser).grantId!;
      if (await repo.markCodeUsed(db, grantId)) return true;
      await repo.revokeGrants(db, [grantId]);
      return false;
    },

    async saveToken(
      token: OAuth2Server.Token,
      client: OAuth2Server.Client,
      user: GrantUser,
    ): Promise<OAuth2Server.Token> {
      const access = {
        token_hash: sha256Hex(token.accessToken),
        scope: (token.scope ?? []).join(' '),
        expires_at: token.accessTokenExpiresAt!,
      };
      if (user.refresh) {
        if (!(await repo.replaceAccessToken(db, user.refresh.id, access)))
          throw new InvalidGrantError('Invalid grant: refresh token is invalid');
        // pretix does not rotate refresh tokens: the response repeats the one the client sent.
        return { ...token, refreshToken: user.refresh.token, client, user };
      }
      if (!(await repo.insertTokenPair(db, user.grantId!, access, sha256Hex(token.refreshToken!))))
        throw new InvalidGrantError('Invalid grant: authorization code is invalid');
      return { ...token, client, user };
    },

    async getAccessToken(accessToken: string): Promise<OAuth2Server.Token | null> {
      const row = await repo.findAccessToken(db, sha256Hex(accessToken));
      if (!row) return null;
      return {
        accessToken,
        accessTokenExpiresAt: row.expires_at,
        scope: toScopes(row.scope),
        client: { id: row.client_id, grants: [] },
        user: { ...grantUser(row), grantId: row.grant_id } satisfies GrantUser,
      };
    },

    async getRefreshToken(refreshToken: string): Promise<OAuth2Server.RefreshToken | null> {
      const row = await repo.findRefreshToken(db, sha256Hex(refreshToken));
      if (!row) return null;
      return {
        refreshToken,
        scope: toScopes(row.scope),
        client: { id: row.client_id, grants: [] },
        user: {
          ...grantUser(row),
          grantId: row.grant_id,
          refresh: { id: row.id, token: refreshToken },
        } satisfies GrantUser,
      };
    },

    async revokeToken(token: OAuth2Server.RefreshToken): Promise<boolean> {
      const refresh = (token.user as GrantUser).refresh;
      if (!refresh) return false;
      await repo.revokeRefreshToken(db, refresh.id);
      return true;
    },
  };
}

export function createOAuthServer(db: Db): OAuth2Server {
  return new OAuth2Server({
    model: createModel(db),
    accessTokenLifetime: ACCESS_TOKEN_LIFETIME,
    // Required by the library; refresh tokens never expire in pretix, and tixport stores no expiry for them.
    refreshTokenLifetime: 10 * 365 * 86400,
    alwaysIssueNewRefreshToken: false,
    allowEmptyState: true,
    // Public clients authenticate with PKCE alone; authenticateClient() still demands a confidential client's
    // secret for both grants.
    requireClientAuthentication: { authorization_code: false, refresh_token: false },
  });
}
