import OAuth2Server, { OAuthError, Request, Response, ServerError } from '@node-oauth/oauth2-server';
import type { Db } from '../../platform/db';
import { randomId, randomToken, sha256Hex } from '../../shared/ids';
import { hashPassword, verifyPassword } from '../../shared/passwords';
import type { OAuthUserPrincipal } from '../access/principal';
import {
  authenticateClient,
  createModel,
  createOAuthServer,
  findClient,
  type GrantUser,
  type TixportClient,
} from './oauth.model';
import * as repo from './oauth.repository';
import {
  ACCESS_TOKEN_LIFETIME,
  AUTHORIZATION_CODE_LIFETIME,
  AuthorizeParams,
  DEFAULT_SCOPE,
  RevokeForm,
  SCOPES,
  type ApplicationInput,
  type Scope,
} from './oauth.schemas';

/** A login on the authorize pages lasts an hour; pretix, too, wants a login younger than that to authorize. */
export const PAGE_SESSION_SECONDS = 3600;

export interface ValidAuthorizeRequest {
  client: TixportClient;
  redirectUri: string;
  scopes: Scope[];
  state?: string;
  codeChallenge?: string;
  /** approval_prompt=auto: skip the consent page when the user already granted this application `profile`. */
  autoApprove: boolean;
  /** The parameters exactly as received, carried through the login and consent forms. */
  params: Record<string, string | undefined>;
}

export interface ConnectedApplication {
  applicationId: number;
  name: string;
  scopes: Scope[];
  organizers: string[];
  since: Date;
}

/** What GET/POST /oauth/authorize must answer before any login or consent question. */
export type AuthorizeCheck =
  | { kind: 'fatal'; message: string }
  | { kind: 'redirect'; location: string }
  | { kind: 'ok'; request: ValidAuthorizeRequest };

/** An HTTP answer of the token and revocation endpoints, in OAuth's own JSON shape. */
export interface OAuthReply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

interface RawRequest {
  headers: Record<string, string | string[] | undefined>;
  method: string;
  query: unknown;
  body: unknown;
}

/** Appends query parameters the way oauthlib does: the registered URI is kept verbatim (no added slash). */
export function withQuery(uri: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams(
    Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ).toString();
  return `${uri}${uri.includes('?') ? '&' : '?'}${query}`;
}

const PKCE_VALUE = /^[A-Za-z0-9._~-]{43,128}$/;
const VISIBLE_ASCII = /^[\x20-\x7e]*$/;

function parseScopes(raw: string | undefined): Scope[] | null {
  const parts = (raw ?? DEFAULT_SCOPE).trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return parseScopes(DEFAULT_SCOPE);
  if (!parts.every((p) => (SCOPES as readonly string[]).includes(p))) return null;
  return SCOPES.filter((s) => parts.includes(s));
}

const INVALID_CLIENT: OAuthReply = {
  status: 401,
  headers: { 'WWW-Authenticate': 'Basic realm="tixport"', 'Cache-Control': 'no-store' },
  body: { error: 'invalid_client', error_description: 'Client authentication failed.' },
};

/**
 * Client credentials from HTTP Basic or the form body (RFC 6749 §2.3.1). Basic values are form-encoded before
 * base64, which is why they are decoded once more.
 */
function clientCredentials(
  authorization: string | undefined,
  body: Record<string, unknown>,
): { clientId: string; secret?: string } | null {
  const basic = /^basic\s+(\S+)$/i.exec(authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return null;
    try {
      const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
      const clientId = formDecode(decoded.slice(0, colon));
      const secret = formDecode(decoded.slice(colon + 1));
      // No client id or secret holds a NUL, and Postgres cannot even compare one (the body's are refused earlier).
      if (`${clientId}${secret}`.includes('\u0000')) return null;
      return { clientId, secret };
    } catch {
      return null;
    }
  }
  if (typeof body.client_id !== 'string' || body.client_id === '') return null;
  return {
    clientId: body.client_id,
    secret: typeof body.client_secret === 'string' ? body.client_secret : undefined,
  };
}

