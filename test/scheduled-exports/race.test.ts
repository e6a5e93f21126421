import { EventsRepository } from '../../src/modules/events/events.repository';
import { startScheduledExportsTicker } from '../../src/modules/scheduled-exports/scheduled-exports.jobs';
import { createDb } from '../../src/platform/db';
import { createLogger } from '../../src/platform/logger';
import { createRedis } from '../../src/platform/redis';
import type { TestContext } from '../support/app';
import { makeEvent, makeOrganizer, makeTeamWithToken, makeUser } from '../support/factories';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { createExportsContext, startTestWorker, waitFor, type TestWorker } from '../exports/support';
import { DAILY_RULE, decidedRun, insertSchedule, scheduleRow, ticker } from './support';

let smtp: TestSmtpServer;
let ctx: TestContext;
let worker: TestWorker;

beforeAll(async () => {
  smtp = await startSmtpServer();
  const env = {
    MAIL_URL: smtp.url,
    WORKER_CONCURRENCY: '4',
    DATABASE_POOL_MAX: '12',
    SCHEDULED_EXPORT_RETRY_DELAY_MS: '20',
  };
  ctx = createExportsContext(env);
  worker = startTestWorker(ctx, env);
});
afterAll(async () => {
  await worker.stop();
  await ctx.close();
  await smtp.close();
});

async function ownerWithEvent() {
  const db = ctx.runtime.db;
  const organizer = await makeOrganizer(db);
  const event = await makeEvent(db, organizer.id);
  const owner = await makeUser(db);
  await makeTeamWithToken(db, organizer.id, { permissions: 'all', members: [owner.email] });
  return { organizer, event, owner };
}

describe('several schedulers side by side', () => {
  test('two schedulers racing over 200 due schedules record 200 runs and send exactly 200 mails', async () => {
    const db = ctx.runtime.db;
    const { organizer, event, owner } = await ownerWithEvent();
    const template = await insertSchedule(ctx, {
      organizerId: organizer.id,
      eventId: event.id,
      ownerId: owner.id,
      export_identifier: 'json',
      export_form_data: {},
      nextRunAt: new Date(Date.now() - 60_000),
    });
    // 199 copies, each with its own recipient, so every mail names its schedule.
    await db.raw(
      `INSERT INTO scheduled_exports (level, organizer_id, event_id, owner_id, export_identifier, export_form_data,
         locale, mail_additional_recipients, mail_additional_recipients_cc, mail_additional_recipients_bcc,
         mail_subject, mail_template, schedule_rrule, schedule_rrule_time, timezone, schedule_next_run, queue_prefix)
       SELECT level, organizer_id, event_id, owner_id, export_identifier, export_form_data, locale,
         'race' || n || '@example.org', '', '', mail_subject, mail_template, schedule_rrule, schedule_rrule_time,
         timezone, schedule_next_run, queue_prefix
       FROM scheduled_exports, generate_series(1, 199) AS n WHERE id = ?`,
      [template.id],
    );
    await db('scheduled_exports')
      .where('id', template.id)
      .update({ mail_additional_recipients: 'race0@example.org' });

    const secondDb = createDb(ctx.config.DATABASE_URL, 5);
    const first = ticker(ctx);
    const second = ticker(ctx, secondDb);
    try {
      const [a, b] = await Promise.all([first.tick(), second.tick()]);
      expect(a + b).toBe(200);
    } finally {
      await Promise.all([first.close(), second.close()]);
      await secondDb.destroy();
    }
    const runs = await db('scheduled_export_runs')
      .join('scheduled_exports', 'scheduled_exports.id', 'scheduled_export_runs.schedule_id')
      .where('scheduled_exports.organizer_id', organizer.id)
      .select('scheduled_export_runs.schedule_id');
    expect(runs).toHaveLength(200);
    expect(new Set(runs.map((run) => run.schedule_id)).size).toBe(200);

    const race = () => smtp.received.filter((mail) => mail.addresses('to')[0]?.startsWith('race'));
    await waitFor('200 mails', async () => (race().length >= 200 ? true : undefined), 90_000);
    const recipients = race().map((mail) => mail.addresses('to')[0]);
    expect(recipients).toHaveLength(200);
    expect(new Set(recipients).size).toBe(200);
    // Nothing more arrives: a second round of ticks finds nothing due.
    const again = ticker(ctx);
    expect(await again.tick()).toBe(0);
    await again.close();
    expect(race()).toHaveLength(200);
  }, 120_000);

  test('after downtime, missed slots collapse into one run and the next run is in the future', async () => {
    const db = ctx.runtime.db;
    const { organizer, event, owner } = await ownerWithEvent();
    const s = await insertSchedule(ctx, {
      organizerId: organizer.id,
      eventId: event.id,
      ownerId: owner.id,
      export_identifier: 'json',
      export_form_data: {},
      schedule_rrule: DAILY_RULE,
      schedule_rrule_time: '02:30:00',
      nextRunAt: new Date(Date.now() - 3 * 24 * 3600_000),
    });
    const clock = ticker(ctx);
    try {
      expect(await clock.tick()).toBe(1);
      expect(await clock.tick()).toBe(0);
    } finally {
      await clock.close();
    }
    expect(await db('scheduled_export_runs').where('schedule_id', s.id)).toHaveLength(1);
    expect((await scheduleRow(db, Number(s.id))).schedule_next_run!.getTime()).toBeGreaterThan(Date.now());
    expect(await decidedRun(db, Number(s.id))).toMatchObject({ outcome: 'sent' });
  });

  test('the BullMQ job scheduler of the scheduler process ticks by itself', async () => {
    const db = ctx.runtime.db;
    const { organizer, event, owner } = await ownerWithEvent();
    const s = await insertSchedule(ctx, {
      organizerId: organizer.id,
      eventId: event.id,
      ownerId: owner.id,
      export_identifier: 'json',
      export_form_data: {},
      nextRunAt: new Date(Date.now() - 60_000),
    });
    const connection = createRedis(ctx.config.REDIS_URL, 'worker');
    const clock = ticker(ctx);
    const running = await startScheduledExportsTicker({
      db,
      events: new EventsRepository(db),
      queue: clock.queue,
      config: ctx.config,
      logger: createLogger('silent'),
      connection,
      prefix: ctx.queuePrefix,
      intervalMs: 200,
    });
    try {
      expect(await decidedRun(db, Number(s.id))).toMatchObject({ outcome: 'sent' });
    } finally {
      await running.stop();
      await clock.close();
      connection.disconnect();
    }
  });
});
