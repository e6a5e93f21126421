import type { Knex } from 'knex';
import type { Db } from '../../platform/db';

export type ExportStatus = 'waiting' | 'running' | 'done' | 'failed';
export type ExportLevel = 'event' | 'organizer';
/** Which feature a run belongs to; completion hooks pick their own kind. */
export type RunKind = 'export' | 'scheduled_export' | 'shred_export' | 'shred';

export interface ExportRow {
  id: string;
  job_id: string;
  kind: RunKind;
  level: ExportLevel;
  organizer_id: number;
  event_id: number | null;
  identifier: string;
  input: Record<string, unknown>;
  event_ids: number[];
  principal_key: string;
  queue_prefix: string;
  status: ExportStatus;
  percentage: number | null;
  attempts: number;
  message: string | null;
  file_key: string | null;
  file_name: string | null;
  content_type: string | null;
  file_size: number | null;
  file_sha256: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  expires_at: Date;
  /** Set once every completion hook has run for the finished run. */
  notified_at: Date | null;
}

export type NewExport = Pick<
  ExportRow,
  | 'id'
  | 'job_id'
  | 'kind'
  | 'level'
  | 'organizer_id'
  | 'event_id'
  | 'identifier'
  | 'input'
  | 'event_ids'
  | 'principal_key'
  | 'queue_prefix'
> & { expires_at: Date };

export interface StoredFile {
  file_key: string;
  file_name: string;
  content_type: string;
  file_size: number;
  file_sha256: string;
}

export interface RunCount {
  kind: RunKind;
  identifier: string;
  level: ExportLevel;
  status: ExportStatus;
  count: number;
}

export interface RunDurations {
  kind: RunKind;
  identifier: string;
  level: ExportLevel;
  quantiles: { quantile: number; seconds: number }[];
}

const ACTIVE: ExportStatus[] = ['waiting', 'running'];

/**
 * The exports table. State changes of a run are conditional updates on (status, attempts), so a stale worker
 * (one whose job was taken over after a stall) or a cancelled run can never overwrite a newer state.
 */
export class ExportsRepository {
  constructor(private readonly db: Db) {}

