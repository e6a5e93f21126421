import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { makeOrganizer, makeTeamWithToken } from '../support/factories';

let ctx: TestContext;
let teamsUrl: string;
let authorization: string;

beforeAll(async () => {
  ctx = createTestContext();
  const organizer = await makeOrganizer(ctx.runtime.db);
  teamsUrl = `/api/v1/organizers/${organizer.slug}/teams/`;
  ({ authorization } = await makeTeamWithToken(ctx.runtime.db, organizer.id, {
    permissions: ['can_change_teams'],
  }));
});
afterAll(() => ctx.close());

const teamsNamed = (name: string) => ctx.runtime.db('teams').where({ name });

describe('X-Idempotency-Key', () => {
  test('a repeated request is replayed byte for byte and runs only once', async () => {
    const first = await request(ctx.app)
      .post(teamsUrl)
      .set('Authorization', authorization)
      .set('X-Idempotency-Key', 'k-1')
      .send({ name: 'Once' });
    expect(first.status).toBe(201);
    // Even another body gets the stored answer: the key names the operation, not the payload.
    const again = await request(ctx.app)
      .post(teamsUrl)
      .set('Authorization', authorization)
      .set('X-Idempotency-Key', 'k-1')
      .send({ name: 'Twice' });
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(await teamsNamed('Once')).toHaveLength(1);
    expect(await teamsNamed('Twice')).toHaveLength(0);
  });

  test('error responses are stored and replayed too', async () => {
    const first = await request(ctx.app)
      .post(teamsUrl)
      .set('Authorization', authorization)
      .set('X-Idempotency-Key', 'k-400')
      .send({});
    expect(first.status).toBe(400);
    const again = await request(ctx.app)
      .post(teamsUrl)
      .set('Authorization', authorization)
      .set('X-Idempotency-Key', 'k-400')
      .send({ name: 'Valid now' });
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ name: ['This field is required.'] });
  });

  test('the same key with other credentials is another slot', async () => {
    const organizer = await makeOrganizer(ctx.runtime.db);
    const other = await makeTeamWithToken(ctx.runtime.db, organizer.id, {
      permissions: ['can_change_teams'],
    });
    await request(ctx.app)
      .post(teamsUrl)
      .set('Authorization', authorization)
      .set('X-Idempotency-Key', 'k-shared')
      .send({ name: 'Mine' });
    const res = await request(ctx.app)
      .post(teamsUrl)
      .set('Authorization', other.authorization)
      .set('X-Idempotency-Key', 'k-shared')
      .send({ name: 'Theirs' });
    expect(res.status).toBe(403);
  });

  test('a duplicate while the first is still running answers 409 with Retry-After', async () => {
    // Hold the first request inside its transaction by locking the table it writes to.
    const trx = await ctx.runtime.db.transaction();
    await trx.raw('LOCK TABLE teams IN EXCLUSIVE MODE');
    const first = request(ctx.app)
      .post(teamsUrl)
      .set('Authorization', authorization)
      .set('X-Idempotency-Key', 'k-busy')
      .send({ name: 'Slow' })
      .then((r) => r);
    try {
      // Wait until the first request holds the key (it is then blocked on the lock), then send the duplicate.
      const deadline = Date.now() + 10_000;
      while (!(await ctx.runtime.db('idempotency_keys').where({ key: 'k-busy', locked: true }).first())) {
        if (Date.now() > deadline) throw new Error('the first request never claimed its key');
        await new Promise((resolve) => setImmediate(resolve));
      }
      const duplicate = await request(ctx.app)
        .post(teamsUrl)
        .set('Authorization', authorization)
        .set('X-Idempotency-Key', 'k-busy')
        .send({ name: 'Slow' });
      expect(duplicate.status).toBe(409);
      expect(duplicate.headers['retry-after']).toBe('5');
      expect(duplicate.body).toEqual({ detail: 'Concurrent request with idempotency key.' });
    } finally {
      await trx.commit();
    }
    expect((await first).status).toBe(201);
    expect(await teamsNamed('Slow')).toHaveLength(1);
  });

  test('safe methods ignore the key', async () => {
    const a = await request(ctx.app)
      .get(teamsUrl)
      .set('Authorization', authorization)
      .set('X-Idempotency-Key', 'k-get');
    await request(ctx.app).post(teamsUrl).set('Authorization', authorization).send({ name: 'Between' });
    const b = await request(ctx.app)
      .get(teamsUrl)
      .set('Authorization', authorization)
      .set('X-Idempotency-Key', 'k-get');
    expect(b.body.count).toBe(a.body.count + 1);
  });

  test('records older than 24 hours are forgotten', async () => {
    await request(ctx.app)
      .post(teamsUrl)
      .set('Authorization', authorization)
      .set('X-Idempotency-Key', 'k-old')
      .send({ name: 'Old 1' });
    await ctx.runtime
      .db('idempotency_keys')
      .where({ key: 'k-old' })
      .update({ created_at: ctx.runtime.db.raw("now() - interval '25 hours'") });
    const res = await request(ctx.app)
      .post(teamsUrl)
      .set('Authorization', authorization)
      .set('X-Idempotency-Key', 'k-old')
      .send({ name: 'Old 2' });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('Old 2');
  });
});

describe('GET /api/v1/idempotency_query', () => {
  test('replays what a key stored for the same credentials', async () => {
    const created = await request(ctx.app)
      .post(teamsUrl)
      .set('Authorization', authorization)
      .set('X-Idempotency-Key', 'k-query')
      .send({ name: 'Queried' });
    const res = await request(ctx.app)
      .get('/api/v1/idempotency_query?key=k-query')
      .set('Authorization', authorization);
    expect(res.status).toBe(201);
    expect(res.text).toBe(created.text);
  });

  test.each([
    ['', 'No idempotency key given.'],
    ['?key=never-used', 'Idempotency key not seen before.'],
  ])('answers 404 for %j', async (query, detail) => {
    const res = await request(ctx.app)
      .get(`/api/v1/idempotency_query${query}`)
      .set('Authorization', authorization);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail });
  });

  test('keys of other credentials are not seen', async () => {
    await request(ctx.app)
      .post(teamsUrl)
      .set('Authorization', authorization)
      .set('X-Idempotency-Key', 'k-private')
      .send({ name: 'Private' });
    const res = await request(ctx.app)
      .get('/api/v1/idempotency_query?key=k-private')
      .set('Authorization', 'Token other');
    expect(res.status).toBe(404);
  });

  test('the scheduler purge deletes only expired records', async () => {
    const { purgeIdempotencyKeys } = await import('../../src/http/idempotency');
    await request(ctx.app)
      .post(teamsUrl)
      .set('Authorization', authorization)
      .set('X-Idempotency-Key', 'k-expire')
      .send({ name: 'Expire' });
    await ctx.runtime
      .db('idempotency_keys')
      .where({ key: 'k-expire' })
      .update({ created_at: ctx.runtime.db.raw("now() - interval '25 hours'") });
    expect(await purgeIdempotencyKeys(ctx.runtime.db)).toBeGreaterThanOrEqual(1);
    expect(await ctx.runtime.db('idempotency_keys').where({ key: 'k-expire' })).toEqual([]);
    expect(await ctx.runtime.db('idempotency_keys').where({ key: 'k-query' })).toHaveLength(1);
  });
});
