import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { makeEvent, makeOrganizer, makeTeamWithToken } from '../support/factories';

let ctx: TestContext;
let organizerSlug: string;
let authorization: string;

beforeAll(async () => {
  ctx = createTestContext();
  const organizer = await makeOrganizer(ctx.runtime.db);
  organizerSlug = organizer.slug;
  ({ authorization } = await makeTeamWithToken(ctx.runtime.db, organizer.id, { permissions: 'all' }));
});
afterAll(() => ctx.close());

describe('Authorization header', () => {
  test('without credentials answers 401 with a Token challenge', async () => {
    const res = await request(ctx.app).get(`/api/v1/organizers/${organizerSlug}/`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Token');
    expect(res.body).toEqual({ detail: 'Authentication credentials were not provided.' });
  });

  test('an unknown scheme counts as no credentials', async () => {
    const res = await request(ctx.app)
      .get(`/api/v1/organizers/${organizerSlug}/`)
      .set('Authorization', 'Basic Zm9vOmJhcg==');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Authentication credentials were not provided.' });
  });

  test.each([
    ['Token', 'Invalid token header. No credentials provided.'],
    ['Token a b', 'Invalid token header. Token string should not contain spaces.'],
    ['Token abcä', 'Invalid token header. Token string should not contain invalid characters.'],
  ])('malformed header %j answers 401 %j', async (header, detail) => {
    const res = await request(ctx.app)
      .get(`/api/v1/organizers/${organizerSlug}/`)
      .set('Authorization', header);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail });
  });

  test('an unknown token answers 401 Invalid token.', async () => {
    const res = await request(ctx.app)
      .get(`/api/v1/organizers/${organizerSlug}/`)
      .set('Authorization', `Token ${'z'.repeat(64)}`);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Invalid token.' });
  });

  test('the keyword is case-insensitive', async () => {
    const res = await request(ctx.app)
      .get(`/api/v1/organizers/${organizerSlug}/`)
      .set('Authorization', authorization.replace('Token', 'token'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      name: `Organizer ${organizerSlug}`,
      slug: organizerSlug,
      public_url: `http://tixport.test/${organizerSlug}/`,
    });
  });

  test('a deactivated token stops working at once', async () => {
    const organizer = await makeOrganizer(ctx.runtime.db);
    const admin = await makeTeamWithToken(ctx.runtime.db, organizer.id, {
      permissions: ['can_change_teams'],
    });
    const victim = await makeTeamWithToken(ctx.runtime.db, organizer.id);
    const before = await request(ctx.app)
      .get(`/api/v1/organizers/${organizer.slug}/`)
      .set('Authorization', victim.authorization);
    expect(before.status).toBe(200);

    const deleted = await request(ctx.app)
      .delete(`/api/v1/organizers/${organizer.slug}/teams/${victim.team.id}/tokens/${victim.tokenId}/`)
      .set('Authorization', admin.authorization);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ id: victim.tokenId, name: 'test token', active: false });

    const after = await request(ctx.app)
      .get(`/api/v1/organizers/${organizer.slug}/`)
      .set('Authorization', victim.authorization);
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ detail: 'Token inactive or deleted.' });
  });

  test('tokens are stored hashed, never in clear', async () => {
    const organizer = await makeOrganizer(ctx.runtime.db);
    const { token, tokenId } = await makeTeamWithToken(ctx.runtime.db, organizer.id);
    const row = await ctx.runtime.db('team_api_tokens').where('id', tokenId).first();
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('organizer and event scoping', () => {
  test('a token of organizer A gets 403 on organizer B and on a missing organizer', async () => {
    const other = await makeOrganizer(ctx.runtime.db);
    for (const slug of [other.slug, 'does-not-exist']) {
      const res = await request(ctx.app)
        .get(`/api/v1/organizers/${slug}/`)
        .set('Authorization', authorization);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ detail: 'You do not have permission to perform this action.' });
    }
  });

  test('GET /organizers/ lists only the token organizer', async () => {
    await makeOrganizer(ctx.runtime.db);
    const res = await request(ctx.app).get('/api/v1/organizers/').set('Authorization', authorization);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ count: 1, next: null, previous: null });
    expect(res.body.results.map((o: { slug: string }) => o.slug)).toEqual([organizerSlug]);
  });

  test('a team limited to some events cannot reach the others', async () => {
    const organizer = await makeOrganizer(ctx.runtime.db);
    const inside = await makeEvent(ctx.runtime.db, organizer.id);
    const outside = await makeEvent(ctx.runtime.db, organizer.id);
    const { team, tokenId } = await makeTeamWithToken(ctx.runtime.db, organizer.id, {
      events: [inside.slug],
    });
    expect(team.limit_events).toEqual([inside.slug]);
    const access = await import('../../src/modules/access/access.service');
    const service = new access.AccessService(ctx.runtime.db);
    const { teamTokenPrincipal } = await import('../../src/modules/access/principal');
    const principal = teamTokenPrincipal({ id: tokenId, team_id: team.id, organizer_id: organizer.id });
    await expect(service.eventAccess(principal, organizer.slug, inside.slug)).resolves.toMatchObject({
      event: { id: inside.id },
    });
    await expect(service.eventAccess(principal, organizer.slug, outside.slug)).rejects.toMatchObject({
      status: 403,
    });
  });
});
