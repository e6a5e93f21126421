import { createServer, type Server } from 'node:http';
import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { makeEvent, makeOrganizer, makeTeamWithToken, uniqueSlug } from '../support/factories';
import { registeredRoutes, type RegisteredRoute } from '../support/routes';

/**
 * Walks every route Express has registered (read from the router, so an endpoint is covered the day it is
 * mounted) with the inputs that used to answer 500. Each must be a client error in pretix's shape.
 */
let ctx: TestContext;
let server: Server;
let organizer: { id: number; slug: string };
let event: { id: number; slug: string };
let authorization: string;
let routes: RegisteredRoute[];

beforeAll(async () => {
  ctx = createTestContext();
  organizer = await makeOrganizer(ctx.runtime.db);
  event = await makeEvent(ctx.runtime.db, organizer.id);
  ({ authorization } = await makeTeamWithToken(ctx.runtime.db, organizer.id, { permissions: 'all' }));
  routes = registeredRoutes(ctx.app);
  server = createServer(ctx.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await ctx.close();
});

/**
 * The test's own organizer and event; every other parameter (ids, codes, a new router's) names nothing, so that
 * no walk can delete or rewrite the team and token it authenticates with.
 */
function realValue(name: string): string {
  if (name === 'organizer') return organizer.slug;
  if (name === 'event') return event.slug;
  if (name === 'identifier') return 'orderlist';
  return '999999999';
}

function urlOf(route: RegisteredRoute, override?: { param: string; value: string }): string {
  return route.path.replace(/:(\w+)/g, (_, name: string) =>
    override?.param === name ? override.value : encodeURIComponent(realValue(name)),
  );
}

const paramsOf = (route: RegisteredRoute) => [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
const withBody = (route: RegisteredRoute) => ['POST', 'PUT', 'PATCH'].includes(route.method);

function call(route: RegisteredRoute, url = urlOf(route)): request.Test {
  const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
  return request(server)[method](url).set('Authorization', authorization);
}

/** pretix's (DRF's) error shapes: `{"detail": "…"}` or field errors `{"field": ["…"]}`, nested for objects. */
function isPretixError(body: unknown): boolean {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  const values = Object.values(body as Record<string, unknown>);
  if (values.length === 0) return false;
  return values.every(
    (value) =>
      typeof value === 'string' ||
      (Array.isArray(value) && value.every((v) => typeof v === 'string' || isPretixError(v))) ||
      isPretixError(value),
  );
}

function expectClientError(res: request.Response, route: RegisteredRoute, statuses?: number[]): void {
  const seen = `${route.method} ${route.path} → ${res.status} ${JSON.stringify(res.body)}`;
  if (statuses) expect([seen, statuses.includes(res.status)]).toEqual([seen, true]);
  else expect([seen, res.status >= 400 && res.status < 500]).toEqual([seen, true]);
  // The OAuth pages a browser sees answer HTML (as pretix's do); every API endpoint answers pretix's JSON.
  if (res.type !== 'text/html') expect([seen, isPretixError(res.body)]).toEqual([seen, true]);
}

test('the walk sees every router, including those mounted under /api/v1', () => {
  const paths = routes.map((r) => `${r.method} ${r.path}`);
  expect(paths).toEqual(
    expect.arrayContaining([
      'GET /api/v1/organizers/:organizer/',
      'POST /api/v1/organizers/:organizer/events/:event/orders/',
      'POST /api/v1/organizers/:organizer/exporters/:identifier/run/',
      'POST /api/v1/oauth/token',
    ]),
  );
  expect(routes.length).toBeGreaterThan(90);
});

describe('malformed percent-encoding in a path parameter answers 404 on every route', () => {
  const BAD_SEGMENTS = ['%ZZ', '%C0%AF', '%ED%A0%80', '%E0%80', 'a%00b'];
  test.each(BAD_SEGMENTS)('%s', async (value) => {
    for (const route of routes)
      for (const param of paramsOf(route)) {
        const res = await call(route, urlOf(route, { param, value }));
        expectClientError(res, route, [404]);
      }
  });
});

describe('bodies the parser cannot read are refused on every route that takes one', () => {
  const json = 'application/json';
  test.each<[string, number, Record<string, string>]>([
    ['an unsupported charset', 415, { 'Content-Type': `${json}; charset=fz-bogus` }],
    ['gzip on a body that is not gzip', 400, { 'Content-Type': json, 'Content-Encoding': 'gzip' }],
    ['an unknown Content-Encoding', 415, { 'Content-Type': json, 'Content-Encoding': 'fz-squeeze' }],
  ])('%s answers %d', async (_case, status, headers) => {
    for (const route of routes.filter(withBody)) {
      const res = await call(route).set(headers).send('{"name": "x"}');
      expectClientError(res, route, [status]);
    }
  });

  test("a lone UTF-16 surrogate in any string answers 400 with DRF's message", async () => {
    for (const route of routes.filter(withBody)) {
      const res = await call(route)
        .set('Content-Type', 'application/json')
        .send('{"name": {"en": "Tick\\ud800et"}, "comment": "\\udfff"}');
      expectClientError(res, route, [400]);
      expect(res.body).toEqual({
        name: { en: ['Surrogate characters are not allowed: U+D800.'] },
        comment: ['Surrogate characters are not allowed: U+DFFF.'],
      });
    }
  });
});

describe('date-times JavaScript parses but Postgres cannot store are client errors everywhere', () => {
  const HOSTILE_DATES = [
    '-271821-04-20T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '10000-01-01T00:00:00Z',
    '0000-01-01T00:00:00Z',
  ];
  /** Every date and datetime field name of pretix's API bodies and list filters. */
  const DATE_FIELDS = [
    'date_from',
    'date_to',
    'date_admission',
    'presale_start',
    'presale_end',
    'datetime',
    'valid_from',
    'valid_until',
    'payment_date',
    'available_from',
    'available_until',
    'expires',
    'date_from_after',
    'date_from_before',
    'date_to_after',
    'date_to_before',
    'ends_after',
    'modified_since',
    'created_since',
    'date_range',
    'event_date_range',
  ];

  test.each(HOSTILE_DATES)('%s in every date field and filter', async (date) => {
    const dates = Object.fromEntries(DATE_FIELDS.map((name) => [name, date]));
    const query = new URLSearchParams(dates).toString();
    for (const route of routes.filter((r) => r.method !== 'DELETE')) {
      // A body that passes every other check of the create endpoints, so that the dates are what is judged.
      const body = {
        name: { en: 'Hostile' },
        ...(route.method === 'POST' ? { slug: uniqueSlug('h') } : {}),
        currency: 'EUR',
        default_price: '1.00',
        email: 'hostile@example.org',
        ...dates,
      };
      const res = withBody(route)
        ? await call(route).send(body)
        : await call(route, `${urlOf(route)}?${query}`);
      if (res.status < 400) continue;
      expectClientError(res, route);
    }
  });
});
