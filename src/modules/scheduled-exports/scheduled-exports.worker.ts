import { UnrecoverableError, Worker, type ConnectionOptions } from 'bullmq';
import type { Config } from '../../config';
import type { Db } from '../../platform/db';
import type { Logger } from '../../platform/logger';
import type { Mailer } from '../../platform/mailer';
import { NotFound, PermissionDenied, ValidationError } from '../../shared/errors';
import type { AccessService } from '../access/access.service';
import { userPrincipal } from '../access/principal';
import type { EventsRepository } from '../events/events.repository';
import { NO_DATA_MESSAGE } from '../exports/exporters/define';
import type { ExportRow } from '../exports/exports.repository';
import { NOT_PERMITTED_MESSAGE } from '../exports/exports.runner';
import type { ExportScope, ExportsService } from '../exports/exports.service';
import type { RunFinishedHook } from '../exports/runs/producer';
import { findOrganizer } from '../organizers/organizers.service';
import { findUser, type UserRow } from '../users/users.service';
import {
  downloadUrl,
  failureText,
  linkText,
  LINK_VALID_MS,
  newLinkToken,
  REASONS,
  recipientsOf,
} from './delivery';
import { selectsAllEvents, type ScheduledExportInputs } from './export-form-data';
import { REDELIVER_JOB, RUN_ATTEMPTS, RunJob, SCHEDULED_EXPORTS_QUEUE } from './scheduled-exports.jobs';
import {
  ScheduledExportsRepository,
  type Recipients,
  type RunRow,
  type ScheduleRow,
} from './scheduled-exports.repository';
import type { ScheduledExportsService } from './scheduled-exports.service';

export interface ScheduledRunnerDeps {
  config: Config;
  db: Db;
  logger: Logger;
  access: AccessService;
  exports: ExportsService;
  inputs: ScheduledExportInputs;
  schedules: ScheduledExportsService;
  events: EventsRepository;
  mailer: Mailer;
}

/** A delivery claimed by a hook call that has not finished after this long is taken over (its worker died). */
const STALE_CLAIM_MS = 10 * 60 * 1000;
/** Mail attempts of one run's delivery before it counts as a failure of the schedule. */
const DELIVERY_ATTEMPTS = 5;
/** Result files live as long as their download link (plus a margin), so a redelivery can still attach them. */
const RESULT_TTL_SECONDS = LINK_VALID_MS / 1000 + 3600;

class RunFailure extends Error {
  constructor(
    readonly reason: string,
    readonly counts: boolean,
  ) {
    super(reason);
  }
}

/**
 * Executes scheduled runs as their owner, at run time with the owner's permissions, and mails the result when
 * the export run is finished. pretix's outcomes: inactive owner → +1, no mail; unknown exporter or no
 * permission → +1 and a failure mail; empty result → failure mail, counter unchanged; success → counter 0.
 */
export class ScheduledRunner {
  private readonly repository: ScheduledExportsRepository;

  constructor(private readonly deps: ScheduledRunnerDeps) {
    this.repository = new ScheduledExportsRepository(deps.db);
  }

  /** The run job: resolves the owner's access and starts the export run (once, whatever retries happen). */
  async start(runId: number): Promise<void> {
    const run = await this.repository.findRun(runId);
    // The tick enqueues after its commit; a missing row is a deleted schedule's run (cascade).
    if (!run) return;
    if (run.export_id || run.outcome) return;
    const schedule = await this.repository.findById(Number(run.schedule_id));
    if (!schedule) return;
    const owner = await findUser(this.deps.db, Number(schedule.owner_id));
    if (!owner?.is_active) {
      await this.finish(run, schedule, { outcome: 'owner_inactive', message: REASONS.ownerInactive }, true);
      return;
    }
    try {
      const principal = userPrincipal(owner.id);
      const scope = await this.scopeOf(schedule, principal);
      const body = await this.runBody(scope, schedule);
      const prepared = await this.deps.exports.prepare(scope, schedule.export_identifier, body);
      await this.deps.db.transaction(async (trx) => {
        // Locked, so that a job taken over after a stall cannot start a second export for the same run.
        const current = await this.repository.lockRun(trx, run.id);
        if (!current || current.export_id) return;
        const started = await this.deps.exports.record(
          trx,
          {
            ...prepared,
            kind: 'scheduled_export',
            principalKey: principal.key,
            ttlSeconds: RESULT_TTL_SECONDS,
          },
          { enforceCap: false },
        );
        await this.repository.updateRun(trx, run.id, { export_id: started.id, started_at: new Date() });
      });
    } catch (error) {
      const failure = this.asFailure(error);
      if (!failure) throw error;
      await this.fail(run, schedule, owner, failure);
    }
  }

