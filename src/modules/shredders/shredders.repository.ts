import type { Knex } from 'knex';
import type { Db } from '../../platform/db';
import type { ExportCount, Erasure } from './shredders/define';

export type ShredRunStatus = 'exporting' | 'exported' | 'export_failed' | 'shredding' | 'shredded' | 'failed';

export type ErasedCount = Omit<Erasure, 'fileKeys'>;

export interface ShredRunRow {
  id: string;
  organizer_id: number;
  event_id: number;
  principal_key: string;
  shredders: string[];
  export_run_id: string;
  export_job_id: string;
  shred_run_id: string | null;
  shred_job_id: string | null;
  confirm_code: string;
  status: ShredRunStatus;
  message: string | null;
  fingerprint: string | null;
  exported_counts: Record<string, ExportCount> | null;
  erased_counts: Record<string, ErasedCount> | null;
  pending_file_keys: string[];
  created_at: Date;
  exported_at: Date | null;
  shred_requested_at: Date | null;
  finished_at: Date | null;
}

export type NewShredRun = Pick<
  ShredRunRow,
  | 'id'
  | 'organizer_id'
  | 'event_id'
  | 'principal_key'
  | 'shredders'
  | 'export_run_id'
  | 'export_job_id'
  | 'confirm_code'
>;

type Executor = Db | Knex.Transaction;

/** The shred_runs table: the audit log of shredder runs and the state the two steps share. */
export class ShredRunsRepository {
  constructor(private readonly db: Db) {}

  async insert(trx: Knex.Transaction, row: NewShredRun): Promise<void> {
    await trx('shred_runs').insert(row);
  }

  async findByExport(exportRunId: string, db: Executor = this.db): Promise<ShredRunRow | undefined> {
    return db<ShredRunRow>('shred_runs').where('export_run_id', exportRunId).first();
  }

  async findByShred(shredRunId: string, db: Executor = this.db): Promise<ShredRunRow | undefined> {
    return db<ShredRunRow>('shred_runs').where('shred_run_id', shredRunId).first();
  }

  /** Locks the row for the rest of `trx`: one attempt of a shred at a time, and none after it committed. */
  async lock(trx: Knex.Transaction, id: string): Promise<ShredRunRow | undefined> {
    return trx<ShredRunRow>('shred_runs').where('id', id).forUpdate().first();
  }

  /**
   * What the export's snapshot saw, and when; written by the export step before its file is committed, so it is
   * there before anyone can download the ZIP or ask for the shred.
   */
  async recordSnapshot(
    id: string,
    fingerprint: string,
    exportedCounts: Record<string, ExportCount>,
  ): Promise<void> {
    await this.db('shred_runs')
      .where('id', id)
      .update({
        fingerprint,
        exported_counts: JSON.stringify(exportedCounts),
        exported_at: this.db.fn.now(),
      });
  }

  /**
   * The export step finished (the run engine's completion hook; called at least once, so conditional). A
   * failed export loses the snapshot time its attempt recorded.
   */
  async exportFinished(run: { id: string; message: string | null }, outcome: 'done' | 'failed') {
    await this.db('shred_runs')
      .where({ export_run_id: run.id, status: 'exporting' })
      .update(
        outcome === 'done'
          ? { status: 'exported' }
          : {
              status: 'export_failed',
              message: run.message,
              exported_at: null,
              finished_at: this.db.fn.now(),
            },
      );
  }

  /**
   * Points the (locked) row at a new shred run, inside the transaction that records that run: from a finished
   * export (its hook may still be pending: 'exporting') or after a failed shred.
   */
  async startShred(trx: Knex.Transaction, id: string, shredRunId: string, shredJobId: string): Promise<void> {
    await trx('shred_runs').where('id', id).update({
      status: 'shredding',
      shred_run_id: shredRunId,
      shred_job_id: shredJobId,
      message: null,
      shred_requested_at: trx.fn.now(),
    });
  }

  async markShredded(
    trx: Knex.Transaction,
    id: string,
    erasedCounts: Record<string, ErasedCount>,
    pendingFileKeys: string[],
  ): Promise<void> {
    await trx('shred_runs')
      .where('id', id)
      .update({
        status: 'shredded',
        erased_counts: JSON.stringify(erasedCounts),
        pending_file_keys: pendingFileKeys,
        finished_at: trx.fn.now(),
      });
  }

  async clearPendingFiles(id: string): Promise<void> {
    await this.db('shred_runs').where('id', id).update({ pending_file_keys: [] });
  }

  /** The shred step failed (completion hook; conditional, so a repeated call changes nothing). */
  async shredFailed(shredRunId: string, message: string | null): Promise<void> {
    await this.db('shred_runs')
      .where({ shred_run_id: shredRunId, status: 'shredding' })
      .update({ status: 'failed', message, finished_at: this.db.fn.now() });
  }

  /** The event's runs, newest first (the audit list). */
  listForEvent(eventId: number): Knex.QueryBuilder {
    return this.db('shred_runs')
      .where('event_id', eventId)
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
  }
}
