import ExcelJS from 'exceljs';
import request from 'supertest';
import { nextRun } from '../../src/modules/scheduled-exports/next-run';
import type { TestContext } from '../support/app';
import { makeEvent, makeOrganizer, makeTeamWithToken, makeUser } from '../support/factories';
import { issueAccessToken } from '../support/oauth-tokens';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../support/smtp';
import {
  binaryParser,
  createExportsContext,
  startTestWorker,
  TicketingData,
  waitFor,
  type TestWorker,
} from '../exports/support';
import { DAILY_RULE, decidedRun, insertSchedule, scheduleRow, ticker } from './support';

let smtp: TestSmtpServer;
let ctx: TestContext;
let worker: TestWorker;
let clock: ReturnType<typeof ticker>;

const ATTACH_MAX = 64 * 1024;

beforeAll(async () => {
  smtp = await startSmtpServer();
  const env = {
    MAIL_URL: smtp.url,
    SCHEDULED_EXPORT_RETRY_DELAY_MS: '20',
    SCHEDULED_EXPORT_ATTACH_MAX: String(ATTACH_MAX),
    WORKER_CONCURRENCY: '4',
    // Every concurrent export holds a snapshot connection and needs another one to report: room for both.
    DATABASE_POOL_MAX: '10',
  };
  ctx = createExportsContext(env);
  worker = startTestWorker(ctx, env);
  clock = ticker(ctx);
});
afterAll(async () => {
  await clock.close();
  await worker.stop();
  await ctx.close();
  await smtp.close();
});

const db = () => ctx.runtime.db;
const fiveMinutesAgo = () => new Date(Date.now() - 5 * 60_000);

/** pretix's runner fixture: an organizer and an event in Europe/Berlin, an owner in a full team. */
async function world() {
  const organizer = await makeOrganizer(db());
  const event = await makeEvent(db(), organizer.id);
  await db()('events').where('id', event.id).update({ timezone: 'Europe/Berlin' });
  const owner = await makeUser(db());
  const team = await makeTeamWithToken(db(), organizer.id, { permissions: 'all', members: [owner.email] });
  return { organizer, event, owner, team };
}

/** Mails that arrived for an address (envelope), waiting until `count` are there. */
async function mailsTo(address: string, count: number): Promise<ReceivedMail[]> {
  return waitFor(`${count} mails to ${address}`, async () => {
    const mails = smtp.received.filter((mail) => mail.envelope.to.includes(address));
    return mails.length >= count ? mails : undefined;
  });
}
const mailCount = (address: string) => smtp.received.filter((m) => m.envelope.to.includes(address)).length;

async function expectNextRunAfterNow(id: number, zone: string) {
  const row = await scheduleRow(db(), id);
  const expected = nextRun({ rule: DAILY_RULE, time: '02:30:00', zone }, new Date())!;
  expect(row.schedule_next_run!.getTime()).toBe(expected.at.getTime());
  expect(expected.local).toMatch(/T02:30:00[+-]\d\d:\d\d$|T03:30:00/);
  expect(row.schedule_next_run!.getTime()).toBeGreaterThan(Date.now());
}

