import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeTeamWithToken } from '../support/factories';
import {
  PageClient,
  REDIRECT_URI,
  authorizeCode,
  authorizeUrlWith,
  makeUserInTwoOrganizers,
  oauthClient,
  useOAuthWorld,
} from './support';

const ROOT = path.resolve(__dirname, '../..');

const t = useOAuthWorld();

/** A fresh user in two organizers and an access token for the given scope and organizers (by index). */
async function tokenFor(scope: string, pick: ('first' | 'second')[] = ['first']) {
  const world = await makeUserInTwoOrganizers(t.ctx.runtime.db);
  const client = oauthClient(t.server.baseUrl, t.app);
  const url = authorizeUrlWith(client, { redirect_uri: REDIRECT_URI, scope });
  const code = await authorizeCode(
    t.server.baseUrl,
    url,
    world.user,
    pick.map((which) => world[which].id),
  );
  const token = await client.getToken({ code, redirect_uri: REDIRECT_URI });
  return { ...world, accessToken: token.token.access_token as string };
}

async function api(accessToken: string, urlPath: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${t.server.baseUrl}/api/v1${urlPath}`, {
    method: init.method ?? 'GET',
    headers: {
      Authorization: `Bearer ${accessToken}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : null };
}

async function cli(...args: string[]): Promise<unknown> {
  const { stdout } = await promisify(execFile)(
    path.join(ROOT, 'node_modules/.bin/tsx'),
    ['src/main/cli.ts', ...args],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: t.ctx.config.DATABASE_URL, LOG_LEVEL: 'warn' } },
  );
  return JSON.parse(stdout);
}

describe('Bearer tokens on the API', () => {
  test('only the organizers chosen at consent are visible and reachable (pretix 57)', async () => {
    const { accessToken, first, second } = await tokenFor('read write', ['first']);
    const list = await api(accessToken, '/organizers/');
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      count: 1,
      next: null,
      previous: null,
      results: [{ name: first.name, slug: first.slug, public_url: `http://tixport.test/${first.slug}/` }],
    });
    expect((await api(accessToken, `/organizers/${first.slug}/`)).status).toBe(200);
    const other = await api(accessToken, `/organizers/${second.slug}/`);
    expect(other.status).toBe(403);
    expect(other.body).toEqual({ detail: 'You do not have permission to perform this action.' });
  });

  test('with both organizers chosen both are listed, ordered by slug (pretix 57)', async () => {
    const { accessToken, first, second } = await tokenFor('read', ['first', 'second']);
    const list = await api(accessToken, '/organizers/');
    expect((list.body as { results: { slug: string }[] }).results.map((o) => o.slug)).toEqual(
      [first.slug, second.slug].sort(),
    );
    expect((await api(accessToken, `/organizers/${second.slug}/`)).status).toBe(200);
  });

  test('scope "read write" may POST (reaching validation), scope "read" gets 403 (pretix 59)', async () => {
    const writer = await tokenFor('read write');
    const wrote = await api(writer.accessToken, `/organizers/${writer.first.slug}/teams/`, {
      method: 'POST',
      body: {},
    });
    expect(wrote.status).toBe(400);
    expect(wrote.body).toMatchObject({ name: ['This field is required.'] });

    const reader = await tokenFor('read');
    const refused = await api(reader.accessToken, `/organizers/${reader.first.slug}/teams/`, {
      method: 'POST',
      body: { name: 'x' },
    });
    expect(refused.status).toBe(403);
    expect(await t.ctx.runtime.db('teams').where({ organizer_id: reader.first.id, name: 'x' })).toEqual([]);
  });

  test('scope "write" alone cannot read', async () => {
    const { accessToken, first } = await tokenFor('write');
    expect((await api(accessToken, `/organizers/${first.slug}/`)).status).toBe(403);
  });

  test('scope "profile" reaches only /api/v1/me (pretix 62)', async () => {
    const { accessToken, first, user } = await tokenFor('profile', []);
    expect((await api(accessToken, '/organizers/')).status).toBe(403);
    expect((await api(accessToken, `/organizers/${first.slug}/`)).status).toBe(403);
    expect((await api(accessToken, '/version')).status).toBe(403);
    const me = await api(accessToken, '/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      email: user.email,
      fullname: 'Test User',
      locale: 'en',
      is_staff: false,
      timezone: 'UTC',
    });
  });

  test('the user’s team permissions still apply: leaving the team closes the organizer', async () => {
    const { accessToken, first, user } = await tokenFor('read');
    expect((await api(accessToken, `/organizers/${first.slug}/`)).status).toBe(200);
    await t.ctx.runtime.db('team_members').where('user_id', user.id).delete();
    expect((await api(accessToken, `/organizers/${first.slug}/`)).status).toBe(403);
  });

  test('an unknown or expired bearer token counts as no credentials: 401', async () => {
    const unknown = await api('x'.repeat(40), '/organizers/');
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toBe('Token');
    expect(unknown.body).toEqual({ detail: 'Authentication credentials were not provided.' });

    const { accessToken, user } = await tokenFor('read');
    await t.ctx.runtime
      .db('oauth_access_tokens')
      .whereIn('grant_id', t.ctx.runtime.db('oauth_grants').where('user_id', user.id).select('id'))
      .update({ expires_at: new Date(Date.now() - 1000) });
    const expired = await api(accessToken, '/organizers/');
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ detail: 'Authentication credentials were not provided.' });
  });

  test('a deactivated user’s token stops working at once (user:deactivate)', async () => {
    const { accessToken, user } = await tokenFor('read');
    expect((await api(accessToken, '/organizers/')).status).toBe(200);
    expect(await cli('user:deactivate', '--email', user.email)).toEqual({
      id: user.id,
      email: user.email,
      is_active: false,
    });
    const after = await api(accessToken, '/organizers/');
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ detail: 'Authentication credentials were not provided.' });
  });
});

