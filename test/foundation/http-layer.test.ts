import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { makeOrganizer, makeTeamWithToken } from '../support/factories';
import { TeamsService } from '../../src/modules/teams/teams.service';

let ctx: TestContext;
let organizerSlug: string;
let teamId: number;
let authorization: string;

beforeAll(async () => {
  ctx = createTestContext();
  const organizer = await makeOrganizer(ctx.runtime.db);
  organizerSlug = organizer.slug;
  const made = await makeTeamWithToken(ctx.runtime.db, organizer.id, { permissions: ['can_change_teams'] });
  ({ authorization } = made);
  teamId = made.team.id;
  const teams = new TeamsService(ctx.runtime.db);
  // Seven tokens in all, named so that their order by name is known: "test token" sorts last.
  for (const name of ['a1', 'a2', 'a3', 'a4', 'a5', 'a6']) await teams.createToken(teamId, name);
});
afterAll(() => ctx.close());

describe('pagination', () => {
  const url = () => `/api/v1/organizers/${organizerSlug}/teams/${teamId}/tokens/`;
  const names = (body: { results: { name: string }[] }) => body.results.map((r) => r.name);

  test('pages keep the other query parameters in absolute next/previous links', async () => {
    const first = await request(ctx.app)
      .get(`${url()}?page_size=3&foo=bar`)
      .set('Authorization', authorization);
    expect(first.status).toBe(200);
    expect(first.body.count).toBe(7);
    expect(names(first.body)).toEqual(['a1', 'a2', 'a3']);
    expect(first.body.previous).toBeNull();
    expect(first.body.next).toBe(`http://tixport.test${url()}?page_size=3&foo=bar&page=2`);

    const second = await request(ctx.app)
      .get(`${url()}?page_size=3&foo=bar&page=2`)
      .set('Authorization', authorization);
    expect(names(second.body)).toEqual(['a4', 'a5', 'a6']);
    // Page 1's link drops the page parameter, as DRF does.
    expect(second.body.previous).toBe(`http://tixport.test${url()}?page_size=3&foo=bar`);
    expect(second.body.next).toBe(`http://tixport.test${url()}?page_size=3&foo=bar&page=3`);

    const last = await request(ctx.app)
      .get(`${url()}?page_size=3&page=last`)
      .set('Authorization', authorization);
    expect(names(last.body)).toEqual(['test token']);
    expect(last.body.next).toBeNull();
    expect(last.body.previous).toBe(`http://tixport.test${url()}?page_size=3&page=2`);
  });

  test.each(['0', '4', 'abc', '-1', '1.5'])('page=%s answers 404 Invalid page.', async (page) => {
    const res = await request(ctx.app)
      .get(`${url()}?page_size=3&page=${page}`)
      .set('Authorization', authorization);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Invalid page.' });
  });

  test.each(['1000', '-5', 'x', '0'])(
    'page_size=%s can only shrink pages (falls back to 50)',
    async (size) => {
      const res = await request(ctx.app)
        .get(`${url()}?page_size=${size}`)
        .set('Authorization', authorization);
      expect(res.status).toBe(200);
      expect(res.body.results).toHaveLength(7);
      expect(res.body.next).toBeNull();
    },
  );

  test('an empty list is one page with count 0', async () => {
    const organizer = await makeOrganizer(ctx.runtime.db);
    const { team, authorization: auth } = await makeTeamWithToken(ctx.runtime.db, organizer.id, {
      permissions: ['can_change_teams'],
    });
    const res = await request(ctx.app)
      .get(`/api/v1/organizers/${organizer.slug}/teams/${team.id}/members/`)
      .set('Authorization', auth);
    expect(res.body).toEqual({ count: 0, next: null, previous: null, results: [] });
  });
});