describe.each(['event', 'organizer'] as const)('the scheduled runner at %s level (pretix 39–51)', (level) => {
  async function schedule(
    w: Awaited<ReturnType<typeof world>>,
    overrides: Parameters<typeof insertSchedule>[1] extends infer F ? Partial<F> : never = {},
  ) {
    return insertSchedule(ctx, {
      organizerId: w.organizer.id,
      ...(level === 'event' ? { eventId: w.event.id } : { timezone: 'Europe/Berlin' }),
      ownerId: w.owner.id,
      export_identifier: level === 'event' ? 'orderlist' : 'eventdata',
      export_form_data:
        level === 'event' ? { _format: 'xlsx', paid_only: false } : { _format: 'default', all_events: true },
      schedule_rrule: DAILY_RULE,
      schedule_rrule_time: '02:30:00',
      mail_additional_recipients: '',
      nextRunAt: fiveMinutesAgo(),
      ...overrides,
    });
  }

  test('a tick moves the next run to the next 02:30 in Berlin after now', async () => {
    const w = await world();
    const s = await schedule(w);
    await clock.tick();
    await expectNextRunAfterNow(Number(s.id), 'Europe/Berlin');
    await decidedRun(db(), Number(s.id));
  });

  test('a schedule that failed five times in a row is not run and keeps its next run', async () => {
    const w = await world();
    const due = new Date(Date.now() - 3600_000);
    const s = await schedule(w, { errorCounter: 5, nextRunAt: due });
    await clock.tick();
    expect((await scheduleRow(db(), Number(s.id))).schedule_next_run).toEqual(due);
    expect(await db()('scheduled_export_runs').where('schedule_id', s.id)).toEqual([]);
  });

  test('an unknown exporter counts a failure and mails "Export failed" to the owner only', async () => {
    const w = await world();
    const s = await schedule(w, {
      export_identifier: ' invalid ',
      mail_additional_recipients: 'boss@example.org',
    });
    await clock.tick();
    const run = await decidedRun(db(), Number(s.id));
    expect(run).toMatchObject({ outcome: 'failed', message: 'Export type not found or permission denied.' });
    const [mail] = await mailsTo(w.owner.email, 1);
    expect(mail!.parsed.subject).toBe('Export failed');
    expect(mail!.parsed.text).toContain('Reason: Export type not found');
    expect(mail!.parsed.text).toContain(
      'If your export fails five times in a row, it will no longer be sent.',
    );
    expect(mail!.envelope.to).toEqual([w.owner.email]);
    const row = await scheduleRow(db(), Number(s.id));
    expect(row.error_counter).toBe(1);
    expect(row.schedule_next_run!.getTime()).toBeGreaterThan(Date.now());
  });

  test('an inactive owner counts a failure and gets no mail', async () => {
    const w = await world();
    const s = await schedule(w);
    await db()('users').where('id', w.owner.id).update({ is_active: false });
    await clock.tick();
    expect(await decidedRun(db(), Number(s.id))).toMatchObject({ outcome: 'owner_inactive' });
    expect((await scheduleRow(db(), Number(s.id))).error_counter).toBe(1);
    expect(mailCount(w.owner.email)).toBe(0);
  });

  test('an owner who lost the permission counts a failure and is told why', async () => {
    const w = await world();
    const s = await schedule(w);
    await db()('teams').where('id', w.team.team.id).update({ can_view_orders: false });
    await clock.tick();
    expect(await decidedRun(db(), Number(s.id))).toMatchObject({ outcome: 'failed' });
    const [mail] = await mailsTo(w.owner.email, 1);
    expect(mail!.parsed.text).toContain('Reason: Export type not found or permission denied.');
    expect((await scheduleRow(db(), Number(s.id))).error_counter).toBe(1);
  });

  test('success: To, Cc (plus the owner) and Bcc as configured, the file attached, the counter reset', async () => {
    const w = await world();
    const second = await makeEvent(db(), w.organizer.id);
    const s = await schedule(w, {
      mail_subject: 'Report 1',
      mail_template: 'Here is the report.',
      mail_additional_recipients: 'boss@example.org,boss@example.net',
      mail_additional_recipients_cc: 'assistant@example.net',
      mail_additional_recipients_bcc: 'archive@example.net',
      errorCounter: 1,
    });
    await clock.tick();
    expect(await decidedRun(db(), Number(s.id))).toMatchObject({ outcome: 'sent', delivery: 'attachment' });
    const [mail] = await mailsTo(w.owner.email, 1);
    expect(mail!.parsed.subject).toBe('Report 1');
    expect(mail!.parsed.text).toContain('Here is the report.');
    expect(mail!.addresses('to')).toEqual(['boss@example.org', 'boss@example.net']);
    expect(mail!.addresses('cc')).toEqual(['assistant@example.net', w.owner.email]);
    expect(mail!.envelope.to).toContain('archive@example.net');
    expect(mail!.raw.toString('latin1')).not.toMatch(/^bcc:/im);
    expect(mail!.parsed.attachments).toHaveLength(1);
    const [file] = mail!.parsed.attachments;
    if (level === 'event') {
      expect(file!.filename).toBe(`${w.event.slug}_orders.xlsx`);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(file!.content as unknown as ExcelJS.Buffer);
      expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual([
        'Orders',
        'Order positions',
        'Order fees',
      ]);
    } else {
      expect(file!.filename).toBe(`${w.organizer.slug}_events.csv`);
      const lines = file!.content.toString('utf8').trim().split(/\r?\n/);
      expect(lines).toHaveLength(3);
      expect(lines.slice(1).join('\n')).toContain(second.slug);
    }
    expect((await scheduleRow(db(), Number(s.id))).error_counter).toBe(0);
  });
});

