import { Worker, type ConnectionOptions, type JobsOptions, type Queue } from 'bullmq';
import { z } from 'zod';
import type { Config } from '../../config';
import type { Db } from '../../platform/db';
import type { Logger } from '../../platform/logger';
import { createQueue, enqueue } from '../../platform/queues';
import type { EventsRepository } from '../events/events.repository';
import { nextRun } from './next-run';
import { ScheduledExportsRepository, type ScheduleRow } from './scheduled-exports.repository';
import { DEFAULT_TIMEZONE } from './scheduled-exports.schemas';

/** The queue of scheduled runs and redeliveries (worker processes consume it). */
export const SCHEDULED_EXPORTS_QUEUE = 'scheduled-exports';
export const RUN_JOB = 'scheduled-exports.run';
export const REDELIVER_JOB = 'scheduled-exports.redeliver';
/** The queue of the minute tick (scheduler processes consume it; a BullMQ job scheduler fills it). */
export const TICK_QUEUE = 'scheduled-export-ticks';
export const TICK_JOB = 'scheduled-exports.tick';

export const RunJob = z.object({ runId: z.number().int().positive() });
export type RunJob = z.infer<typeof RunJob>;

export type ScheduledExportsQueue = Queue<RunJob>;

export const RUN_ATTEMPTS = 5;

export function createScheduledExportsQueue(
  connection: ConnectionOptions,
  prefix: string,
  logger?: Logger,
): ScheduledExportsQueue {
  const queue = createQueue<RunJob>(SCHEDULED_EXPORTS_QUEUE, connection, prefix);
  queue.on('error', (error: Error) => logger?.debug({ err: error.message }, 'scheduled exports queue error'));
  return queue;
}

/** Retried with backoff (unexpected errors), then counted as one failure of the schedule. */
export function runJobOptions(config: Pick<Config, 'SCHEDULED_EXPORT_RETRY_DELAY_MS'>): JobsOptions {
  return {
    attempts: RUN_ATTEMPTS,
    backoff: { type: 'exponential', delay: config.SCHEDULED_EXPORT_RETRY_DELAY_MS },
    removeOnComplete: 1000,
    removeOnFail: 5000,
  };
}

export async function enqueueRun(
  queue: ScheduledExportsQueue,
  config: Pick<Config, 'SCHEDULED_EXPORT_RETRY_DELAY_MS'>,
  runId: number,
): Promise<void> {
  // One job per run row: a second enqueue of the same run (a retried tick) is a no-op in BullMQ.
  await enqueue(queue, RUN_JOB, { runId }, { ...runJobOptions(config), jobId: `run-${runId}` });
}

export async function enqueueRedelivery(
  queue: ScheduledExportsQueue,
  config: Pick<Config, 'SCHEDULED_EXPORT_RETRY_DELAY_MS'>,
  runId: number,
): Promise<void> {
  await enqueue(queue, REDELIVER_JOB, { runId }, runJobOptions(config));
}

export interface TickDeps {
  db: Db;
  events: EventsRepository;
  queue: ScheduledExportsQueue;
  config: Pick<Config, 'SCHEDULED_EXPORT_RETRY_DELAY_MS' | 'QUEUE_PREFIX'>;
  logger: Logger;
}

const TICK_BATCH = 100;

async function zoneOfRow(events: EventsRepository, row: ScheduleRow, trx: Db): Promise<string> {
  if (row.level === 'organizer') return row.timezone ?? DEFAULT_TIMEZONE;
  const event = await events.byId(Number(row.event_id), trx);
  return String(event?.timezone ?? DEFAULT_TIMEZONE);
}

/** A pending run whose job should have started by now (its enqueue after the commit failed, or Redis lost it). */
const ORPHAN_AFTER_MS = 30_000;

/**
 * One scheduler tick: in one transaction per batch, locks due schedules (`schedule_next_run <= now`, fewer than
 * five failures in a row) with SKIP LOCKED, records a run for the slot (unique per schedule and slot) and moves
 * `schedule_next_run` to the first slot after now — so slots missed while nothing ticked collapse into this
 * one run. The runs are enqueued once the transaction has committed (a job never looks for a row it cannot see
 * yet); runs left without a job (Redis down at that moment, a crash) are enqueued again by a later tick, and
 * the job id makes that a no-op for a run whose job exists. Any number of schedulers may tick at once: each due
 * slot runs once. Returns the number of runs recorded.
 */
export async function tick(deps: TickDeps, now: Date = new Date()): Promise<number> {
  const repository = new ScheduledExportsRepository(deps.db);
  const recorded: number[] = [];
  for (;;) {
    const due = await deps.db.transaction(async (trx) => {
      const schedules = await repository.lockDue(trx, deps.config.QUEUE_PREFIX, now, TICK_BATCH);
      for (const schedule of schedules) {
        const run = await repository.insertRun(trx, Number(schedule.id), schedule.schedule_next_run!);
        const zone = await zoneOfRow(deps.events, schedule, trx);
        const next = nextRun(
          { rule: schedule.schedule_rrule, time: schedule.schedule_rrule_time, zone },
          now,
        );
        await repository.setNextRun(trx, Number(schedule.id), next?.at ?? null);
        if (run) recorded.push(Number(run.id));
      }
      return schedules.length;
    });
    if (due < TICK_BATCH) break;
  }
  const orphans = await repository.pendingRunIds(
    deps.config.QUEUE_PREFIX,
    new Date(now.getTime() - ORPHAN_AFTER_MS),
  );
  for (const runId of new Set([...recorded, ...orphans])) await enqueueRun(deps.queue, deps.config, runId);
  return recorded.length;
}

/**
 * The minute tick of scheduler processes: a BullMQ job scheduler adds one tick job per interval however many
 * schedulers run (they all upsert the same scheduler), and one of them processes it.
 */
export async function startScheduledExportsTicker(
  deps: TickDeps & { connection: ConnectionOptions; prefix: string; intervalMs: number },
): Promise<{ stop(): Promise<void> }> {
  const ticks = createQueue(TICK_QUEUE, deps.connection, deps.prefix);
  ticks.on('error', (error: Error) => deps.logger.debug({ err: error.message }, 'tick queue error'));
  await ticks.upsertJobScheduler(
    TICK_JOB,
    { every: deps.intervalMs },
    { name: TICK_JOB, opts: { removeOnComplete: 100, removeOnFail: 100 } },
  );
  const worker = new Worker(
    TICK_QUEUE,
    async () => {
      const recorded = await tick(deps);
      if (recorded > 0) deps.logger.info({ recorded }, 'scheduled exports due');
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: 1 },
  );
  worker.on('error', (error) => deps.logger.warn({ err: error.message }, 'tick worker error'));
  worker.on('failed', (_job, error) => deps.logger.error({ err: error }, 'scheduled exports tick failed'));
  return {
    async stop() {
      await worker.close();
      await ticks.close();
    },
  };
}
