import { createHash, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthorizationCode } from 'simple-oauth2';
import type { Express } from 'express';
import { OAuthService } from '../../src/modules/oauth/oauth.service';
import type { Db } from '../../src/platform/db';
import { createTestContext, type TestContext } from '../support/app';
import { makeOrganizer, makeTeamWithToken, makeUser } from '../support/factories';

/** Listens on an ephemeral port of 127.0.0.1, so that real HTTP clients (simple-oauth2, fetch, Chromium) talk to it. */
export async function listen(app: Express): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export const REDIRECT_URI = 'https://client.example/callback';

export async function makeApplication(
  db: Db,
  options: { redirectUris?: string[]; clientType?: 'confidential' | 'public'; name?: string } = {},
) {
  return new OAuthService(db).createApplication({
    name: options.name ?? 'Test Integration',
    redirect_uris: options.redirectUris ?? [REDIRECT_URI],
    client_type: options.clientType ?? 'confidential',
  });
}

/** A user who is in a full-permission team of each of two fresh organizers. */
export async function makeUserInTwoOrganizers(db: Db) {
  const user = await makeUser(db);
  const first = await makeOrganizer(db);
  const second = await makeOrganizer(db);
  for (const organizer of [first, second]) {
    await makeTeamWithToken(db, organizer.id, { permissions: 'all', members: [user.email] });
  }
  return { user, first, second };
}

export function oauthClient(
  baseUrl: string,
  app: { client_id: string; client_secret: string | null },
  authorizationMethod: 'header' | 'body' = 'header',
) {
  return new AuthorizationCode({
    client: { id: app.client_id, secret: app.client_secret ?? '' },
    auth: {
      tokenHost: baseUrl,
      tokenPath: '/api/v1/oauth/token',
      authorizePath: '/api/v1/oauth/authorize',
      revokePath: '/api/v1/oauth/revoke_token',
    },
    options: { authorizationMethod },
  });
}

export function pkcePair() {
  const verifier = randomBytes(48).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&quot;': '"',
  '&#39;': "'",
  '&lt;': '<',
  '&gt;': '>',
};
const unescape = (value: string) => value.replace(/&(amp|quot|#39|lt|gt);/g, (e) => ENTITIES[e]!);

/** The hidden inputs of a page, in order, as a browser would submit them. */
export function hiddenFields(html: string): [string, string][] {
  return [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\s*\/?>/g)].map(
    (m) => [m[1]!, unescape(m[2]!)] as [string, string],
  );
}

/**
 * A minimal browser for the authorize pages: keeps cookies, never follows redirects (tests look at them).
 * The Chromium test covers a real browser; this one keeps the protocol tests fast.
 */
export class PageClient {
  readonly cookies = new Map<string, string>();
  constructor(readonly baseUrl: string) {}

  async request(path: string, form?: [string, string][]): Promise<globalThis.Response> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0)
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(new URL(path, this.baseUrl), {
      method: form ? 'POST' : 'GET',
      headers,
      body: form ? new URLSearchParams(form).toString() : undefined,
      redirect: 'manual',
    });
    for (const cookie of res.headers.getSetCookie()) {
      const pair = cookie.split(';')[0]!;
      const eq = pair.indexOf('=');
      const [name, value] = [pair.slice(0, eq), pair.slice(eq + 1)];
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  async login(email: string, password: string): Promise<globalThis.Response> {
    const page = await this.request('/api/v1/oauth/login/');
    const fields = hiddenFields(await page.text()).filter(([name]) => name === 'csrf_token');
    return this.request('/api/v1/oauth/login/', [...fields, ['email', email], ['password', password]]);
  }

  /** Opens the consent page of `authorizeUrl` and submits it; returns the answer (a redirect, or the page again). */
  async consent(
    authorizeUrl: string,
    answer: { organizers?: number[]; allow?: boolean } = {},
  ): Promise<globalThis.Response> {
    const page = await this.request(authorizeUrl);
    if (page.status !== 200) throw new Error(`consent page answered ${page.status}`);
    const html = await page.text();
    // The consent form comes first; the logout form after it has its own hidden fields.
    const form = hiddenFields(html.slice(0, html.indexOf('</form>')));
    for (const id of answer.organizers ?? []) form.push(['organizers', String(id)]);
    form.push(answer.allow === false ? ['deny', '1'] : ['allow', '1']);
    return this.request('/api/v1/oauth/authorize', form);
  }
}

/** Query parameters of a redirect's Location. */
export function locationParams(res: globalThis.Response): URLSearchParams {
  const location = res.headers.get('location') ?? '';
  return new URL(location, 'http://relative.invalid').searchParams;
}

/** Logs in and consents; returns the code from the redirect. */
export async function authorizeCode(
  baseUrl: string,
  authorizeUrl: string,
  user: { email: string; password: string },
  organizers: number[],
): Promise<string> {
  const pages = new PageClient(baseUrl);
  await pages.login(user.email, user.password);
  const res = await pages.consent(authorizeUrl, { organizers });
  const code = locationParams(res).get('code');
  if (res.status !== 302 || !code) throw new Error(`no code: ${res.status} ${res.headers.get('location')}`);
  return code;
}

/** The JSON body and status of a failed simple-oauth2 call (it throws a Boom error). */
export async function oauthFailure(promise: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  try {
    await promise;
  } catch (error) {
    const boom = error as { output?: { statusCode: number }; data?: { payload?: unknown } };
    if (boom.output) return { status: boom.output.statusCode, body: boom.data?.payload };
    throw error;
  }
  throw new Error('expected the OAuth call to fail');
}

type AuthorizeUrlParams = Parameters<AuthorizationCode['authorizeURL']>[0];

/** simple-oauth2's authorizeURL passes extra parameters (PKCE) through; its types only list the standard ones. */
export function authorizeUrlWith(client: AuthorizationCode, params: Record<string, string>): string {
  return client.authorizeURL(params as AuthorizeUrlParams);
}

export interface OAuthWorld {
  ctx: TestContext;
  server: Awaited<ReturnType<typeof listen>>;
  app: Awaited<ReturnType<typeof makeApplication>>;
  world: Awaited<ReturnType<typeof makeUserInTwoOrganizers>>;
}

/**
 * Registers this test file's setup: the real app on an ephemeral port, one confidential application and a user
 * in two organizers. The fields are filled in beforeAll.
 */
export function useOAuthWorld(): OAuthWorld {
  const state = {} as OAuthWorld;
  beforeAll(async () => {
    state.ctx = createTestContext();
    state.server = await listen(state.ctx.app);
    state.app = await makeApplication(state.ctx.runtime.db);
    state.world = await makeUserInTwoOrganizers(state.ctx.runtime.db);
  });
  afterAll(async () => {
    await state.server.close();
    await state.ctx.close();
  });
  return state;
}