describe('GET /api/v1/me', () => {
  test('works with scope read', async () => {
    const { accessToken, user } = await tokenFor('read');
    const me = await api(accessToken, '/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: user.email });
  });

  test('without credentials answers 401 like every other endpoint', async () => {
    const res = await fetch(`${t.server.baseUrl}/api/v1/me`);
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toBe('Token');
    expect(await res.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
  });

  test('with a team token answers 403 as pretix does (a token has no user)', async () => {
    const { first } = await makeUserInTwoOrganizers(t.ctx.runtime.db);
    const { authorization } = await makeTeamWithToken(t.ctx.runtime.db, first.id, { permissions: 'all' });
    const res = await fetch(`${t.server.baseUrl}/api/v1/me`, { headers: { Authorization: authorization } });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
  });
});

describe('CLI', () => {
  test('oauth:app:create prints the credentials once and stores the secret hashed', async () => {
    const created = (await cli(
      'oauth:app:create',
      '--name',
      'Reporting',
      '--redirect-uris',
      'https://a.example/cb http://localhost:9/cb',
    )) as Record<string, string>;
    expect(Object.keys(created).sort()).toEqual(['client_id', 'client_secret', 'name', 'redirect_uris']);
    expect(created).toMatchObject({
      name: 'Reporting',
      redirect_uris: 'https://a.example/cb http://localhost:9/cb',
    });
    const row = await t.ctx.runtime.db('oauth_applications').where('client_id', created.client_id).first();
    expect(row.redirect_uris).toEqual(['https://a.example/cb', 'http://localhost:9/cb']);
    expect(JSON.stringify(row)).not.toContain(created.client_secret);
  });

  test('oauth:app:create refuses http redirect URIs when SITE_URL is https', async () => {
    const run = promisify(execFile)(
      path.join(ROOT, 'node_modules/.bin/tsx'),
      ['src/main/cli.ts', 'oauth:app:create', '--name', 'X', '--redirect-uris', 'http://a.example/cb'],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: t.ctx.config.DATABASE_URL, SITE_URL: 'https://t.example' },
      },
    );
    await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('redirect_uris') });
  });

  test('user:set-password changes the password and ends login sessions of the pages', async () => {
    const { user } = await makeUserInTwoOrganizers(t.ctx.runtime.db);
    const pages = new PageClient(t.server.baseUrl);
    await pages.login(user.email, user.password);
    expect(await cli('user:set-password', '--email', user.email, '--password', 'a new password!')).toEqual({
      id: user.id,
      email: user.email,
    });
    const url = authorizeUrlWith(oauthClient(t.server.baseUrl, t.app), { redirect_uri: REDIRECT_URI });
    expect((await pages.request(url)).status).toBe(302);
    const withOldPassword = new PageClient(t.server.baseUrl);
    await withOldPassword.login(user.email, user.password);
    expect(withOldPassword.cookies.has('tixport_oauth_session')).toBe(false);
    const fresh = new PageClient(t.server.baseUrl);
    await fresh.login(user.email, 'a new password!');
    expect(fresh.cookies.has('tixport_oauth_session')).toBe(true);
  });
});
