import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { makeEvent, makeOrganizer, makeTeamWithToken, makeUser } from '../support/factories';

let ctx: TestContext;
let base: string;
let organizerId: number;
let admin: string;
let eventSlug: string;

const FLAGS_OFF = {
  can_create_events: false,
  can_change_teams: false,
  can_change_organizer_settings: false,
  can_manage_customers: false,
  can_manage_reusable_media: false,
  can_manage_gift_cards: false,
  can_change_event_settings: false,
  can_change_items: false,
  can_view_orders: false,
  can_change_orders: false,
  can_checkin_orders: false,
  can_view_vouchers: false,
  can_change_vouchers: false,
};

beforeAll(async () => {
  ctx = createTestContext();
  const organizer = await makeOrganizer(ctx.runtime.db);
  organizerId = organizer.id;
  base = `/api/v1/organizers/${organizer.slug}/teams/`;
  eventSlug = (await makeEvent(ctx.runtime.db, organizer.id)).slug;
  ({ authorization: admin } = await makeTeamWithToken(ctx.runtime.db, organizer.id, {
    permissions: ['can_change_teams'],
  }));
});
afterAll(() => ctx.close());

describe('teams', () => {
  test('create answers 201 with the team as pretix shows it', async () => {
    const res = await request(ctx.app)
      .post(base)
      .set('Authorization', admin)
      .send({ name: 'Checkin staff', limit_events: [eventSlug], can_checkin_orders: true });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      name: 'Checkin staff',
      all_events: false,
      limit_events: [eventSlug],
      require_2fa: false,
      ...FLAGS_OFF,
      can_checkin_orders: true,
    });
    const stored = await ctx.runtime.db('teams').where('id', res.body.id).first();
    expect(stored).toMatchObject({ name: 'Checkin staff', can_checkin_orders: true });
  });

  test.each([
    [{}, { name: ['This field is required.'] }],
    [{ name: '' }, { name: ['This field may not be blank.'] }],
    [{ name: 'x', all_events: 'maybe' }, { all_events: ['Must be a valid boolean.'] }],
    [
      { name: 'x', all_events: true, limit_events: ['a'] },
      { non_field_errors: ['Do not set both limit_events and all_events.'] },
    ],
    [{ name: 'x', limit_events: ['nope'] }, { limit_events: ['Object with slug=nope does not exist.'] }],
    [{ name: 'x'.repeat(191) }, { name: ['Ensure this field has no more than 190 characters.'] }],
  ])('invalid body %j answers 400 %j and writes nothing', async (body, errors) => {
    const before = await ctx.runtime
      .db('teams')
      .where({ organizer_id: organizerId })
      .count({ n: '*' })
      .first();
    const res = await request(ctx.app).post(base).set('Authorization', admin).send(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errors);
    const after = await ctx.runtime
      .db('teams')
      .where({ organizer_id: organizerId })
      .count({ n: '*' })
      .first();
    expect(after).toEqual(before);
  });

  test('PATCH changes only the given fields; PUT replaces them all', async () => {
    const created = await request(ctx.app)
      .post(base)
      .set('Authorization', admin)
      .send({ name: 'Sales', can_view_orders: true });
    const patched = await request(ctx.app)
      .patch(`${base}${created.body.id}/`)
      .set('Authorization', admin)
      .send({ can_change_orders: true });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Sales', can_view_orders: true, can_change_orders: true });

    const put = await request(ctx.app)
      .put(`${base}${created.body.id}/`)
      .set('Authorization', admin)
      .send({ name: 'Sales 2', all_events: true });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      id: created.body.id,
      name: 'Sales 2',
      all_events: true,
      limit_events: [],
      require_2fa: false,
      ...FLAGS_OFF,
    });
  });

  test('PATCH refuses all_events on a team that keeps its event list', async () => {
    const created = await request(ctx.app)
      .post(base)
      .set('Authorization', admin)
      .send({ name: 'Limited', limit_events: [eventSlug] });
    const res = await request(ctx.app)
      .patch(`${base}${created.body.id}/`)
      .set('Authorization', admin)
      .send({ all_events: true });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ non_field_errors: ['Do not set both limit_events and all_events.'] });
  });

  test('DELETE answers 204 and the team is gone (404 afterwards)', async () => {
    const created = await request(ctx.app).post(base).set('Authorization', admin).send({ name: 'Temp' });
    const deleted = await request(ctx.app).delete(`${base}${created.body.id}/`).set('Authorization', admin);
    expect(deleted.status).toBe(204);
    const again = await request(ctx.app).get(`${base}${created.body.id}/`).set('Authorization', admin);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ detail: 'Not found.' });
  });

  test('a team of another organizer, and a non-numeric id, are 404', async () => {
    const other = await makeOrganizer(ctx.runtime.db);
    const foreign = await makeTeamWithToken(ctx.runtime.db, other.id);
    for (const id of [foreign.team.id, 'abc', '99999999999']) {
      const res = await request(ctx.app).get(`${base}${id}/`).set('Authorization', admin);
      expect(res.status).toBe(404);
    }
  });

  test('every team endpoint, reads included, needs can_change_teams', async () => {
    const organizer = await makeOrganizer(ctx.runtime.db);
    const { team, authorization, tokenId } = await makeTeamWithToken(ctx.runtime.db, organizer.id, {
      permissions: 'all',
    });
    await ctx.runtime.db('teams').where('id', team.id).update({ can_change_teams: false });
    const teams = `/api/v1/organizers/${organizer.slug}/teams/`;
    const calls = [
      request(ctx.app).get(teams),
      request(ctx.app).post(teams).send({ name: 'x' }),
      request(ctx.app).get(`${teams}${team.id}/`),
      request(ctx.app).get(`${teams}${team.id}/members/`),
      request(ctx.app).get(`${teams}${team.id}/tokens/`),
      request(ctx.app).get(`${teams}${team.id}/tokens/${tokenId}/`),
      request(ctx.app).delete(`${teams}${team.id}/tokens/${tokenId}/`),
      request(ctx.app).get(`${teams}999999/`),
    ];
    for (const call of calls) {
      const res = await call.set('Authorization', authorization);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ detail: 'You do not have permission to perform this action.' });
    }
  });
});

