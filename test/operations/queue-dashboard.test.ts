import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('/admin/queues/ with ADMIN_PASSWORD set', () => {
  let ctx: TestContext;
  beforeAll(() => {
    ctx = createTestContext({ ADMIN_PASSWORD: 'dashboard secret' });
  });
  afterAll(() => ctx.close());

  test('answers 401 with a Basic challenge without credentials', async () => {
    await request(ctx.app)
      .get('/admin/queues/')
      .expect(401)
      .expect('WWW-Authenticate', /^Basic realm=/);
  });

  test('answers 401 for a wrong password or another user', async () => {
    await request(ctx.app).get('/admin/queues/').set('Authorization', basic('admin', 'guess')).expect(401);
    await request(ctx.app)
      .get('/admin/queues/')
      .set('Authorization', basic('root', 'dashboard secret'))
      .expect(401);
  });

  test('shows the dashboard and its queues to admin with the password', async () => {
    const auth = basic('admin', 'dashboard secret');
    const page = await request(ctx.app).get('/admin/queues/').set('Authorization', auth).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const queues = await request(ctx.app)
      .get('/admin/queues/api/queues')
      .set('Authorization', auth)
      .expect(200);
    expect((queues.body as { queues: { name: string }[] }).queues.map((queue) => queue.name)).toEqual([
      'exports',
      'scheduled-exports',
    ]);
  });
});

describe('/admin/queues/ without ADMIN_PASSWORD', () => {
  let ctx: TestContext;
  beforeAll(() => {
    ctx = createTestContext();
  });
  afterAll(() => ctx.close());

  test('does not exist', async () => {
    await request(ctx.app).get('/admin/queues/').set('Authorization', basic('admin', '')).expect(404);
  });
});