describe('routing and errors', () => {
  test('GET without the trailing slash redirects permanently, keeping the query', async () => {
    const res = await request(ctx.app)
      .get(`/api/v1/organizers/${organizerSlug}?x=1`)
      .set('Authorization', authorization);
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe(`/api/v1/organizers/${organizerSlug}/?x=1`);
  });

  test.each(['post', 'put', 'patch'] as const)(
    '%s without the trailing slash answers 404',
    async (method) => {
      const res = await request(ctx.app)
        [method](`/api/v1/organizers/${organizerSlug}/teams`)
        .set('Authorization', authorization)
        .send({ name: 'x' });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: 'Please append a / at the end of the URL.' });
      expect(await ctx.runtime.db('teams').where({ name: 'x' })).toEqual([]);
    },
  );

  test('a method the resource does not have answers 405', async () => {
    const res = await request(ctx.app)
      .delete(`/api/v1/organizers/${organizerSlug}/teams/`)
      .set('Authorization', authorization);
    expect(res.status).toBe(405);
    expect(res.body).toEqual({ detail: 'Method "DELETE" not allowed.' });
  });

  test('an unknown route answers 404 in JSON', async () => {
    const res = await request(ctx.app).get('/api/v1/nothing-here/').set('Authorization', authorization);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toEqual({ detail: 'Not found.' });
  });

  test('malformed JSON answers 400 JSON parse error', async () => {
    const res = await request(ctx.app)
      .post(`/api/v1/organizers/${organizerSlug}/teams/`)
      .set('Authorization', authorization)
      .set('Content-Type', 'application/json')
      .send('{"name": ');
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/^JSON parse error - /);
  });

  test('an unsupported body type answers 415', async () => {
    const res = await request(ctx.app)
      .post(`/api/v1/organizers/${organizerSlug}/teams/`)
      .set('Authorization', authorization)
      .set('Content-Type', 'text/plain')
      .send('name=x');
    expect(res.status).toBe(415);
    expect(res.body).toEqual({ detail: 'Unsupported media type "text/plain" in request.' });
  });

  test('form-encoded bodies are accepted like JSON', async () => {
    const res = await request(ctx.app)
      .post(`/api/v1/organizers/${organizerSlug}/teams/`)
      .set('Authorization', authorization)
      .type('form')
      .send({ name: 'From a form' });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('From a form');
  });

  test('every response carries a request id; a sane client id is kept', async () => {
    const own = await request(ctx.app).get('/healthz').set('X-Request-Id', 'abc-123');
    expect(own.headers['x-request-id']).toBe('abc-123');
    const generated = await request(ctx.app).get('/healthz').set('X-Request-Id', 'bad id with spaces');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('an unexpected failure answers 500 Internal server error. without leaking details', async () => {
    const broken = createTestContext({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/tixport_no_such_database',
    });
    try {
      const res = await request(broken.app)
        .get(`/api/v1/organizers/${organizerSlug}/`)
        .set('Authorization', authorization);
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ detail: 'Internal server error.' });
    } finally {
      await broken.close();
    }
  });

  test('/api/ redirects to /api/v1/', async () => {
    const res = await request(ctx.app).get('/api/');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/api/v1/');
  });
});

describe('GET /api/v1/ (the URL npm start prints)', () => {
  test('answers without credentials with the docs, how to authenticate and links that work', async () => {
    const res = await request(ctx.app).get('/api/v1/');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      organizers: 'http://tixport.test/api/v1/organizers/',
      me: 'http://tixport.test/api/v1/me',
      version: 'http://tixport.test/api/v1/version',
      docs: 'https://docs.pretix.eu/dev/api/',
    });
    expect(res.body.authentication).toContain('Authorization: Token');
    const organizers = await request(ctx.app)
      .get(new URL(res.body.organizers as string).pathname)
      .set('Authorization', authorization);
    expect(organizers.status).toBe(200);
    expect(organizers.body.results.map((o: { slug: string }) => o.slug)).toContain(organizerSlug);
  });

  test('/api/v1 without its slash is redirected to it', async () => {
    const res = await request(ctx.app).get('/api/v1');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('/api/v1/');
  });
});

describe('GET /api/v1/version', () => {
  test('answers the pretix version this API speaks', async () => {
    const res = await request(ctx.app).get('/api/v1/version').set('Authorization', authorization);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ pretix: '2025.10.0', pretix_numeric: 20250100005000 });
  });

  test('answers 401 without credentials, like every other endpoint', async () => {
    const res = await request(ctx.app).get('/api/v1/version');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Token');
    expect(res.body).toEqual({ detail: 'Authentication credentials were not provided.' });
  });
});

describe('health', () => {
  test('/healthz and /readyz answer 200 when Postgres and Redis answer', async () => {
    expect((await request(ctx.app).get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await request(ctx.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', postgres: 'ok', redis: 'ok' });
  });

  test('/readyz answers 503 when Redis is unreachable', async () => {
    const cut = createTestContext({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const ready = await request(cut.app).get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({ status: 'unavailable', postgres: 'ok', redis: 'unreachable' });
      expect((await request(cut.app).get('/healthz')).status).toBe(200);
    } finally {
      await cut.close();
    }
  });
});
