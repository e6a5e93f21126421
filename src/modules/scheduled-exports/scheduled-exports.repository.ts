import type { Knex } from 'knex';
import type { Db } from '../../platform/db';

export type ScheduleLevel = 'event' | 'organizer';

export interface ScheduleRow {
  id: number;
  level: ScheduleLevel;
  organizer_id: number;
  event_id: number | null;
  owner_id: number;
  export_identifier: string;
  export_form_data: Record<string, unknown>;
  locale: string;
  mail_additional_recipients: string;
  mail_additional_recipients_cc: string;
  mail_additional_recipients_bcc: string;
  mail_subject: string;
  mail_template: string;
  schedule_rrule: string;
  /** `HH:MM:SS` as Postgres prints a `time`. */
  schedule_rrule_time: string;
  timezone: string | null;
  schedule_next_run: Date | null;
  queue_prefix: string;
  error_counter: number;
  error_last_message: string | null;
  created_at: Date;
  updated_at: Date;
}

/** The columns a client sets (the rest are the scope, the owner and what the server computes). */
export type ScheduleFields = Pick<
  ScheduleRow,
  | 'export_identifier'
  | 'export_form_data'
  | 'locale'
  | 'mail_additional_recipients'
  | 'mail_additional_recipients_cc'
  | 'mail_additional_recipients_bcc'
  | 'mail_subject'
  | 'mail_template'
  | 'schedule_rrule'
  | 'schedule_rrule_time'
  | 'timezone'
>;

export type RunOutcome = 'sent' | 'failed' | 'no_data' | 'owner_inactive';

export interface Recipients {
  to: string[];
  cc: string[];
  bcc: string[];
}

export interface RunRow {
  id: number;
  schedule_id: number;
  scheduled_for: Date;
  export_id: string | null;
  outcome: RunOutcome | null;
  message: string | null;
  delivery: 'attachment' | 'link' | null;
  recipients: Recipients | null;
  file_size: number | null;
  file_name: string | null;
  link_token_hash: string | null;
  link_expires_at: Date | null;
  delivery_claimed_at: Date | null;
  delivery_attempts: number;
  mail_message_id: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** Where a query looks: one event's schedules, or the organizer-level ones of an organizer. */
export interface ScheduleLocation {
  level: ScheduleLevel;
  organizerId: number;
  eventId: number | null;
}

/** Owner filter: null when the caller sees every schedule of the location. */
export type OwnerFilter = number | null;

const SCHEDULES = 'scheduled_exports';
const RUNS = 'scheduled_export_runs';

export class ScheduledExportsRepository {
  constructor(private readonly db: Db) {}

  /** Schedules at a location (optionally one owner's), for list endpoints; not yet ordered or paginated. */
  listQuery(location: ScheduleLocation, owner: OwnerFilter): Knex.QueryBuilder {
    return this.db(SCHEDULES)
      .where({ level: location.level, organizer_id: location.organizerId })
      .modify((q) => {
        if (location.eventId !== null) q.where('event_id', location.eventId);
        if (owner !== null) q.where('owner_id', owner);
      })
      .select('*');
  }

  async find(location: ScheduleLocation, owner: OwnerFilter, id: number): Promise<ScheduleRow | undefined> {
    return this.listQuery(location, owner).where('id', id).first();
  }

  async findById(id: number, trx: Knex = this.db): Promise<ScheduleRow | undefined> {
    return trx(SCHEDULES).where('id', id).first();
  }

  async insert(
    trx: Knex,
    row: ScheduleFields & {
      queue_prefix: string;
      level: ScheduleLevel;
      organizer_id: number;
      event_id: number | null;
      owner_id: number;
      schedule_next_run: Date | null;
    },
  ): Promise<ScheduleRow> {
    const [inserted] = await trx(SCHEDULES)
      .insert({ ...row, export_form_data: JSON.stringify(row.export_form_data) })
      .returning('*');
    return inserted as ScheduleRow;
  }

  /** Writes a change; every change also resets the failure counter (how a stopped schedule is revived). */
  async update(
    trx: Knex,
    id: number,
    fields: ScheduleFields & { schedule_next_run: Date | null },
  ): Promise<ScheduleRow> {
    const [updated] = await trx(SCHEDULES)
      .where('id', id)
      .update({
        ...fields,
        export_form_data: JSON.stringify(fields.export_form_data),
        error_counter: 0,
        error_last_message: null,
        updated_at: trx.fn.now(),
      })
      .returning('*');
    return updated as ScheduleRow;
  }

  async delete(id: number): Promise<void> {
    await this.db(SCHEDULES).where('id', id).delete();
  }