  private async scopeOf(
    schedule: ScheduleRow,
    principal: ReturnType<typeof userPrincipal>,
  ): Promise<ExportScope> {
    const organizerId = Number(schedule.organizer_id);
    if (schedule.level === 'event')
      return {
        level: 'event',
        access: await this.deps.access.eventAccessById(principal, organizerId, Number(schedule.event_id)),
      };
    return { level: 'organizer', access: await this.deps.access.organizerAccessById(principal, organizerId) };
  }

  /**
   * The stored form data as a run request of the owner. An organizer-level selection is limited to the events
   * the owner may export now (pretix); nothing left of an explicit selection is "no permission".
   */
  private async runBody(scope: ExportScope, schedule: ScheduleRow): Promise<Record<string, unknown>> {
    const body = await this.deps.schedules.runBody(scope.access.organizer.id, schedule.export_form_data);
    if (scope.level === 'event' || selectsAllEvents(schedule.export_form_data)) return body;
    const exporter = this.deps.inputs.find(scope, schedule.export_identifier);
    if (!exporter) throw new RunFailure(REASONS.notPermitted, true);
    const permitted = new Set(
      (await this.deps.inputs.permittedEvents(scope, exporter)).map((event) => event.slug),
    );
    const events = ((body.events as string[] | undefined) ?? []).filter((slug) => permitted.has(slug));
    if (events.length === 0) throw new RunFailure(REASONS.notPermitted, true);
    return { ...body, events };
  }

  private asFailure(error: unknown): RunFailure | null {
    if (error instanceof RunFailure) return error;
    if (error instanceof PermissionDenied || error instanceof NotFound)
      return new RunFailure(REASONS.notPermitted, true);
    if (error instanceof ValidationError)
      return new RunFailure(
        `The export settings are not valid any more: ${JSON.stringify(error.body())}`,
        true,
      );
    return null;
  }

  /** Every failure mail goes to the owner only, and only to an active one. */
  private async fail(run: RunRow, schedule: ScheduleRow, owner: UserRow, failure: RunFailure): Promise<void> {
    if (owner.is_active) {
      await this.deps.mailer.send({
        to: [owner.email],
        subject: 'Export failed',
        text: failureText(failure.reason, failure.counts, await this.configUrl(schedule)),
      });
    }
    await this.finish(
      run,
      schedule,
      { outcome: failure.counts ? 'failed' : 'no_data', message: failure.reason },
      failure.counts,
    );
  }

  private async finish(
    run: RunRow,
    schedule: ScheduleRow,
    result: Pick<RunRow, 'outcome' | 'message'> & Partial<RunRow>,
    countsAsFailure: boolean,
  ): Promise<void> {
    await this.deps.db.transaction(async (trx) => {
      await this.repository.updateRun(trx, run.id, { ...result, finished_at: new Date() });
      if (countsAsFailure) await this.repository.countFailure(trx, Number(schedule.id), result.message ?? '');
      else if (result.outcome === 'sent') await this.repository.resetFailures(trx, Number(schedule.id));
    });
  }

  private async configUrl(schedule: ScheduleRow): Promise<string> {
    const organizer = await findOrganizer(this.deps.db, Number(schedule.organizer_id));
    const base = `${this.deps.config.SITE_URL}/api/v1/organizers/${organizer?.slug ?? schedule.organizer_id}`;
    if (schedule.level === 'organizer') return `${base}/scheduled_exports/${schedule.id}/`;
    const event = await this.deps.events.byId(Number(schedule.event_id));
    return `${base}/events/${event?.slug ?? schedule.event_id}/scheduled_exports/${schedule.id}/`;
  }

  /** After the job's last attempt: an unexpected error counts as one failure (with a failure mail). */
  async giveUp(runId: number, error: unknown): Promise<void> {
    this.deps.logger.error({ err: error, runId }, 'scheduled export run failed for good');
    const run = await this.repository.findRun(runId);
    if (!run || run.outcome || run.export_id) return;
    const schedule = await this.repository.findById(Number(run.schedule_id));
    const owner = schedule && (await findUser(this.deps.db, Number(schedule.owner_id)));
    if (!schedule || !owner) return;
    await this.fail(run, schedule, owner, new RunFailure(REASONS.internal, true));
  }

  /**
   * The completion hook of the run engine: mails a finished scheduled run, once. Ignores other kinds. A mail that
   * fails is retried (the hook throws); after five attempts it counts as a failure of the schedule.
   */
  readonly onFinished: RunFinishedHook = async (row, outcome) => {
    if (row.kind !== 'scheduled_export') return;
    const linked = await this.repository.findRunByExport(row.id);
    if (!linked || linked.outcome) return;
    const run = await this.repository.claimDelivery(Number(linked.id), STALE_CLAIM_MS);
    if (!run) throw new Error(`delivery of scheduled run ${linked.id} is in progress elsewhere`);
    const schedule = await this.repository.findById(Number(run.schedule_id));
    const owner = schedule && (await findUser(this.deps.db, Number(schedule.owner_id)));
    if (!schedule || !owner) {
      await this.repository.updateRun(this.deps.db, run.id, {
        outcome: 'failed',
        message: 'Schedule deleted.',
      });
      return;
    }
    try {
      if (outcome === 'failed') await this.fail(run, schedule, owner, this.failureOfExport(row));
      else await this.deliver(run, schedule, owner, row);
    } catch (error) {
      if (run.delivery_attempts < DELIVERY_ATTEMPTS) {
        await this.repository.releaseDelivery(run.id);
        throw error;
      }
      this.deps.logger.error({ err: error, runId: run.id }, 'scheduled export mail failed for good');
      await this.finish(run, schedule, { outcome: 'failed', message: REASONS.mailFailed }, true);
    }
  };

