import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { makeOrganizer, makeTeamWithToken } from '../support/factories';
import { makeDummy } from './fixtures';

/** pretix answers 403, never 404, for an organizer or event that is missing or out of reach. */
let ctx: TestContext;
const db = () => ctx.runtime.db;
let dummy: Awaited<ReturnType<typeof makeDummy>>;
let foreignToken: string;
let limitedToken: string;
let propertyId: number;

beforeAll(async () => {
  ctx = createTestContext();
  dummy = await makeDummy(db());
  const other = await makeOrganizer(db());
  ({ authorization: foreignToken } = await makeTeamWithToken(db(), other.id, { permissions: 'all' }));
  ({ authorization: limitedToken } = await makeTeamWithToken(db(), dummy.organizer.id, {
    permissions: 'all',
    events: [],
  }));
  propertyId = dummy.typeProperty.id;
});
afterAll(() => ctx.close());

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';
const EVENT_ENDPOINTS: [Method, string][] = [
  ['get', 'events/{e}/'],
  ['patch', 'events/{e}/'],
  ['put', 'events/{e}/'],
  ['delete', 'events/{e}/'],
  ['post', 'events/{e}/clone/'],
  ['get', 'events/{e}/settings/'],
  ['patch', 'events/{e}/settings/'],
];
const ORGANIZER_ENDPOINTS: [Method, string][] = [
  ['get', 'events/'],
  ['post', 'events/'],
  ['get', 'settings/'],
  ['patch', 'settings/'],
  ['get', 'meta_properties/'],
  ['post', 'meta_properties/'],
  ['get', 'meta_properties/{p}/'],
  ['patch', 'meta_properties/{p}/'],
  ['put', 'meta_properties/{p}/'],
  ['delete', 'meta_properties/{p}/'],
];

const call = (method: Method, path: string, organizer: string, event: string, authorization?: string) => {
  const url = `/api/v1/organizers/${organizer}/${path.replace('{e}', event).replace('{p}', String(propertyId))}`;
  const req = request(ctx.app)[method](url);
  if (authorization) req.set('Authorization', authorization);
  return method === 'get' || method === 'delete' ? req : req.send({});
};
const FORBIDDEN = { detail: 'You do not have permission to perform this action.' };

describe.each([...EVENT_ENDPOINTS, ...ORGANIZER_ENDPOINTS])('%s …/%s', (method, path) => {
  test('without credentials → 401', async () => {
    const res = await call(method, path, dummy.organizer.slug, dummy.event.slug);
    expect(res.status).toBe(401);
  });

  test('a missing organizer → 403', async () => {
    const res = await call(method, path, 'no-such-organizer', dummy.event.slug, dummy.authorization);
    expect(res.status).toBe(403);
    expect(res.body).toEqual(FORBIDDEN);
  });

  test("another organizer's token → 403", async () => {
    const res = await call(method, path, dummy.organizer.slug, dummy.event.slug, foreignToken);
    expect(res.status).toBe(403);
    expect(res.body).toEqual(FORBIDDEN);
  });
});

describe.each(EVENT_ENDPOINTS)('%s …/%s', (method, path) => {
  test('a missing event → 403', async () => {
    const res = await call(method, path, dummy.organizer.slug, 'no-such-event', dummy.authorization);
    expect(res.status).toBe(403);
    expect(res.body).toEqual(FORBIDDEN);
  });

  test("an event outside the team's events → 403", async () => {
    const res = await call(method, path, dummy.organizer.slug, dummy.event.slug, limitedToken);
    expect(res.status).toBe(403);
    expect(res.body).toEqual(FORBIDDEN);
  });
});

test('the events list of a limited team is empty rather than forbidden', async () => {
  const res = await request(ctx.app)
    .get(`/api/v1/organizers/${dummy.organizer.slug}/events/`)
    .set('Authorization', limitedToken);
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ count: 0, next: null, previous: null, results: [] });
});

test('an invalid page of the events list → 404 Invalid page.', async () => {
  const res = await request(ctx.app)
    .get(`/api/v1/organizers/${dummy.organizer.slug}/events/?page=5`)
    .set('Authorization', dummy.authorization);
  expect(res.status).toBe(404);
  expect(res.body).toEqual({ detail: 'Invalid page.' });
});

test('a missing meta property with the permission → 404', async () => {
  const res = await request(ctx.app)
    .get(`/api/v1/organizers/${dummy.organizer.slug}/meta_properties/0/`)
    .set('Authorization', dummy.authorization);
  expect(res.status).toBe(404);
});
