import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { expectedDummy, makeDummy } from './fixtures';

let ctx: TestContext;
let dummy: Awaited<ReturnType<typeof makeDummy>>;
const base = () => `/api/v1/organizers/${dummy.organizer.slug}/events/`;

beforeAll(async () => {
  ctx = createTestContext();
  dummy = await makeDummy(ctx.runtime.db);
});
afterAll(() => ctx.close());

describe('GET …/events/{e}/', () => {
  test("is pretix's representation plus valid_keys (case 4)", async () => {
    const res = await request(ctx.app)
      .get(`${base()}${dummy.event.slug}/`)
      .set('Authorization', dummy.authorization);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ...expectedDummy(dummy.organizer.slug, dummy.event.slug),
      valid_keys: { pretix_sig1: [] },
    });
  });
});
