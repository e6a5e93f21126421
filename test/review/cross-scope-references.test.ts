import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { makeEvent, makeOrganizer, makeTeamWithToken, makeUser } from '../support/factories';
import { issueAccessToken } from '../support/oauth-tokens';

/**
 * A caller limited to event A of organizer 1 (a team token, or an OAuth grant for organizer 1 only) never reaches
 * event B of the same organizer or anything of organizer 2: not by path, not by ids of B's objects in A's paths
 * or bodies, not through organizer-level exports.
 */
const DENIED = { detail: 'You do not have permission to perform this action.' };

let ctx: TestContext;
let org1: { id: number; slug: string };
let org2: { id: number; slug: string };
let eventA: { slug: string };
let eventB: { slug: string };
let eventC: { slug: string };
let admin: string;
let limited: string;
let bearer: string;
let readOnlyBearer: string;
let itemB: { id: number; variations: { id: number }[] };
let itemA: { id: number };
let questionB: { id: number };
let listB: { id: number };

const baseOf = (org: { slug: string }, event: { slug: string }) =>
  `/api/v1/organizers/${org.slug}/events/${event.slug}`;
const call = (method: 'get' | 'post' | 'patch' | 'delete', path: string, auth: string, body?: object) => {
  const test = request(ctx.app)[method](path).set('Authorization', auth);
  return body === undefined ? test : test.send(body);
};

beforeAll(async () => {
  ctx = createTestContext();
  const db = ctx.runtime.db;
  org1 = await makeOrganizer(db);
  org2 = await makeOrganizer(db);
  eventA = await makeEvent(db, org1.id);
  eventB = await makeEvent(db, org1.id);
  eventC = await makeEvent(db, org2.id);
  admin = (await makeTeamWithToken(db, org1.id, { permissions: 'all' })).authorization;
  limited = (await makeTeamWithToken(db, org1.id, { permissions: 'all', events: [eventA.slug] }))
    .authorization;
  const user = await makeUser(db);
  await makeTeamWithToken(db, org1.id, { permissions: 'all', events: [eventA.slug], members: [user.email] });
  await makeTeamWithToken(db, org2.id, { permissions: 'all', members: [user.email] });
  bearer = await issueAccessToken(db, user.id, [org1.id]);
  readOnlyBearer = await issueAccessToken(db, user.id, [org1.id], 'read');

  const bA = baseOf(org1, eventA);
  const bB = baseOf(org1, eventB);
  itemA = (await call('post', `${bA}/items/`, admin, { name: 'A', default_price: '1.00' })).body;
  itemB = (
    await call('post', `${bB}/items/`, admin, {
      name: 'B',
      default_price: '1.00',
      variations: [{ value: 'S' }],
    })
  ).body;
  questionB = (await call('post', `${bB}/questions/`, admin, { question: 'Q', type: 'S', items: [itemB.id] }))
    .body;
  listB = (await call('post', `${bB}/checkinlists/`, admin, { name: 'B list' })).body;
});
afterAll(() => ctx.close());

describe('paths of other events and organizers answer 403', () => {
  const paths = [
    '/items/',
    '/questions/',
    '/quotas/',
    '/orders/',
    '/checkinlists/',
    '/waitinglistentries/',
    '/exporters/',
  ];
  test.each(paths)('%s of event B and of organizer 2', async (path) => {
    for (const auth of [limited, bearer]) {
      for (const base of [baseOf(org1, eventB), baseOf(org2, eventC)]) {
        const res = await call('get', `${base}${path}`, auth);
        expect(res.status).toBe(403);
        expect(res.body).toEqual(DENIED);
      }
    }
  });

  test('organizer 2 is not reachable with a grant for organizer 1, even where the user is a member', async () => {
    for (const path of ['/', '/teams/', '/settings/', '/events/', '/exporters/']) {
      const res = await call('get', `/api/v1/organizers/${org2.slug}${path}`, bearer);
      expect(res.status).toBe(403);
    }
    const list = await call('get', '/api/v1/organizers/', bearer);
    expect(list.body.results.map((o: { slug: string }) => o.slug)).toEqual([org1.slug]);
  });

  test('a read-only grant cannot write', async () => {
    const res = await call('post', `${baseOf(org1, eventA)}/items/`, readOnlyBearer, {
      name: 'x',
      default_price: '1.00',
    });
    expect(res.status).toBe(403);
    const items = await call('get', `${baseOf(org1, eventA)}/items/`, admin);
    expect(items.body.results.map((item: { id: number }) => item.id)).toEqual([itemA.id]);
  });
});

