import {
  REDIRECT_URI,
  authorizeCode,
  authorizeUrlWith,
  makeApplication,
  oauthClient,
  oauthFailure,
  pkcePair,
  useOAuthWorld,
  PageClient,
  hiddenFields,
  locationParams,
} from './support';

const t = useOAuthWorld();

const client = (method: 'header' | 'body' = 'header', application = t.app) =>
  oauthClient(t.server.baseUrl, application, method);

async function code(params: Record<string, string> = {}, application = t.app): Promise<string> {
  const url = authorizeUrlWith(client('header', application), { redirect_uri: REDIRECT_URI, ...params });
  return authorizeCode(t.server.baseUrl, url, t.world.user, [t.world.first.id]);
}

/** The status of /api/v1/me with this access token: 200 while it lives, 401 (no valid credentials) once dead. */
async function me(accessToken: string): Promise<number> {
  const res = await fetch(`${t.server.baseUrl}/api/v1/me`, {
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  return res.status;
}

async function rawToken(form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.server.baseUrl}/api/v1/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('POST /api/v1/oauth/token, authorization_code', () => {
  test('without client authentication answers 401 (pretix 56)', async () => {
    const res = await rawToken({
      grant_type: 'authorization_code',
      code: await code(),
      redirect_uri: REDIRECT_URI,
    });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'invalid_client' });
  });

  test('with a wrong client secret answers 401', async () => {
    const wrong = oauthClient(t.server.baseUrl, {
      client_id: t.app.client_id,
      client_secret: 'x'.repeat(64),
    });
    const failure = await oauthFailure(wrong.getToken({ code: await code(), redirect_uri: REDIRECT_URI }));
    expect(failure.status).toBe(401);
  });

  test.each(['header', 'body'] as const)(
    'with client authentication by %s gives pretix token response; tokens stored hashed (pretix 56)',
    async (method) => {
      const token = await client(method).getToken({ code: await code(), redirect_uri: REDIRECT_URI });
      expect(Object.keys(token.token).sort()).toEqual(
        ['access_token', 'expires_at', 'expires_in', 'refresh_token', 'scope', 'token_type'].sort(),
      );
      expect(token.token).toMatchObject({ expires_in: 86400, token_type: 'Bearer', scope: 'read write' });
      const accessToken = token.token.access_token as string;
      const refreshToken = token.token.refresh_token as string;
      expect(accessToken).not.toBe(refreshToken);

      const tables = await Promise.all(
        ['oauth_access_tokens', 'oauth_refresh_tokens', 'oauth_grants'].map((table) =>
          t.ctx.runtime.db(table).select('*'),
        ),
      );
      const dump = JSON.stringify(tables);
      expect(dump).not.toContain(accessToken);
      expect(dump).not.toContain(refreshToken);
      const grant = await t.ctx.runtime
        .db('oauth_access_tokens as t')
        .join('oauth_grants as g', 'g.id', 't.grant_id')
        .join('oauth_grant_organizers as o', 'o.grant_id', 'g.id')
        .where('g.user_id', t.world.user.id)
        .orderBy('t.id', 'desc')
        .first('o.organizer_id', 't.expires_at');
      expect(grant.organizer_id).toBe(t.world.first.id);
      expect(Math.abs(grant.expires_at.getTime() - Date.now() - 86400_000)).toBeLessThan(60_000);
      expect(await me(accessToken)).toBe(200);
    },
  );

  test('a code is single-use; reusing it fails and revokes the tokens issued from it', async () => {
    const theCode = await code();
    const first = await client().getToken({ code: theCode, redirect_uri: REDIRECT_URI });
    expect(await me(first.token.access_token as string)).toBe(200);

    const replay = await oauthFailure(client().getToken({ code: theCode, redirect_uri: REDIRECT_URI }));
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ error: 'invalid_grant' });

    expect(await me(first.token.access_token as string)).toBe(401);
    const refresh = await oauthFailure(first.refresh());
    expect(refresh.status).toBe(400);
    expect(refresh.body).toMatchObject({ error: 'invalid_grant' });
  });

  test('a code expires after 60 seconds', async () => {
    const theCode = await code();
    await t.ctx.runtime
      .db('oauth_grants')
      .where('user_id', t.world.user.id)
      .orderBy('id', 'desc')
      .limit(1)
      .update({ code_expires_at: new Date(Date.now() - 1000) });
    const failure = await oauthFailure(client().getToken({ code: theCode, redirect_uri: REDIRECT_URI }));
    expect(failure.status).toBe(400);
    expect(failure.body).toMatchObject({ error: 'invalid_grant' });
  });

  test('the redirect URI must be the one of the authorization request', async () => {
    const other = 'https://client.example/other';
    const twoUris = await makeApplication(t.ctx.runtime.db, { redirectUris: [REDIRECT_URI, other] });
    const theCode = await code({}, twoUris);
    const failure = await oauthFailure(
      client('header', twoUris).getToken({ code: theCode, redirect_uri: other }),
    );
    expect(failure.status).toBe(400);
    expect(failure.body).toMatchObject({ error: 'invalid_request' });
  });

  test('a code issued to another client is refused', async () => {
    const otherApp = await makeApplication(t.ctx.runtime.db);
    const failure = await oauthFailure(
      client('header', otherApp).getToken({ code: await code(), redirect_uri: REDIRECT_URI }),
    );
    expect(failure.status).toBe(400);
    expect(failure.body).toMatchObject({ error: 'invalid_grant' });
  });
});