describe('the scheduled runner beyond the common cases', () => {
  test('organizer level: the export is limited to the events of the owner (pretix 50)', async () => {
    const w = await world();
    const other = await makeEvent(db(), w.organizer.id);
    await db()('teams').where('id', w.team.team.id).update({ all_events: false });
    await db()('team_limit_events').insert({ team_id: w.team.team.id, event_id: other.id });
    const s = await insertSchedule(ctx, {
      organizerId: w.organizer.id,
      ownerId: w.owner.id,
      timezone: 'Europe/Berlin',
      export_identifier: 'eventdata',
      export_form_data: { _format: 'default', all_events: true },
      mail_additional_recipients: '',
      nextRunAt: fiveMinutesAgo(),
    });
    await clock.tick();
    expect(await decidedRun(db(), Number(s.id))).toMatchObject({ outcome: 'sent' });
    const [mail] = await mailsTo(w.owner.email, 1);
    expect(mail!.envelope.to).toEqual([w.owner.email]);
    const lines = mail!.parsed.attachments[0]!.content.toString('utf8').trim().split(/\r?\n/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(other.slug);
  });

  test('an empty result sends a failure mail and leaves the counter alone', async () => {
    const w = await world();
    const s = await insertSchedule(ctx, {
      organizerId: w.organizer.id,
      eventId: w.event.id,
      ownerId: w.owner.id,
      export_identifier: 'mailaddrs',
      export_form_data: { status: ['p'] },
      errorCounter: 2,
      nextRunAt: fiveMinutesAgo(),
    });
    await clock.tick();
    expect(await decidedRun(db(), Number(s.id))).toMatchObject({
      outcome: 'no_data',
      message: 'Your export did not contain any data.',
    });
    const [mail] = await mailsTo(w.owner.email, 1);
    expect(mail!.parsed.subject).toBe('Export failed');
    expect(mail!.parsed.text).toContain('Reason: Your export did not contain any data.');
    expect(mail!.parsed.text).not.toContain('five times');
    expect((await scheduleRow(db(), Number(s.id))).error_counter).toBe(2);
  });

  test('a result above SCHEDULED_EXPORT_ATTACH_MAX goes out as a link that serves the file for 7 days', async () => {
    const w = await world();
    const data = new TicketingData(db());
    const item = await data.item(w.event.id, 'Ticket');
    // Own order codes: 400 random five-character codes would collide now and then.
    for (let i = 0; i < 400; i += 1)
      await data.order(w.event.id, {
        code: `L${String(i).padStart(4, '0')}`,
        positions: [{ itemId: item.id }],
      });
    const s = await insertSchedule(ctx, {
      organizerId: w.organizer.id,
      eventId: w.event.id,
      ownerId: w.owner.id,
      export_identifier: 'json',
      export_form_data: {},
      mail_additional_recipients: '',
      nextRunAt: fiveMinutesAgo(),
    });
    await clock.tick();
    const run = await decidedRun(db(), Number(s.id));
    expect(run).toMatchObject({ outcome: 'sent', delivery: 'link' });
    expect(Number(run.file_size)).toBeGreaterThan(ATTACH_MAX);
    expect(run.link_expires_at!.getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600_000);
    const [mail] = await mailsTo(w.owner.email, 1);
    expect(mail!.parsed.attachments).toEqual([]);
    const url =
      /(http:\/\/tixport\.test\/api\/v1\/scheduled_export_downloads\/\d+\/[A-Za-z0-9_-]{43}\/)/.exec(
        mail!.parsed.text ?? '',
      )?.[1];
    expect(url).toBeDefined();
    const path = new URL(url!).pathname;
    const res = await request(ctx.app).get(path).buffer(true).parse(binaryParser);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect((res.body as Buffer).length).toBe(Number(run.file_size));
    expect(JSON.parse((res.body as Buffer).toString('utf8')).event.slug).toBe(w.event.slug);
    // Bound to this run and its secret: another secret, or another run id, is a plain 404.
    const forged = path.replace(/\/[A-Za-z0-9_-]{43}\/$/, `/${'A'.repeat(43)}/`);
    expect((await request(ctx.app).get(forged)).status).toBe(404);
    expect(
      (await request(ctx.app).get(path.replace(`/${run.id}/`, `/${Number(run.id) + 1000}/`))).status,
    ).toBe(404);
    await db()('scheduled_export_runs')
      .where('id', run.id)
      .update({ link_expires_at: new Date(Date.now() - 1000) });
    expect((await request(ctx.app).get(path)).status).toBe(404);
  });

  test('five failures stop the schedule; an update revives it (counter 0, next run recomputed)', async () => {
    const w = await world();
    const s = await insertSchedule(ctx, {
      organizerId: w.organizer.id,
      eventId: w.event.id,
      ownerId: w.owner.id,
      export_identifier: 'orderlist',
      export_form_data: { _format: 'xlsx' },
      schedule_rrule: DAILY_RULE,
      schedule_rrule_time: '02:30:00',
      errorCounter: 4,
      nextRunAt: fiveMinutesAgo(),
    });
    await db()('teams').where('id', w.team.team.id).update({ can_view_orders: false });
    await clock.tick();
    await decidedRun(db(), Number(s.id));
    expect((await scheduleRow(db(), Number(s.id))).error_counter).toBe(5);
    await db()('scheduled_exports').where('id', s.id).update({ schedule_next_run: fiveMinutesAgo() });
    const runsBefore = (await db()('scheduled_export_runs').where('schedule_id', s.id)).length;
    await clock.tick();
    expect((await db()('scheduled_export_runs').where('schedule_id', s.id)).length).toBe(runsBefore);

    const bearer = await issueAccessToken(db(), w.owner.id, [w.organizer.id]);
    await db()('teams').where('id', w.team.team.id).update({ can_view_orders: true });
    const res = await request(ctx.app)
      .patch(`/api/v1/organizers/${w.organizer.slug}/events/${w.event.slug}/scheduled_exports/${s.id}/`)
      .set('Authorization', bearer)
      .send({});
    expect(res.status).toBe(200);
    expect(res.body.error_counter).toBe(0);
    expect(new Date(res.body.schedule_next_run as string).getTime()).toBeGreaterThan(Date.now());
  });

  test('runs history and redelivery of a sent run to the same recipients', async () => {
    const w = await world();
    const s = await insertSchedule(ctx, {
      organizerId: w.organizer.id,
      eventId: w.event.id,
      ownerId: w.owner.id,
      export_identifier: 'json',
      export_form_data: {},
      mail_additional_recipients: 'history@example.org',
      nextRunAt: fiveMinutesAgo(),
    });
    await clock.tick();
    const run = await decidedRun(db(), Number(s.id));
    await mailsTo('history@example.org', 1);
    const base = `/api/v1/organizers/${w.organizer.slug}/events/${w.event.slug}/scheduled_exports/${s.id}`;
    const history = await request(ctx.app).get(`${base}/runs/`).set('Authorization', w.team.authorization);
    expect(history.status).toBe(200);
    expect(history.body).toMatchObject({ count: 1 });
    expect(history.body.results[0]).toMatchObject({
      id: Number(run.id),
      outcome: 'sent',
      message: null,
      file_name: `${w.event.slug}_pretixdata.json`,
      delivery: 'attachment',
      recipients: { to: ['history@example.org'], cc: [w.owner.email], bcc: [] },
    });
    expect(history.body.results[0].file_size).toBeGreaterThan(0);
    const redeliver = await request(ctx.app)
      .post(`${base}/runs/${run.id}/redeliver/`)
      .set('Authorization', w.team.authorization);
    expect(redeliver.status).toBe(202);
    const mails = await mailsTo('history@example.org', 2);
    expect(mails[1]!.parsed.attachments[0]!.filename).toBe(`${w.event.slug}_pretixdata.json`);
    expect(
      (
        await request(ctx.app)
          .post(`${base}/runs/999999/redeliver/`)
          .set('Authorization', w.team.authorization)
      ).status,
    ).toBe(404);
  });
});
