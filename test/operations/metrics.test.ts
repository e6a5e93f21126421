import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { makeEvent, makeOrganizer, makeTeamWithToken } from '../support/factories';
import {
  createExportsContext,
  download,
  startTestWorker,
  TicketingData,
  type TestWorker,
  waitFor,
} from '../exports/support';

let ctx: TestContext;
let worker: TestWorker;
let organizer: { id: number; slug: string };
let event: { id: number; slug: string };
let authorization: string;

beforeAll(async () => {
  ctx = createExportsContext();
  worker = startTestWorker(ctx);
  organizer = await makeOrganizer(ctx.runtime.db);
  event = await makeEvent(ctx.runtime.db, organizer.id);
  ({ authorization } = await makeTeamWithToken(ctx.runtime.db, organizer.id, {
    permissions: ['can_view_orders'],
  }));
  await new TicketingData(ctx.runtime.db).order(event.id, { status: 'p', email: 'buyer@example.org' });
});
afterAll(async () => {
  await worker.stop();
  await ctx.close();
});

/** The value of one series in Prometheus' text format, or undefined when it is not there. */
function sample(metrics: string, series: string): number | undefined {
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  test("after an export, shows the run's outcome and duration, the requests by route and the queue depth", async () => {
    const run = await request(ctx.app)
      .post(`/api/v1/organizers/${organizer.slug}/events/${event.slug}/exporters/mailaddrs/run/`)
      .set('Authorization', authorization)
      .send({ status: ['p'] })
      .expect(202);
    const file = await download(ctx.app, run.body.download as string, authorization);
    expect(file.status).toBe(200);
    expect(file.body.toString()).toContain('buyer@example.org');

    const downloadRoute =
      '/api/v1/organizers/:organizer/events/:event/exporters/:identifier/download/:jobId/:exportId/';
    const downloadSeries = `http_request_duration_seconds_count{method="GET",route="${downloadRoute}",status="200"}`;
    // The server observes a response when its connection side closes, which on a busy machine can come after
    // the client has read the last byte: poll until the download's request is counted.
    const res = await waitFor('the download to be observed', async () => {
      const scrape = await request(ctx.app).get('/metrics').expect(200);
      return sample(scrape.text, downloadSeries) === undefined ? undefined : scrape;
    });
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const metrics = res.text;
    const labels = 'kind="export",exporter="mailaddrs",level="event"';
    expect(sample(metrics, `tixport_export_runs{${labels},outcome="done"}`)).toBe(1);
    expect(sample(metrics, `tixport_export_runs{${labels},outcome="failed"}`)).toBeUndefined();
    const median = sample(metrics, `tixport_export_run_duration_seconds{${labels},quantile="0.5"}`);
    expect(median).toBeGreaterThanOrEqual(0);
    expect(median).toBeLessThan(30);

    const runRoute = '/api/v1/organizers/:organizer/events/:event/exporters/:identifier/run/';
    expect(
      sample(metrics, `http_request_duration_seconds_count{method="POST",route="${runRoute}",status="202"}`),
    ).toBe(1);
    expect(sample(metrics, downloadSeries)).toBe(1);

    for (const state of ['waiting', 'active', 'delayed', 'failed'])
      expect(sample(metrics, `tixport_queue_jobs{queue="exports",state="${state}"}`)).toBe(0);
  });

  test('labels unknown URLs as one "unmatched" route', async () => {
    await request(ctx.app).get('/no/such/page/4711').expect(404);
    const metrics = (await request(ctx.app).get('/metrics').expect(200)).text;
    expect(metrics).toContain('route="unmatched",status="404"');
    expect(metrics).not.toContain('4711');
  });
});

describe('GET /metrics with METRICS_TOKEN set', () => {
  let secured: TestContext;
  beforeAll(() => {
    secured = createTestContext({ METRICS_TOKEN: 'scrape-secret' });
  });
  afterAll(() => secured.close());

  test('answers 401 without the token or with a wrong one, and the metrics with it', async () => {
    await request(secured.app)
      .get('/metrics')
      .expect(401)
      .expect('WWW-Authenticate', /^Bearer/);
    await request(secured.app).get('/metrics').set('Authorization', 'Bearer wrong').expect(401);
    const res = await request(secured.app)
      .get('/metrics')
      .set('Authorization', 'Bearer scrape-secret')
      .expect(200);
    expect(res.text).toContain('# TYPE http_request_duration_seconds histogram');
  });
});