  private failureOfExport(row: ExportRow): RunFailure {
    if (row.message === NO_DATA_MESSAGE) return new RunFailure(NO_DATA_MESSAGE, false);
    if (row.message === NOT_PERMITTED_MESSAGE) return new RunFailure(REASONS.notPermitted, true);
    return new RunFailure(row.message ?? REASONS.internal, true);
  }

  /** The result mail: the file attached, or above SCHEDULED_EXPORT_ATTACH_MAX a link valid for 7 days. */
  private async deliver(run: RunRow, schedule: ScheduleRow, owner: UserRow, row: ExportRow): Promise<void> {
    const recipients = recipientsOf(schedule, owner.email);
    const sent = await this.send(run, schedule, row, recipients);
    await this.finish(run, schedule, { outcome: 'sent', message: null, recipients, ...sent }, false);
  }

  private async send(
    run: RunRow,
    schedule: ScheduleRow,
    row: ExportRow,
    recipients: Recipients,
  ): Promise<Pick<RunRow, 'delivery' | 'file_size' | 'file_name' | 'mail_message_id'> & Partial<RunRow>> {
    const size = Number(row.file_size);
    const fileName = row.file_name!;
    if (size > this.deps.config.SCHEDULED_EXPORT_ATTACH_MAX) {
      const { token, hash } = newLinkToken();
      const until = new Date(Date.now() + LINK_VALID_MS);
      // The link works once this is stored; the mail goes out after it, so a link in a mail always works.
      await this.repository.updateRun(this.deps.db, run.id, {
        link_token_hash: hash,
        link_expires_at: until,
      });
      const url = downloadUrl(this.deps.config.SITE_URL, run.id, token);
      const { messageId } = await this.deps.mailer.send({
        ...recipients,
        subject: schedule.mail_subject,
        text: linkText(schedule.mail_template, fileName, size, url, until),
      });
      return { delivery: 'link', file_size: size, file_name: fileName, mail_message_id: messageId };
    }
    const content = await this.deps.exports.open(row);
    const { messageId } = await this.deps.mailer.send({
      ...recipients,
      subject: schedule.mail_subject,
      text: schedule.mail_template,
      attachments: [{ filename: fileName, contentType: row.content_type!, content }],
    });
    return { delivery: 'attachment', file_size: size, file_name: fileName, mail_message_id: messageId };
  }

  /** Sends a successful run's mail again, to the recipients it went to; the counters stay as they are. */
  async redeliver(runId: number): Promise<void> {
    const run = await this.repository.findRun(runId);
    if (!run || run.outcome !== 'sent' || !run.export_id || !run.recipients) return;
    const schedule = await this.repository.findById(Number(run.schedule_id));
    const row = await this.deps.exports.findRun(run.export_id);
    if (!schedule || !row || row.status !== 'done')
      throw new UnrecoverableError('the run has no file any more');
    const sent = await this.send(run, schedule, row, run.recipients);
    await this.repository.updateRun(this.deps.db, run.id, { mail_message_id: sent.mail_message_id });
  }
}

/** The worker of the scheduled-exports queue: run jobs (start the export as the owner) and redeliveries. */
export function startScheduledExportsWorker(options: {
  config: Config;
  logger: Logger;
  connection: ConnectionOptions;
  runner: ScheduledRunner;
}): { stop(): Promise<void> } {
  const { config, logger, runner } = options;
  const worker = new Worker(
    SCHEDULED_EXPORTS_QUEUE,
    async (job) => {
      const { runId } = RunJob.parse(job.data);
      if (job.name === REDELIVER_JOB) await runner.redeliver(runId);
      else await runner.start(runId);
    },
    { connection: options.connection, prefix: config.QUEUE_PREFIX, concurrency: config.WORKER_CONCURRENCY },
  );
  worker.on('error', (error) => logger.warn({ err: error.message }, 'scheduled exports worker error'));
  worker.on('failed', (job, error) => {
    if (!job || job.name === REDELIVER_JOB || job.attemptsMade < (job.opts.attempts ?? RUN_ATTEMPTS)) return;
    runner
      .giveUp(RunJob.parse(job.data).runId, error)
      .catch((failure: unknown) => logger.error({ err: failure }, 'could not record a failed scheduled run'));
  });
  return { stop: () => worker.close() };
}