function headerOf(headers: RawRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * tixport as an OAuth2 authorization server, pretix style. The protocol (code issuing, PKCE verification, code
 * and refresh grants, bearer validation) runs in @node-oauth/oauth2-server; this service adds what pretix does
 * around it: its error answers, organizers chosen at consent, the login pages and token revocation.
 */
export class OAuthService {
  private readonly server: OAuth2Server;
  private readonly authorizeModel: ReturnType<typeof createModel>;

  constructor(private readonly db: Db) {
    this.server = createOAuthServer(db);
    // At the authorize step the client is only identified, never authenticated (it is the browser asking).
    this.authorizeModel = { ...createModel(db), getClient: (clientId: string) => findClient(db, clientId) };
  }

  async createApplication(input: ApplicationInput) {
    const clientId = randomToken(40, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
    const secret = input.client_type === 'confidential' ? randomToken(64) : null;
    const app = await repo.insertApplication(this.db, {
      name: input.name,
      client_id: clientId,
      client_secret_hash: secret === null ? null : sha256Hex(secret),
      client_type: input.client_type,
      redirect_uris: input.redirect_uris,
    });
    return {
      client_id: app.client_id,
      client_secret: secret,
      name: app.name,
      redirect_uris: app.redirect_uris.join(' '),
      client_type: app.client_type,
    };
  }

  /**
   * Validates an authorization request the way pretix (django-oauth-toolkit + oauthlib) answers it: problems
   * with the client or its redirect URI give an error page (redirecting there would make tixport an open
   * redirector), all others are sent back to the client's redirect URI.
   */
  async checkAuthorizeRequest(raw: unknown): Promise<AuthorizeCheck> {
    const parsed = AuthorizeParams.safeParse(raw ?? {});
    if (!parsed.success) {
      return { kind: 'fatal', message: `Duplicate ${String(parsed.error.issues[0]?.path[0])} parameter.` };
    }
    const p = parsed.data;
    if (!p.client_id) return { kind: 'fatal', message: 'Missing client_id parameter.' };
    const client = await findClient(this.db, p.client_id);
    if (!client) return { kind: 'fatal', message: 'Invalid client_id parameter value.' };
    if (p.redirect_uri !== undefined && !client.redirectUris.includes(p.redirect_uri))
      return { kind: 'fatal', message: 'Mismatching redirect URI.' };
    const redirectUri = p.redirect_uri ?? client.redirectUris[0]!;

    const state = p.state !== undefined && VISIBLE_ASCII.test(p.state) ? p.state : undefined;
    const fail = (error: string, description?: string): AuthorizeCheck => ({
      kind: 'redirect',
      location: withQuery(redirectUri, { error, error_description: description, state }),
    });
    if (p.state !== undefined && state === undefined)
      return fail('invalid_request', 'Invalid state parameter.');

    if (!p.response_type) return fail('invalid_request', 'Missing response_type parameter.');
    const responseTypes = new Set(p.response_type.split(' ').filter(Boolean));
    if (responseTypes.size !== 1 || !responseTypes.has('code')) {
      // Known response types that this (authorization-code) application may not use, versus unknown ones.
      return responseTypes.has('code') || responseTypes.has('token')
        ? fail('unauthorized_client')
        : fail('unsupported_response_type');
    }

    const scopes = parseScopes(p.scope);
    if (!scopes) return fail('invalid_scope');
    const autoApprove = p.approval_prompt === 'auto';
    if (autoApprove && scopes.join(' ') !== 'profile')
      return { kind: 'fatal', message: 'approval_prompt=auto is only allowed with the scope "profile".' };

    if (p.code_challenge !== undefined) {
      if (p.code_challenge_method !== 'S256')
        return fail('invalid_request', 'Transform algorithm not supported.');
      if (!PKCE_VALUE.test(p.code_challenge))
        return fail('invalid_request', 'Invalid code_challenge parameter.');
    } else if (client.clientType === 'public') {
      return fail('invalid_request', 'Code challenge required.');
    }

    return {
      kind: 'ok',
      request: {
        client,
        redirectUri,
        scopes,
        state,
        codeChallenge: p.code_challenge,
        autoApprove,
        params: { ...p },
      },
    };
  }

  deniedLocation(request: ValidAuthorizeRequest): string {
    return withQuery(request.redirectUri, { error: 'access_denied', state: request.state });
  }

  /** Whether approval_prompt=auto may skip the consent page for this user. */
  async mayAutoApprove(request: ValidAuthorizeRequest, userId: number): Promise<boolean> {
    return (
      request.autoApprove &&
      repo.hasLiveTokenWithScope(this.db, userId, request.client.applicationId, 'profile')
    );
  }

  /** Issues a code for the consent given (through the library) and returns where to send the browser. */
  async approve(request: ValidAuthorizeRequest, userId: number, organizerIds: number[]): Promise<string> {
    const user: GrantUser = { id: userId, organizerIds };
    const libraryRequest = new Request({
      method: 'POST',
      headers: {},
      query: {},
      body: {
        client_id: request.client.id,
        response_type: 'code',
        redirect_uri: request.redirectUri,
        scope: request.scopes.join(' '),
        state: request.state,
        code_challenge: request.codeChallenge,
        code_challenge_method: request.codeChallenge ? 'S256' : undefined,
      },
    });
    const libraryResponse = new Response();
    try {
      await this.server.authorize(libraryRequest, libraryResponse, {
        model: this.authorizeModel,
        authenticateHandler: { handle: () => user },
        authorizationCodeLifetime: AUTHORIZATION_CODE_LIFETIME,
      } as OAuth2Server.AuthorizeOptions);
    } catch (error) {
      // The library has already pointed the response at the client with the error; only our own bugs surface.
      if (!(error instanceof OAuthError) || error instanceof ServerError) throw error;
    }
    return libraryResponse.get('location') as string;
  }

  async applicationName(clientId: string): Promise<string | undefined> {
    return (await findClient(this.db, clientId))?.name;
  }

  /** The applications connected to the user's account, one entry per application however often it was allowed. */
  async connectedApplications(userId: number): Promise<ConnectedApplication[]> {
    const byApplication = new Map<number, ConnectedApplication>();
    for (const grant of await repo.connectedGrants(this.db, userId)) {
      const entry = byApplication.get(grant.application_id) ?? {
        applicationId: grant.application_id,
        name: grant.name,
        scopes: [],
        organizers: [],
        since: grant.created_at,
      };
      const scopes = new Set([...entry.scopes, ...grant.scope.split(' ')]);
      entry.scopes = SCOPES.filter((s) => scopes.has(s));
      entry.organizers = [...new Set([...entry.organizers, ...grant.organizer_names])].sort();
      if (grant.created_at < entry.since) entry.since = grant.created_at;
      byApplication.set(grant.application_id, entry);
    }
    return [...byApplication.values()];
  }

  /** pretix's "revoke" in the user's settings: every grant of the application ends, with all its tokens. */
  async disconnect(userId: number, applicationId: number): Promise<void> {
    await repo.revokeApplicationForUser(this.db, userId, applicationId);
  }

  async organizersOf(userId: number): Promise<repo.OrganizerChoice[]> {
    return repo.organizersOfUser(this.db, userId);
  }

  /** Checks email and password; returns a new page-session token, or null. */
  async login(email: string, password: string): Promise<string | null> {
    const user = email ? await repo.findUserForLogin(this.db, email) : undefined;
    if (!user) {
      // Spend the same time as a real check so that response times do not tell which emails exist.
      await hashPassword(password);
      return null;
    }
    if (!(await verifyPassword(password, user.password_hash)) || !user.is_active) return null;
    const token = randomId(32);
    await repo.insertPageSession(this.db, {
      token_hash: sha256Hex(token),
      user_id: user.id,
      expires_at: new Date(Date.now() + PAGE_SESSION_SECONDS * 1000),
    });
    return token;
  }

  async sessionUser(token: string | undefined) {
    return token ? repo.findPageSessionUser(this.db, sha256Hex(token)) : undefined;
  }

  async logout(token: string | undefined): Promise<void> {
    if (token) await repo.deletePageSession(this.db, sha256Hex(token));
  }

  /** POST /oauth/token: the authorization_code and refresh_token grants, run by the library. */
  async token(req: RawRequest): Promise<OAuthReply> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    // pretix answers every client-authentication failure with 401 (the library would give 400 without Basic).
    const credentials = clientCredentials(headerOf(req.headers, 'authorization'), body);
    if (!credentials || !(await authenticateClient(this.db, credentials.clientId, credentials.secret)))
      return INVALID_CLIENT;

    const request = new Request({
      headers: req.headers as Record<string, string>,
      method: req.method,
      query: {},
      body,
    });
    try {
      const token = await this.server.token(request, new Response());
      return {
        status: 200,
        headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
        // pretix's shape; expires_in is the configured lifetime (the library would report 86399 a moment later).
        body: {
          access_token: token.accessToken,
          expires_in: ACCESS_TOKEN_LIFETIME,
          token_type: 'Bearer',
          scope: (token.scope ?? []).join(' '),
          refresh_token: token.refreshToken,
        },
      };
    } catch (error) {
      if (!(error instanceof OAuthError) || error instanceof ServerError) throw error;
      return {
        status: error.code === 401 ? 401 : 400,
        headers: { 'Cache-Control': 'no-store' },
        body: { error: error.name, error_description: error.message },
      };
    }
  }

  /**
   * POST /oauth/revoke_token (RFC 7009; @node-oauth/oauth2-server has no revocation endpoint). Revoking a refresh
   * token also ends its access token; revoking an access token leaves the refresh token usable, as in pretix.
   * Tokens that are unknown or belong to another client are answered with 200 and left alone.
   */
  async revoke(req: RawRequest): Promise<OAuthReply> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const credentials = clientCredentials(headerOf(req.headers, 'authorization'), body);
    const client =
      credentials && (await authenticateClient(this.db, credentials.clientId, credentials.secret));
    if (!client) return INVALID_CLIENT;
    const form = RevokeForm.safeParse(body);
    if (!form.success)
      return {
        status: 400,
        headers: {},
        body: { error: 'invalid_request', error_description: 'Missing token.' },
      };

    const hash = sha256Hex(form.data.token);
    const lookups = [
      async () => {
        const row = await repo.findAccessToken(this.db, hash);
        if (row?.client_id !== client.id) return false;
        await repo.deleteAccessToken(this.db, row.id);
        return true;
      },
      async () => {
        const row = await repo.findRefreshToken(this.db, hash);
        if (row?.client_id !== client.id) return false;
        await repo.revokeRefreshToken(this.db, row.id);
        return true;
      },
    ];
    if (form.data.token_type_hint === 'refresh_token') lookups.reverse();
    for (const lookup of lookups) if (await lookup()) break;
    return { status: 200, headers: { 'Cache-Control': 'no-store' }, body: {} };
  }

  /** Resolves `Authorization: Bearer …` through the library; null when the token is unknown or expired. */
  async principalForBearer(accessToken: string): Promise<OAuthUserPrincipal | null> {
    const request = new Request({
      headers: { authorization: `Bearer ${accessToken}` },
      method: 'GET',
      query: {},
    });
    try {
      const token = await this.server.authenticate(request, new Response(), {
        addAcceptedScopesHeader: false,
        addAuthorizedScopesHeader: false,
      });
      const user = token.user as GrantUser;
      return {
        kind: 'oauth_user',
        key: `oauth:${user.grantId!}`,
        userId: user.id,
        grantId: user.grantId!,
        scopes: new Set(token.scope ?? []),
        organizerIds: user.organizerIds,
      };
    } catch (error) {
      if (error instanceof ServerError) throw (error as ServerError & { inner?: unknown }).inner ?? error;
      if (error instanceof OAuthError) return null;
      throw error;
    }
  }
}