describe('PKCE (S256)', () => {
  test('the right verifier gets a token', async () => {
    const { verifier, challenge } = pkcePair();
    const theCode = await code({ code_challenge: challenge, code_challenge_method: 'S256' });
    const token = await client().getToken({
      code: theCode,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    } as never);
    expect(await me(token.token.access_token as string)).toBe(200);
  });

  test('a wrong or missing verifier gives invalid_grant', async () => {
    const { challenge } = pkcePair();
    const wrong = await oauthFailure(
      client().getToken({
        code: await code({ code_challenge: challenge, code_challenge_method: 'S256' }),
        redirect_uri: REDIRECT_URI,
        code_verifier: pkcePair().verifier,
      } as never),
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ error: 'invalid_grant' });

    const missing = await oauthFailure(
      client().getToken({
        code: await code({ code_challenge: challenge, code_challenge_method: 'S256' }),
        redirect_uri: REDIRECT_URI,
      }),
    );
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: 'invalid_grant' });
  });

  test('a public client exchanges its code with the verifier alone, and can refresh', async () => {
    const publicApp = await makeApplication(t.ctx.runtime.db, { clientType: 'public' });
    const { verifier, challenge } = pkcePair();
    const theCode = await code({ code_challenge: challenge, code_challenge_method: 'S256' }, publicApp);
    const publicClient = client('body', publicApp);
    const token = await publicClient.getToken({
      code: theCode,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    } as never);
    expect(token.token).toMatchObject({ token_type: 'Bearer', scope: 'read write' });
    const refreshed = await token.refresh();
    expect(await me(refreshed.token.access_token as string)).toBe(200);
  });

  test('a confidential client without its secret is refused even with PKCE', async () => {
    const { verifier, challenge } = pkcePair();
    const theCode = await code({ code_challenge: challenge, code_challenge_method: 'S256' });
    const res = await rawToken({
      grant_type: 'authorization_code',
      client_id: t.app.client_id,
      code: theCode,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    expect(res.status).toBe(401);
  });
});

describe('refresh_token grant', () => {
  test('issues a new access token, kills the old one, keeps refresh token and organizers (pretix 58)', async () => {
    const token = await client().getToken({ code: await code(), redirect_uri: REDIRECT_URI });
    const refreshed = await token.refresh();
    expect(refreshed.token).toMatchObject({
      expires_in: 86400,
      token_type: 'Bearer',
      scope: 'read write',
      refresh_token: token.token.refresh_token,
    });
    expect(refreshed.token.access_token).not.toBe(token.token.access_token);
    expect(await me(token.token.access_token as string)).toBe(401);

    const organizers = await fetch(`${t.server.baseUrl}/api/v1/organizers/`, {
      headers: { Authorization: `Bearer ${refreshed.token.access_token as string}` },
    });
    const body = (await organizers.json()) as { results: { slug: string }[] };
    expect(body.results.map((o) => o.slug)).toEqual([t.world.first.slug]);
  });

  test('a narrower scope may be asked for, a wider one not', async () => {
    const token = await client().getToken({
      code: await code({ scope: 'read' }),
      redirect_uri: REDIRECT_URI,
    });
    const wider = await oauthFailure(token.refresh({ scope: 'read write' }));
    expect(wider.body).toMatchObject({ error: 'invalid_scope' });
    const same = await token.refresh({ scope: 'read' });
    expect(same.token.scope).toBe('read');
  });

  test('an unknown refresh token gives 400 invalid_grant', async () => {
    const fake = client().createToken({
      access_token: 'a',
      refresh_token: 'f'.repeat(64),
      token_type: 'Bearer',
    });
    const failure = await oauthFailure(fake.refresh());
    expect(failure.status).toBe(400);
    expect(failure.body).toMatchObject({ error: 'invalid_grant' });
  });
});

