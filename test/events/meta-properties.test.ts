import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { makeOrganizer, makeTeamWithToken } from '../support/factories';

let ctx: TestContext;
const db = () => ctx.runtime.db;
let organizer: { id: number; slug: string };
let authorization: string;
const url = (suffix = '') => `/api/v1/organizers/${organizer.slug}/meta_properties/${suffix}`;

beforeAll(async () => {
  ctx = createTestContext();
  organizer = await makeOrganizer(db());
  ({ authorization } = await makeTeamWithToken(db(), organizer.id, {
    permissions: ['can_change_organizer_settings'],
  }));
});
afterAll(() => ctx.close());

describe('…/organizers/{o}/meta_properties/', () => {
  test('create, list, detail, change and delete', async () => {
    const created = await request(ctx.app)
      .post(url())
      .set('Authorization', authorization)
      .send({ name: 'Format', default: 'Seminar', allowed_values: ['Seminar', 'Workshop'] });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(Number),
      name: 'Format',
      default: 'Seminar',
      required: false,
      allowed_values: ['Seminar', 'Workshop'],
      protected: false,
      filter_allowed: true,
    });
    const id = created.body.id as number;

    const list = await request(ctx.app).get(url()).set('Authorization', authorization);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ count: 1, next: null, previous: null, results: [created.body] });

    const patched = await request(ctx.app)
      .patch(url(`${id}/`))
      .set('Authorization', authorization)
      .send({ protected: true, required: true, allowed_values: null });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      protected: true,
      required: true,
      allowed_values: null,
      default: 'Seminar',
    });
    expect(
      (
        await request(ctx.app)
          .get(url(`${id}/`))
          .set('Authorization', authorization)
      ).body,
    ).toEqual(patched.body);

    const put = await request(ctx.app)
      .put(url(`${id}/`))
      .set('Authorization', authorization)
      .send({ name: 'Kind' });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'Kind', default: '', required: false, protected: false });

    expect(
      (
        await request(ctx.app)
          .delete(url(`${id}/`))
          .set('Authorization', authorization)
      ).status,
    ).toBe(204);
    expect(await db()('event_meta_properties').where('id', id).first()).toBeUndefined();
  });

  test('field errors and a duplicate name → 400', async () => {
    const empty = await request(ctx.app).post(url()).set('Authorization', authorization).send({});
    expect(empty.status).toBe(400);
    expect(empty.body).toEqual({ name: ['This field is required.'] });
    await request(ctx.app).post(url()).set('Authorization', authorization).send({ name: 'dup' });
    const duplicate = await request(ctx.app)
      .post(url())
      .set('Authorization', authorization)
      .send({ name: 'dup' });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body).toEqual({ name: ['A meta data property with this name already exists.'] });
  });

  test('reading needs organizer access only; writing needs can_change_organizer_settings', async () => {
    const reader = await makeTeamWithToken(db(), organizer.id, { permissions: [] });
    expect((await request(ctx.app).get(url()).set('Authorization', reader.authorization)).status).toBe(200);
    const res = await request(ctx.app)
      .post(url())
      .set('Authorization', reader.authorization)
      .send({ name: 'x' });
    expect(res.status).toBe(403);
    // permission comes before lookup: a missing id is 403 without it, 404 with it
    expect(
      (await request(ctx.app).delete(url('999999/')).set('Authorization', reader.authorization)).status,
    ).toBe(403);
    const missing = await request(ctx.app).delete(url('999999/')).set('Authorization', authorization);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ detail: 'No EventMetaProperty matches the given query.' });
    expect((await request(ctx.app).get(url('abc/')).set('Authorization', authorization)).status).toBe(404);
  });

  test("another organizer's property is 404", async () => {
    const other = await makeOrganizer(db());
    const [property] = await db()('event_meta_properties')
      .insert({ organizer_id: other.id, name: 'x' })
      .returning('id');
    const res = await request(ctx.app)
      .get(url(`${property.id}/`))
      .set('Authorization', authorization);
    expect(res.status).toBe(404);
  });
});
