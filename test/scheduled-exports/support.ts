import { EventsRepository } from '../../src/modules/events/events.repository';
import { nextRun } from '../../src/modules/scheduled-exports/next-run';
import {
  createScheduledExportsQueue,
  tick,
  type ScheduledExportsQueue,
} from '../../src/modules/scheduled-exports/scheduled-exports.jobs';
import {
  ScheduledExportsRepository,
  type RunRow,
  type ScheduleFields,
  type ScheduleRow,
} from '../../src/modules/scheduled-exports/scheduled-exports.repository';
import type { Db } from '../../src/platform/db';
import { createLogger } from '../../src/platform/logger';
import type { TestContext } from '../support/app';
import { waitFor } from '../exports/support';

export const WEEKLY_RULE = 'DTSTART:20230118T000000\nRRULE:FREQ=WEEKLY;BYDAY=TU,WE,TH';
export const DAILY_RULE = 'DTSTART:20230118T000000\nRRULE:FREQ=DAILY;INTERVAL=1;WKST=MO';

export interface ScheduleFixture extends Partial<ScheduleFields> {
  organizerId: number;
  eventId?: number;
  ownerId: number;
  /** Defaults to the next run computed from the rule (as pretix's fixture does). */
  nextRunAt?: Date | null;
  errorCounter?: number;
}

/**
 * A schedule written straight into the table, as pretix's test fixtures create model objects (no API call, so
 * the stored form data is exactly what the test gives), on the test file's queue prefix.
 */
export async function insertSchedule(ctx: TestContext, fixture: ScheduleFixture): Promise<ScheduleRow> {
  const db = ctx.runtime.db;
  const level = fixture.eventId === undefined ? 'organizer' : 'event';
  const fields: ScheduleFields = {
    export_identifier: 'orderlist',
    export_form_data: { _format: 'xlsx', date_range: 'year_this' },
    locale: 'en',
    mail_additional_recipients: 'foo@example.org',
    mail_additional_recipients_cc: '',
    mail_additional_recipients_bcc: '',
    mail_subject: 'Current order list',
    mail_template: 'Here is the current order list',
    schedule_rrule: WEEKLY_RULE,
    schedule_rrule_time: '04:00:00',
    timezone: level === 'organizer' ? 'UTC' : null,
    ...fixture,
  };
  let zone = fields.timezone ?? 'UTC';
  if (level === 'event') zone = String((await new EventsRepository(db).byId(fixture.eventId!)).timezone);
  const computed =
    nextRun({ rule: fields.schedule_rrule, time: fields.schedule_rrule_time, zone })?.at ?? null;
  const repository = new ScheduledExportsRepository(db);
  const row = await repository.insert(db, {
    export_identifier: fields.export_identifier,
    export_form_data: fields.export_form_data,
    locale: fields.locale,
    mail_additional_recipients: fields.mail_additional_recipients,
    mail_additional_recipients_cc: fields.mail_additional_recipients_cc,
    mail_additional_recipients_bcc: fields.mail_additional_recipients_bcc,
    mail_subject: fields.mail_subject,
    mail_template: fields.mail_template,
    schedule_rrule: fields.schedule_rrule,
    schedule_rrule_time: fields.schedule_rrule_time,
    timezone: fields.timezone,
    level,
    // The test file's QUEUE_PREFIX: only its own ticks run the schedule.
    queue_prefix: ctx.queuePrefix,
    organizer_id: fixture.organizerId,
    event_id: fixture.eventId ?? null,
    owner_id: fixture.ownerId,
    schedule_next_run: fixture.nextRunAt === undefined ? computed : fixture.nextRunAt,
  });
  if (fixture.errorCounter !== undefined)
    await db('scheduled_exports').where('id', row.id).update({ error_counter: fixture.errorCounter });
  return (await repository.findById(Number(row.id)))!;
}

/** A scheduler tick on the test's queue prefix, called directly (the BullMQ job scheduler only triggers it). */
export function ticker(ctx: TestContext, db: Db = ctx.runtime.db) {
  const queue: ScheduledExportsQueue = createScheduledExportsQueue(ctx.runtime.redis, ctx.queuePrefix);
  const logger = createLogger('silent', 'test-tick');
  return {
    queue,
    tick: (now?: Date) =>
      tick({ db, events: new EventsRepository(db), queue, config: ctx.config, logger }, now),
    close: () => queue.close(),
  };
}

export async function scheduleRow(db: Db, id: number): Promise<ScheduleRow> {
  return (await new ScheduledExportsRepository(db).findById(id))!;
}

/** Waits until the schedule's latest run has an outcome. */
export async function decidedRun(db: Db, scheduleId: number, timeoutMs = 30_000): Promise<RunRow> {
  return waitFor(
    `a decided run of schedule ${scheduleId}`,
    async () => {
      const run: RunRow | undefined = await db('scheduled_export_runs')
        .where('schedule_id', scheduleId)
        .whereNotNull('outcome')
        .orderBy('id', 'desc')
        .first();
      return run;
    },
    timeoutMs,
  );
}
