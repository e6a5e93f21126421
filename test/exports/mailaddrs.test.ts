import request from 'supertest';
import type { TestContext } from '../support/app';
import { makeEvent, makeOrganizer, makeTeamWithToken } from '../support/factories';
import {
  createExportsContext,
  download,
  pathOf,
  startTestWorker,
  TicketingData,
  type TestWorker,
} from './support';

let ctx: TestContext;
let worker: TestWorker;
let data: TicketingData;
let organizer: { id: number; slug: string };
let event: { id: number; slug: string };
let other: { id: number; slug: string };
let authorization: string;

beforeAll(async () => {
  ctx = createExportsContext();
  worker = startTestWorker(ctx);
  data = new TicketingData(ctx.runtime.db);
  organizer = await makeOrganizer(ctx.runtime.db);
  event = await makeEvent(ctx.runtime.db, organizer.id);
  other = await makeEvent(ctx.runtime.db, organizer.id);
  ({ authorization } = await makeTeamWithToken(ctx.runtime.db, organizer.id, {
    permissions: ['can_view_orders'],
  }));
  const ticket = await data.item(event.id, 'Ticket');
  await data.order(event.id, {
    status: 'p',
    email: 'buyer@example.org',
    positions: [
      { itemId: ticket.id, attendee_email: 'alice@example.org' },
      { itemId: ticket.id, attendee_email: 'buyer@example.org' },
      { itemId: ticket.id, attendee_email: 'gone@example.org', canceled: true },
    ],
  });
  await data.order(event.id, { status: 'n', email: 'pending@example.org' });
  await data.order(event.id, { status: 'c', email: 'canceled@example.org' });
  await data.order(event.id, { status: 'p', email: null });
  const otherTicket = await data.item(other.id, 'Ticket');
  await data.order(other.id, {
    status: 'p',
    email: 'other@example.org',
    positions: [{ itemId: otherTicket.id }],
  });
});
afterAll(async () => {
  await worker.stop();
  await ctx.close();
});

const base = () => `/api/v1/organizers/${organizer.slug}/events/${event.slug}/exporters`;

describe('mailaddrs (event level)', () => {
  test('is listed with its one required input and pretix choices', async () => {
    const res = await request(ctx.app).get(`${base()}/mailaddrs/`).set('Authorization', authorization);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      identifier: 'mailaddrs',
      verbose_name: 'Email addresses (text file)',
      input_parameters: [
        {
          name: 'status',
          required: true,
          choices: ['n', 'p', 'e', 'c'],
          type: 'multiple_choice',
          default: null,
          label: 'Filter by status',
        },
      ],
    });
  });

  test('exports the unique buyer and attendee addresses of the chosen states, CRLF-separated', async () => {
    const run = await request(ctx.app)
      .post(`${base()}/mailaddrs/run/`)
      .set('Authorization', authorization)
      .send({ status: ['p', 'n'] });
    expect(run.status).toBe(202);
    expect(run.body.download).toMatch(
      new RegExp(`^http://tixport\\.test${base()}/mailaddrs/download/[0-9a-f-]{36}/[0-9a-f-]{36}/$`),
    );
    const res = await download(ctx.app, run.body.download, authorization);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${event.slug}_pretixemails.txt"`);
    expect(res.body.toString('utf8')).toBe(
      ['alice@example.org', 'buyer@example.org', 'pending@example.org'].join('\r\n'),
    );
  });

  test('without status answers 400 This field is required.', async () => {
    const res = await request(ctx.app)
      .post(`${base()}/mailaddrs/run/`)
      .set('Authorization', authorization)
      .send({});
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ status: ['This field is required.'] });
  });

  test("an unknown state answers 400 with DRF's choice message", async () => {
    const res = await request(ctx.app)
      .post(`${base()}/mailaddrs/run/`)
      .set('Authorization', authorization)
      .send({ status: ['p', 'x'] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ status: ['"x" is not a valid choice.'] });
  });

  test("an export without any address is 410 with the exporter's message", async () => {
    const run = await request(ctx.app)
      .post(`${base()}/mailaddrs/run/`)
      .set('Authorization', authorization)
      .send({ status: ['e'] });
    expect(run.status).toBe(202);
    const res = await download(ctx.app, run.body.download, authorization);
    expect(res.status).toBe(410);
    expect(JSON.parse(res.body.toString())).toEqual({
      status: 'failed',
      message: 'Your export did not contain any data.',
    });
  });
});

describe('mailaddrs (organizer level)', () => {
  test('covers the selected events only', async () => {
    const run = await request(ctx.app)
      .post(`/api/v1/organizers/${organizer.slug}/exporters/mailaddrs/run/`)
      .set('Authorization', authorization)
      .send({ status: ['p'], events: [other.slug] });
    expect(run.status).toBe(202);
    expect(pathOf(run.body.download)).toMatch(
      `/api/v1/organizers/${organizer.slug}/exporters/mailaddrs/download/`,
    );
    const res = await download(ctx.app, run.body.download, authorization);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="${organizer.slug}_pretixemails.txt"`,
    );
    expect(res.body.toString()).toBe('other@example.org');
  });
});