describe('POST /api/v1/oauth/revoke_token', () => {
  test('revoking the refresh token ends the access token too (pretix 60)', async () => {
    const token = await client().getToken({ code: await code(), redirect_uri: REDIRECT_URI });
    await token.revoke('refresh_token');
    expect(await me(token.token.access_token as string)).toBe(401);
    const failure = await oauthFailure(token.refresh());
    expect(failure.status).toBe(400);
    const row = await t.ctx.runtime.db('oauth_refresh_tokens').orderBy('id', 'desc').first();
    expect(row.revoked_at).toBeInstanceOf(Date);
  });

  test('revoking the access token leaves the refresh token usable, with its organizers (pretix 60)', async () => {
    const token = await client().getToken({ code: await code(), redirect_uri: REDIRECT_URI });
    await token.revoke('access_token');
    expect(await me(token.token.access_token as string)).toBe(401);
    const refreshed = await token.refresh();
    const res = await fetch(`${t.server.baseUrl}/api/v1/organizers/${t.world.first.slug}/`, {
      headers: { Authorization: `Bearer ${refreshed.token.access_token as string}` },
    });
    expect(res.status).toBe(200);
  });

  test('another client cannot revoke the token; without client authentication it is 401', async () => {
    const token = await client().getToken({ code: await code(), redirect_uri: REDIRECT_URI });
    const otherApp = await makeApplication(t.ctx.runtime.db);
    const res = await fetch(`${t.server.baseUrl}/api/v1/oauth/revoke_token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${otherApp.client_id}:${otherApp.client_secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ token: token.token.access_token as string }).toString(),
    });
    expect(res.status).toBe(200);
    expect(await me(token.token.access_token as string)).toBe(200);

    const anonymous = await fetch(`${t.server.baseUrl}/api/v1/oauth/revoke_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: token.token.access_token as string }).toString(),
    });
    expect(anonymous.status).toBe(401);
  });
});

describe('GET/POST /api/v1/oauth/applications/', () => {
  test('the user disconnects the application: its access token is gone, refreshing fails (pretix 61)', async () => {
    const token = await client().getToken({ code: await code(), redirect_uri: REDIRECT_URI });
    const applicationId: number = (
      await t.ctx.runtime.db('oauth_applications').where('client_id', t.app.client_id).first('id')
    ).id;
    const pages = new PageClient(t.server.baseUrl);
    await pages.login(t.world.user.email, t.world.user.password);
    const listed = await pages.request('/api/v1/oauth/applications/');
    const html = await listed.text();
    expect(listed.status).toBe(200);
    expect(html).toContain('Disconnect Test Integration');
    expect(hiddenFields(html)).toContainEqual(['application', String(applicationId)]);

    const csrf = hiddenFields(html).find(([name]) => name === 'csrf_token')!;
    const res = await pages.request('/api/v1/oauth/applications/', [
      csrf,
      ['application', String(applicationId)],
    ]);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/api/v1/oauth/applications/?disconnected=1');

    expect(await me(token.token.access_token as string)).toBe(401);
    const failure = await oauthFailure(token.refresh());
    expect(failure.status).toBe(400);
    const after = await (await pages.request('/api/v1/oauth/applications/?disconnected=1')).text();
    expect(after).toContain('The application was disconnected.');
    expect(hiddenFields(after)).not.toContainEqual(['application', String(applicationId)]);
  });

  test('without a login the page sends the browser to the login page', async () => {
    const res = await new PageClient(t.server.baseUrl).request('/api/v1/oauth/applications/');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(
      '/api/v1/oauth/login/?next=%2Fapi%2Fv1%2Foauth%2Fapplications%2F',
    );
  });
});

describe('approval_prompt=auto', () => {
  test('skips the consent page once the user holds a live profile token of the application', async () => {
    const url = authorizeUrlWith(client(), {
      redirect_uri: REDIRECT_URI,
      scope: 'profile',
      approval_prompt: 'auto',
    });
    const pages = new PageClient(t.server.baseUrl);
    await pages.login(t.world.user.email, t.world.user.password);
    const firstVisit = await pages.consent(url, { organizers: [] });
    expect(firstVisit.status).toBe(302);
    const token = await client().getToken({
      code: locationParams(firstVisit).get('code')!,
      redirect_uri: REDIRECT_URI,
    });
    expect(token.token.scope).toBe('profile');

    const secondVisit = await pages.request(url);
    expect(secondVisit.status).toBe(302);
    const again = await client().getToken({
      code: locationParams(secondVisit).get('code')!,
      redirect_uri: REDIRECT_URI,
    });
    expect(await me(again.token.access_token as string)).toBe(200);
  });
});