describe('team members', () => {
  test('list, detail and removal; the user account stays', async () => {
    const user = await makeUser(ctx.runtime.db);
    const organizer = await makeOrganizer(ctx.runtime.db);
    const { team, authorization } = await makeTeamWithToken(ctx.runtime.db, organizer.id, {
      permissions: ['can_change_teams'],
      members: [user.email],
    });
    const url = `/api/v1/organizers/${organizer.slug}/teams/${team.id}/members/`;
    const list = await request(ctx.app).get(url).set('Authorization', authorization);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      count: 1,
      next: null,
      previous: null,
      results: [{ id: user.id, email: user.email, fullname: 'Test User', require_2fa: false }],
    });
    const detail = await request(ctx.app).get(`${url}${user.id}/`).set('Authorization', authorization);
    expect(detail.body).toEqual({
      id: user.id,
      email: user.email,
      fullname: 'Test User',
      require_2fa: false,
    });

    const removed = await request(ctx.app).delete(`${url}${user.id}/`).set('Authorization', authorization);
    expect(removed.status).toBe(204);
    expect(await ctx.runtime.db('team_members').where({ team_id: team.id })).toEqual([]);
    expect(await ctx.runtime.db('users').where('id', user.id).first()).toBeDefined();
    const gone = await request(ctx.app).get(`${url}${user.id}/`).set('Authorization', authorization);
    expect(gone.status).toBe(404);
  });
});

describe('team tokens', () => {
  test('create shows the secret once; list and detail never show it', async () => {
    const organizer = await makeOrganizer(ctx.runtime.db);
    const { team, authorization } = await makeTeamWithToken(ctx.runtime.db, organizer.id, {
      permissions: ['can_change_teams'],
    });
    const url = `/api/v1/organizers/${organizer.slug}/teams/${team.id}/tokens/`;
    const created = await request(ctx.app)
      .post(url)
      .set('Authorization', authorization)
      .send({ name: 'Aardvark' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(Number),
      name: 'Aardvark',
      active: true,
      token: expect.stringMatching(/^[a-z0-9]{64}$/),
    });

    const list = await request(ctx.app).get(url).set('Authorization', authorization);
    expect(list.body.results).toEqual([
      { id: created.body.id, name: 'Aardvark', active: true },
      { id: expect.any(Number), name: 'test token', active: true },
    ]);
    const detail = await request(ctx.app)
      .get(`${url}${created.body.id}/`)
      .set('Authorization', authorization);
    expect(detail.body).toEqual({ id: created.body.id, name: 'Aardvark', active: true });

    const works = await request(ctx.app)
      .get(`/api/v1/organizers/${organizer.slug}/`)
      .set('Authorization', `Token ${created.body.token}`);
    expect(works.status).toBe(200);
  });

  test('a token without a name is refused', async () => {
    const organizer = await makeOrganizer(ctx.runtime.db);
    const { team, authorization } = await makeTeamWithToken(ctx.runtime.db, organizer.id, {
      permissions: ['can_change_teams'],
    });
    const res = await request(ctx.app)
      .post(`/api/v1/organizers/${organizer.slug}/teams/${team.id}/tokens/`)
      .set('Authorization', authorization)
      .send({});
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ name: ['This field is required.'] });
  });
});
