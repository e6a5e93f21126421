import { createTestContext } from '../support/app';
import { makeUser } from '../support/factories';
import {
  PageClient,
  authorizeUrlWith,
  REDIRECT_URI,
  hiddenFields,
  listen,
  locationParams,
  makeApplication,
  oauthClient,
  pkcePair,
  useOAuthWorld,
} from './support';

let pages: PageClient;

/** An authorize URL of the test application, as a client builds it. */
function authorizePath(params: Record<string, string | undefined>): string {
  const query = new URLSearchParams({ client_id: t.app.client_id });
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, value);
  return `/api/v1/oauth/authorize?${query.toString()}`;
}

const t = useOAuthWorld();
beforeAll(async () => {
  pages = new PageClient(t.server.baseUrl);
  expect((await pages.login(t.world.user.email, t.world.user.password)).status).toBe(200);
  expect(pages.cookies.has('tixport_oauth_session')).toBe(true);
});

describe('GET /api/v1/oauth/authorize', () => {
  test('without a login redirects to the login page, which leads back after logging in (pretix 51)', async () => {
    const fresh = new PageClient(t.server.baseUrl);
    const url = oauthClient(t.server.baseUrl, t.app).authorizeURL({
      redirect_uri: REDIRECT_URI,
      state: 's1',
    });
    const res = await fresh.request(url);
    expect(res.status).toBe(302);
    const target = new URL(res.headers.get('location')!, t.server.baseUrl);
    expect(target.pathname).toBe('/api/v1/oauth/login/');
    expect(target.searchParams.get('next')).toBe(url.slice(t.server.baseUrl.length));

    const loginPage = await fresh.request(res.headers.get('location')!);
    const html = await loginPage.text();
    expect(loginPage.status).toBe(200);
    expect(html).toContain('Test Integration');
    const form = hiddenFields(html);
    expect(form.map(([name]) => name)).toEqual(['csrf_token', 'next']);
    const loggedIn = await fresh.request('/api/v1/oauth/login/', [
      ...form,
      ['email', t.world.user.email.toUpperCase()],
      ['password', t.world.user.password],
    ]);
    expect(loggedIn.status).toBe(303);
    expect(loggedIn.headers.get('location')).toBe(url.slice(t.server.baseUrl.length));
    const consent = await fresh.request(loggedIn.headers.get('location')!);
    expect(consent.status).toBe(200);
  });

  test('the page cookies are HttpOnly, SameSite=Lax and limited to the OAuth pages', async () => {
    const fresh = new PageClient(t.server.baseUrl);
    const page = await fresh.request('/api/v1/oauth/login/');
    const csrf = hiddenFields(await page.text());
    const res = await fresh.request('/api/v1/oauth/login/', [
      ...csrf,
      ['email', t.world.user.email],
      ['password', t.world.user.password],
    ]);
    const cookies = res.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThanOrEqual(2);
    for (const cookie of cookies) {
      expect(cookie).toMatch(/Path=\/api\/v1\/oauth\//);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Lax/);
      expect(cookie).not.toMatch(/Secure/);
    }
    const session = [...fresh.cookies.values()].join(' ');
    const rows = await t.ctx.runtime.db('oauth_page_sessions').select('token_hash');
    expect(JSON.stringify(rows)).not.toContain(fresh.cookies.get('tixport_oauth_session'));
    expect(session).toBeTruthy();
  });

  test('the cookies are Secure when SITE_URL is https', async () => {
    const secureCtx = createTestContext({ SITE_URL: 'https://tixport.example' });
    const secureServer = await listen(secureCtx.app);
    try {
      const res = await new PageClient(secureServer.baseUrl).request('/api/v1/oauth/login/');
      expect(res.headers.getSetCookie().join('\n')).toMatch(/; Secure/);
    } finally {
      await secureServer.close();
      await secureCtx.close();
    }
  });

  test('after login only tixport’s own authorize URL is followed, never a foreign next', async () => {
    const fresh = new PageClient(t.server.baseUrl);
    const page = await fresh.request('/api/v1/oauth/login/?next=https%3A%2F%2Fevil.example%2F');
    const form = hiddenFields(await page.text());
    expect(form).toContainEqual(['next', '']);
    const res = await fresh.request('/api/v1/oauth/login/', [
      ['csrf_token', form[0]![1]],
      ['next', '//evil.example/'],
      ['email', t.world.user.email],
      ['password', t.world.user.password],
    ]);
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('You are logged in.');
  });

  test('a wrong password shows the form again with an error and no session', async () => {
    const fresh = new PageClient(t.server.baseUrl);
    const page = await fresh.request('/api/v1/oauth/login/');
    const res = await fresh.request('/api/v1/oauth/login/', [
      ...hiddenFields(await page.text()),
      ['email', t.world.user.email],
      ['password', 'wrong password'],
    ]);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Please enter a correct email address and password.');
    expect(fresh.cookies.has('tixport_oauth_session')).toBe(false);
  });

  test('after 10 failed logins for an address, even the right password is refused for a while', async () => {
    const user = await makeUser(t.ctx.runtime.db);
    const attempt = async (password: string) => {
      const fresh = new PageClient(t.server.baseUrl);
      const page = await fresh.request('/api/v1/oauth/login/');
      const res = await fresh.request('/api/v1/oauth/login/', [
        ...hiddenFields(await page.text()),
        ['email', user.email],
        ['password', password],
      ]);
      return {
        status: res.status,
        html: await res.text(),
        session: fresh.cookies.has('tixport_oauth_session'),
      };
    };
    for (let i = 0; i < 10; i++) expect((await attempt('wrong password')).status).toBe(200);
    const blocked = await attempt(user.password);
    expect(blocked.status).toBe(429);
    expect(blocked.html).toContain('Too many failed login attempts.');
    expect(blocked.session).toBe(false);
    const key = (await t.ctx.runtime.redis.keys(`${t.ctx.queuePrefix}:oauth:login-failures:*`))[0]!;
    expect(key).not.toContain(user.email);
    expect(await t.ctx.runtime.redis.ttl(key)).toBeGreaterThan(800);
  });

  test('a login form without the CSRF token is refused with 403', async () => {
    const fresh = new PageClient(t.server.baseUrl);
    await fresh.request('/api/v1/oauth/login/');
    const res = await fresh.request('/api/v1/oauth/login/', [
      ['csrf_token', 'forged'],
      ['email', t.world.user.email],
      ['password', t.world.user.password],
    ]);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('CSRF verification failed');
  });

  test('a deactivated user cannot log in', async () => {
    const user = await makeUser(t.ctx.runtime.db);
    await t.ctx.runtime.db('users').where('id', user.id).update({ is_active: false });
    const res = await new PageClient(t.server.baseUrl).login(user.email, user.password);
    expect(res.status).toBe(200);
  });

  test('an unregistered redirect URI gives a 400 page, not a redirect (pretix 52)', async () => {
    const res = await pages.request(
      authorizePath({ response_type: 'code', redirect_uri: 'https://evil.example/' }),
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('Mismatching redirect URI.');
  });

  test('an unknown client gives a 400 page', async () => {
    const res = await pages.request('/api/v1/oauth/authorize?client_id=nope&response_type=code');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Invalid client_id parameter value.');
  });

  test('a missing response_type is sent back to the client as pretix does (pretix 52)', async () => {
    const res = await pages.request(authorizePath({ redirect_uri: REDIRECT_URI }));
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(
      `${REDIRECT_URI}?error=invalid_request&error_description=Missing+response_type+parameter.`,
    );
  });

  test.each([
    ['token', 'unauthorized_client'],
    ['code id_token', 'unauthorized_client'],
    ['id_token', 'unsupported_response_type'],
  ])('response_type=%j gives error=%s (pretix 54)', async (responseType, error) => {
    const res = await pages.request(
      authorizePath({ response_type: responseType, redirect_uri: REDIRECT_URI }),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${REDIRECT_URI}?error=${error}`);
  });

  test('an unknown scope gives error=invalid_scope with the state', async () => {
    const res = await pages.request(authorizePath({ response_type: 'code', scope: 'admin', state: 'xyz' }));
    expect(res.headers.get('location')).toBe(`${REDIRECT_URI}?error=invalid_scope&state=xyz`);
  });

  test('PKCE with the plain method is refused', async () => {
    const res = await pages.request(
      authorizePath({
        response_type: 'code',
        code_challenge: 'a'.repeat(43),
        code_challenge_method: 'plain',
      }),
    );
    expect(locationParams(res).get('error')).toBe('invalid_request');
    expect(locationParams(res).get('error_description')).toBe('Transform algorithm not supported.');
  });

  test('a public client must use PKCE', async () => {
    const publicApp = await makeApplication(t.ctx.runtime.db, { clientType: 'public' });
    expect(publicApp.client_secret).toBeNull();
    const url = oauthClient(t.server.baseUrl, publicApp).authorizeURL({ redirect_uri: REDIRECT_URI });
    const res = await pages.request(url);
    expect(res.headers.get('location')).toBe(
      `${REDIRECT_URI}?error=invalid_request&error_description=Code+challenge+required.`,
    );
    const { challenge } = pkcePair();
    const withPkce = await pages.request(
      authorizeUrlWith(oauthClient(t.server.baseUrl, publicApp), {
        redirect_uri: REDIRECT_URI,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    expect(withPkce.status).toBe(200);
  });

  test('approval_prompt=auto with a scope other than profile is a client error', async () => {
    const res = await pages.request(authorizePath({ response_type: 'code', approval_prompt: 'auto' }));
    expect(res.status).toBe(400);
  });

  test('the consent page names the application and the scopes and offers one checkbox per organizer', async () => {
    const res = await pages.request(authorizePath({ response_type: 'code', scope: 'read' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('<strong>Test Integration</strong> wants to access your tixport account');
    expect(html).toContain('Read the data of the organizers you select');
    expect(html).not.toContain('Change the data');
    const boxes = [...html.matchAll(/name="organizers"\s+value="(\d+)"/g)].map((m) => Number(m[1]));
    expect(boxes.sort()).toEqual([t.world.first.id, t.world.second.id].sort());
  });
});

describe('POST /api/v1/oauth/authorize', () => {
  test('allowing without an organizer shows the form again (pretix 53)', async () => {
    const res = await pages.consent(authorizePath({ response_type: 'code' }), { organizers: [] });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Please select at least one organizer.');
  });

  test('denying redirects with error=access_denied (pretix 53)', async () => {
    const res = await pages.consent(authorizePath({ response_type: 'code', state: 'st' }), {
      organizers: [t.world.first.id],
      allow: false,
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${REDIRECT_URI}?error=access_denied&state=st`);
  });

  test.each([
    ['read', 'read'],
    [undefined, 'read write'],
  ])(
    'scope %j stores a grant with scope %j and the organizers ticked, echoing state (pretix 55)',
    async (scope, stored) => {
      const res = await pages.consent(authorizePath({ response_type: 'code', scope, state: 'asdadf' }), {
        organizers: [t.world.first.id],
      });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location')!);
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
      expect(location.searchParams.get('state')).toBe('asdadf');
      const code = location.searchParams.get('code')!;
      expect(code).toMatch(/^[0-9a-f]{64}$/);

      const grant = await t.ctx.runtime.db('oauth_grants').orderBy('id', 'desc').first();
      expect(grant.scope).toBe(stored);
      expect(grant.code_hash).not.toBe(code);
      expect(grant.code_expires_at.getTime() - grant.created_at.getTime()).toBeLessThanOrEqual(61_000);
      const organizers = await t.ctx.runtime
        .db('oauth_grant_organizers')
        .where('grant_id', grant.id)
        .pluck('organizer_id');
      expect(organizers).toEqual([t.world.first.id]);
    },
  );

  test('organizers the user does not belong to are ignored', async () => {
    const res = await pages.consent(authorizePath({ response_type: 'code' }), { organizers: [999999999] });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Please select at least one organizer.');
  });

  test('a consent form without a valid CSRF token is refused', async () => {
    const page = await pages.request(authorizePath({ response_type: 'code' }));
    const form = hiddenFields(await page.text()).map(([n, v]): [string, string] =>
      n === 'csrf_token' ? [n, 'x'.repeat(43)] : [n, v],
    );
    const res = await pages.request('/api/v1/oauth/authorize', [
      ...form,
      ['organizers', String(t.world.first.id)],
      ['allow', '1'],
    ]);
    expect(res.status).toBe(403);
  });

  test('logging out ends the session; the authorize URL asks for a login again', async () => {
    const fresh = new PageClient(t.server.baseUrl);
    await fresh.login(t.world.user.email, t.world.user.password);
    const page = await fresh.request(authorizePath({ response_type: 'code' }));
    const html = await page.text();
    const logoutForm = html.slice(html.indexOf('action="/api/v1/oauth/logout/"'));
    const res = await fresh.request('/api/v1/oauth/logout/', hiddenFields(logoutForm));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/api\/v1\/oauth\/login\/\?next=/);
    const again = await fresh.request(authorizePath({ response_type: 'code' }));
    expect(again.status).toBe(302);
    expect(again.headers.get('location')).toMatch(/^\/api\/v1\/oauth\/login\//);
  });
});