  /** Locks and returns up to `limit` due schedules that no other transaction holds (several schedulers). */
  async lockDue(trx: Knex, queuePrefix: string, now: Date, limit: number): Promise<ScheduleRow[]> {
    return trx(SCHEDULES)
      .where('queue_prefix', queuePrefix)
      .where('schedule_next_run', '<=', now)
      .where('error_counter', '<', 5)
      .orderBy('schedule_next_run')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .select('*');
  }

  async setNextRun(trx: Knex, id: number, next: Date | null): Promise<void> {
    await trx(SCHEDULES).where('id', id).update({ schedule_next_run: next });
  }

  /** Counts a failure, remembering its message; returns the new count. */
  async countFailure(trx: Knex, id: number, message: string): Promise<void> {
    await trx(SCHEDULES)
      .where('id', id)
      .update({ error_counter: trx.raw('error_counter + 1'), error_last_message: message });
  }

  async resetFailures(trx: Knex, id: number): Promise<void> {
    await trx(SCHEDULES).where('id', id).update({ error_counter: 0 });
  }

  /** Due and stopped schedules for operators (the CLI), across all organizers. */
  async listForOperators(filter: 'due' | 'stopped', now: Date): Promise<ScheduleRow[]> {
    const query = this.db(SCHEDULES)
      .select('*')
      .orderBy([{ column: 'schedule_next_run' }, { column: 'id' }]);
    if (filter === 'due') query.where('schedule_next_run', '<=', now).where('error_counter', '<', 5);
    else query.where('error_counter', '>=', 5);
    return query;
  }

  /** Records the run of a slot; null when that slot already has one (another scheduler was first). */
  async insertRun(trx: Knex, scheduleId: number, scheduledFor: Date): Promise<RunRow | null> {
    const rows = (await trx(RUNS)
      .insert({ schedule_id: scheduleId, scheduled_for: scheduledFor })
      .onConflict(['schedule_id', 'scheduled_for'])
      .ignore()
      .returning('*')) as RunRow[];
    return rows[0] ?? null;
  }

  /** Runs that have neither started an export nor ended, recorded before `before`. */
  async pendingRunIds(queuePrefix: string, before: Date): Promise<number[]> {
    const rows: { id: number }[] = await this.db(RUNS)
      .join(SCHEDULES, `${SCHEDULES}.id`, `${RUNS}.schedule_id`)
      .where(`${SCHEDULES}.queue_prefix`, queuePrefix)
      .whereNull(`${RUNS}.export_id`)
      .whereNull(`${RUNS}.outcome`)
      .where(`${RUNS}.created_at`, '<', before)
      .select(`${RUNS}.id`);
    return rows.map((row) => Number(row.id));
  }

  async findRun(id: number, trx: Knex = this.db): Promise<RunRow | undefined> {
    return trx(RUNS).where('id', id).first();
  }

  async lockRun(trx: Knex, id: number): Promise<RunRow | undefined> {
    return trx(RUNS).where('id', id).forUpdate().first();
  }

  async findRunOfSchedule(scheduleId: number, runId: number): Promise<RunRow | undefined> {
    return this.db(RUNS).where({ id: runId, schedule_id: scheduleId }).first();
  }

  async findRunByExport(exportId: string): Promise<RunRow | undefined> {
    return this.db(RUNS).where('export_id', exportId).first();
  }

  async findRunByLinkToken(tokenHash: string): Promise<RunRow | undefined> {
    return this.db(RUNS).where('link_token_hash', tokenHash).first();
  }

  runsQuery(scheduleId: number): Knex.QueryBuilder {
    return this.db(RUNS).where('schedule_id', scheduleId).select('*');
  }

  async updateRun(
    trx: Knex,
    id: number,
    changes: Partial<Omit<RunRow, 'id' | 'schedule_id'>>,
  ): Promise<void> {
    const values: Record<string, unknown> = { ...changes };
    if (changes.recipients !== undefined) values.recipients = JSON.stringify(changes.recipients);
    await trx(RUNS).where('id', id).update(values);
  }

  /**
   * Claims the delivery of a run for one caller: succeeds when nobody claimed it, or the claim is older than
   * `staleAfterMs` (its holder crashed). Returns the run as claimed, or undefined.
   */
  async claimDelivery(id: number, staleAfterMs: number): Promise<RunRow | undefined> {
    const rows = (await this.db(RUNS)
      .where('id', id)
      .whereNull('outcome')
      .where((q) =>
        q
          .whereNull('delivery_claimed_at')
          .orWhere('delivery_claimed_at', '<', new Date(Date.now() - staleAfterMs)),
      )
      .update({
        delivery_claimed_at: this.db.fn.now(),
        delivery_attempts: this.db.raw('delivery_attempts + 1'),
      })
      .returning('*')) as RunRow[];
    return rows[0];
  }

  async releaseDelivery(id: number): Promise<void> {
    await this.db(RUNS).where('id', id).whereNull('outcome').update({ delivery_claimed_at: null });
  }
}