describe("ids of event B's objects inside event A", () => {
  test('in paths: 404', async () => {
    const bA = baseOf(org1, eventA);
    for (const path of [
      `/items/${itemB.id}/`,
      `/items/${itemB.id}/variations/`,
      `/items/${itemB.id}/variations/${itemB.variations[0]!.id}/`,
      `/questions/${questionB.id}/`,
      `/questions/${questionB.id}/options/`,
      `/checkinlists/${listB.id}/`,
    ]) {
      const res = await call('get', `${bA}${path}`, limited);
      expect([path, res.status]).toEqual([path, 404]);
    }
    const redeem = await call('post', `${bA}/checkinlists/${listB.id}/positions/1/redeem/`, limited, {});
    expect(redeem.status).toBe(404);
  });

  test('in bodies: 400 naming the field, nothing written', async () => {
    const bA = baseOf(org1, eventA);
    const invalid = [`Invalid pk "${itemB.id}" - object does not exist.`];
    const cases: [string, object, object][] = [
      ['/quotas/', { name: 'q', size: 1, items: [itemB.id] }, { items: invalid }],
      ['/questions/', { question: 'q', type: 'S', items: [itemB.id] }, { items: invalid }],
      [
        '/checkinlists/',
        { name: 'l', all_products: false, limit_products: [itemB.id] },
        { limit_products: invalid },
      ],
      ['/waitinglistentries/', { item: itemB.id, email: 'a@example.org' }, { item: invalid }],
      [
        '/orders/',
        { email: 'a@example.org', positions: [{ item: itemB.id }] },
        { positions: [{ item: invalid }] },
      ],
    ];
    for (const [path, body, errors] of cases) {
      const res = await call('post', `${bA}${path}`, limited, body);
      expect([path, res.status, res.body]).toEqual([path, 400, errors]);
    }
    const variation = await call('post', `${bA}/quotas/`, limited, {
      name: 'q',
      size: 1,
      items: [itemA.id],
      variations: [itemB.variations[0]!.id],
    });
    expect(variation.status).toBe(400);
    const eventAId = (await ctx.runtime.db('events').where('slug', eventA.slug).first('id')).id;
    expect(await ctx.runtime.db('quotas').where('event_id', eventAId)).toEqual([]);
  });

  test('in exporter input: 400', async () => {
    const res = await call('post', `${baseOf(org1, eventA)}/exporters/checkinlist/run/`, limited, {
      _format: 'xlsx',
      list: listB.id,
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ list: [`Invalid pk "${listB.id}" - object does not exist.`] });
  });
});

describe('organizer-level exports only see the caller’s events', () => {
  test.each([
    ['event B of the same organizer', () => eventB.slug],
    ["another organizer's event", () => eventC.slug],
  ])('events: [%s] answers 400', async (_label, slugOf) => {
    for (const auth of [limited, bearer]) {
      const res = await call('post', `/api/v1/organizers/${org1.slug}/exporters/orderlist/run/`, auth, {
        _format: 'xlsx',
        events: [slugOf()],
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ events: [`Object with slug=${slugOf()} does not exist.`] });
    }
    expect(await ctx.runtime.db('exports').where('organizer_id', org1.id)).toEqual([]);
  });
});