  /** Locks the principal's export slots for the rest of `trx` (the active-exports cap is checked under it). */
  async lockPrincipal(trx: Knex.Transaction, principalKey: string): Promise<void> {
    await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`exports:${principalKey}`]);
  }

  async countActive(trx: Knex, principalKey: string): Promise<number> {
    const row = await trx('exports')
      .where('principal_key', principalKey)
      .whereIn('status', ACTIVE)
      .where('expires_at', '>', trx.fn.now())
      .count<{ count: number }>({ count: '*' })
      .first();
    return Number(row?.count ?? 0);
  }

  async insert(trx: Knex, row: NewExport): Promise<void> {
    await trx('exports').insert({
      ...row,
      input: JSON.stringify(row.input),
      status: 'waiting',
    });
  }

  /** An unexpired export, whatever its state. */
  async findLive(id: string): Promise<ExportRow | undefined> {
    return this.db<ExportRow>('exports').where('id', id).where('expires_at', '>', this.db.fn.now()).first();
  }

  async find(id: string): Promise<ExportRow | undefined> {
    return this.db<ExportRow>('exports').where('id', id).first();
  }

  /**
   * Starts an attempt: counts it and marks the run running. Returns the row, or undefined when the export is
   * no longer waiting or running (done, failed, cancelled, expired) or does not exist (yet).
   */
  async startAttempt(id: string): Promise<ExportRow | undefined> {
    const [row] = await this.db<ExportRow>('exports')
      .where('id', id)
      .whereIn('status', ACTIVE)
      .where('expires_at', '>', this.db.fn.now())
      .update({
        status: 'running',
        attempts: this.db.raw('attempts + 1'),
        percentage: null,
        started_at: this.db.raw('coalesce(started_at, now())'),
      })
      .returning('*');
    return row;
  }

  /** Records progress; false when this attempt is no longer current (cancelled, superseded, expired). */
  async setProgress(id: string, attempt: number, percentage: number): Promise<boolean> {
    const updated = await this.db('exports')
      .where({ id, attempts: attempt, status: 'running' })
      .update({ percentage });
    return updated > 0;
  }

  /** Marks the current attempt done, with its file (null: a run that produces no file). */
  async markDone(id: string, attempt: number, file: StoredFile | null): Promise<boolean> {
    const updated = await this.db('exports')
      .where({ id, attempts: attempt, status: 'running' })
      .update({ ...(file ?? {}), status: 'done', percentage: 100, finished_at: this.db.fn.now() });
    return updated > 0;
  }

  /** Every completion hook has run for this finished run. */
  async markNotified(id: string): Promise<void> {
    await this.db('exports')
      .where('id', id)
      .whereNull('notified_at')
      .update({ notified_at: this.db.fn.now() });
  }

  /** Fails an active run; with `attempt`, only if that attempt is still the current one. */
  async markFailed(id: string, message: string, attempt?: number): Promise<boolean> {
    const updated = await this.db('exports')
      .where('id', id)
      .whereIn('status', ACTIVE)
      .modify((q) => {
        if (attempt !== undefined) q.where('attempts', attempt);
      })
      .update({ status: 'failed', message, finished_at: this.db.fn.now() });
    return updated > 0;
  }

  /** A finished run whose file storage no longer has: failed from now on, so every later request agrees. */
  async markFileLost(id: string, message: string): Promise<void> {
    await this.db('exports').where({ id, status: 'done' }).update({ status: 'failed', message });
  }

  async delete(id: string): Promise<void> {
    await this.db('exports').where('id', id).delete();
  }

  /**
   * Runs of this deployment (queue prefix) that should have a job in the queue: waiting or running, or finished
   * with completion hooks still owed (a cancelled run, a hook that failed until the job gave up).
   */
  async listActive(queuePrefix: string): Promise<Pick<ExportRow, 'id' | 'job_id'>[]> {
    return this.db('exports')
      .where('queue_prefix', queuePrefix)
      .where((q) =>
        q
          .whereIn('status', ACTIVE)
          .orWhere((finished) => finished.whereNull('notified_at').whereNotIn('status', ACTIVE)),
      )
      .where('expires_at', '>', this.db.fn.now())
      .select('id', 'job_id');
  }

  async listExpired(
    queuePrefix: string,
    limit: number,
  ): Promise<Pick<ExportRow, 'id' | 'file_key' | 'attempts'>[]> {
    return this.db('exports')
      .where('queue_prefix', queuePrefix)
      .where('expires_at', '<=', this.db.fn.now())
      .orderBy('expires_at')
      .limit(limit)
      .select('id', 'file_key', 'attempts');
  }

  /** Runs of one deployment by kind, exporter, level and status (the rows kept until they expire). */
  async runCounts(queuePrefix: string): Promise<RunCount[]> {
    const rows = await this.db('exports')
      .where('queue_prefix', queuePrefix)
      .groupBy('kind', 'identifier', 'level', 'status')
      .select('kind', 'identifier', 'level', 'status')
      .count({ count: '*' });
    return rows.map((row) => ({ ...(row as Omit<RunCount, 'count'>), count: Number(row.count) }));
  }

  /** Quantiles of the run time (started → finished) of the finished runs, per kind, exporter and level. */
  async runDurations(queuePrefix: string, quantiles: readonly number[]): Promise<RunDurations[]> {
    const rows: { kind: RunKind; identifier: string; level: ExportLevel; seconds: number[] }[] =
      await this.db('exports')
        .where('queue_prefix', queuePrefix)
        .where('status', 'done')
        .whereNotNull('started_at')
        .groupBy('kind', 'identifier', 'level')
        .select(
          'kind',
          'identifier',
          'level',
          this.db.raw(
            'percentile_cont(?::float8[]) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at)) AS seconds',
            // A Postgres array literal: knex would spread a JS array into separate bindings.
            [`{${quantiles.join(',')}}`],
          ),
        );
    return rows.map(({ seconds, ...row }) => ({
      ...row,
      quantiles: quantiles.map((quantile, index) => ({ quantile, seconds: Number(seconds[index]) })),
    }));
  }
}
