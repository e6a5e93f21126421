import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';

let ctx: TestContext;
beforeAll(() => {
  ctx = createTestContext();
});
afterAll(() => ctx.close());

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('HTTP Basic client credentials with a NUL character', () => {
  test.each([
    ['/api/v1/oauth/token', 'grant_type=authorization_code&code=abc'],
    ['/api/v1/oauth/revoke_token', 'token=abc'],
  ])('POST %s answers 401 invalid_client (was 500)', async (path, form) => {
    for (const authorization of [basic('client\u0000id', 'secret'), basic('client', 'sec\u0000ret')]) {
      const res = await request(ctx.app)
        .post(path)
        .set('Authorization', authorization)
        .type('form')
        .send(form);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: 'invalid_client',
        error_description: 'Client authentication failed.',
      });
    }
  });
});
