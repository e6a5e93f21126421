import type { Writable } from 'node:stream';
import type { Db } from '../../platform/db';
import type { Logger } from '../../platform/logger';
import type { Storage } from '../../platform/storage';
import { formatDateTime } from '../../shared/api-datetime';
import { ExportError } from '../exports/exporters/define';
import { eventFingerprint } from './fingerprint';
import type { ExportCount, Shredder } from './shredders/define';
import { findShredder } from './shredders/index';
import { ShredRunsRepository, type ErasedCount, type ShredRunRow } from './shredders.repository';
import { writeShredZip } from './shredders.zip';

/** pretix's messages for a shred that cannot run; the client sees them on the status URL (417). */
export const CHANGED_MESSAGE = 'Something happened in your event after the export, please try again.';
export const FILE_GONE_MESSAGE =
  'The download file could no longer be found on the server, please try to start again.';

/** Postgres: a concurrent transaction changed what this one read (REPEATABLE READ's first-updater-wins). */
const SERIALIZATION_FAILURE = '40001';

function shreddersOf(row: ShredRunRow): Shredder[] {
  return row.shredders.map((identifier) => {
    const shredder = findShredder(identifier);
    // Identifiers are validated before a run is recorded; one can only vanish with a code change.
    if (!shredder) throw new ExportError(`Unknown data shredder "${identifier}".`);
    return shredder;
  });
}

export interface StepDeps {
  db: Db;
  storage: Storage;
  logger: Logger;
  siteUrl: string;
}

/**
 * The export step: in one REPEATABLE READ snapshot, the event's fingerprint, what each shredder exports, and
 * the ZIP itself — so the file, the counts and the fingerprint describe the very same data. The fingerprint is
 * saved before the run engine commits the file; a retried attempt simply overwrites it.
 */
export async function exportStep(
  deps: StepDeps,
  row: ShredRunRow,
  out: Writable,
  progress: (fraction: number) => Promise<void>,
): Promise<{ eventSlug: string }> {
  const repository = new ShredRunsRepository(deps.db);
  const shredders = shreddersOf(row);
  const snapshot = await deps.db.transaction(
    async (trx) => {
      const event = await trx('events').where('id', row.event_id).first('id', 'slug');
      const organizer = await trx('organizers').where('id', row.organizer_id).first('slug');
      if (!event || !organizer) throw new ExportError(FILE_GONE_MESSAGE);
      const fingerprint = await eventFingerprint(trx, row.event_id);
      const counts: Record<string, ExportCount> = {};
      for (const shredder of shredders)
        counts[shredder.identifier] = await shredder.countExport(trx, row.event_id);
      await writeShredZip(
        out,
        { db: trx, event: { id: Number(event.id), slug: event.slug }, storage: deps.storage },
        shredders,
        {
          instance: deps.siteUrl,
          organizer: organizer.slug,
          event: event.slug,
          time: formatDateTime(new Date())!,
          shredders: row.shredders,
          confirm_code: row.confirm_code,
        },
        progress,
      );
      return { fingerprint, counts, slug: event.slug as string };
    },
    { isolationLevel: 'repeatable read', readOnly: true },
  );
  await repository.recordSnapshot(row.id, snapshot.fingerprint, snapshot.counts);
  return { eventSlug: snapshot.slug };
}

/** Deletes the stored files a committed shred left to delete (idempotent: a missing file is no error). */
export async function deletePendingFiles(
  deps: Pick<StepDeps, 'db' | 'storage'>,
  row: ShredRunRow,
): Promise<void> {
  if (row.pending_file_keys.length === 0) return;
  for (const key of row.pending_file_keys) await deps.storage.delete(key);
  await new ShredRunsRepository(deps.db).clearPendingFiles(row.id);
}

/**
 * The shred step: every selected shredder's erasure in ONE transaction, refused when the event's data is not
 * what the export saw. The audit row is locked first and marked shredded in the same transaction, so a crash
 * leaves either nothing or everything erased, and a retry after a committed shred has nothing left to do (the
 * stored files go in the completion hook, after the commit). REPEATABLE READ: the fingerprint and the erasures see one snapshot; a concurrent change to a row
 * being erased aborts the shred (serialization failure) instead of erasing data the export never held.
 */
export async function shredStep(
  deps: StepDeps,
  shredRunId: string,
  progress: (fraction: number) => Promise<void>,
): Promise<ShredRunRow> {
  const repository = new ShredRunsRepository(deps.db);
  try {
    const row = await deps.db.transaction(
      async (trx) => {
        const found = await repository.findByShred(shredRunId, trx);
        const locked = found && (await repository.lock(trx, found.id));
        if (!locked || locked.shred_run_id !== shredRunId) throw new ExportError(FILE_GONE_MESSAGE);
        if (locked.status === 'shredded') return locked;
        const fingerprint = await eventFingerprint(trx, locked.event_id);
        if (fingerprint !== locked.fingerprint) throw new ExportError(CHANGED_MESSAGE);
        const shredders = shreddersOf(locked);
        const erased: Record<string, ErasedCount> = {};
        const fileKeys: string[] = [];
        for (const [i, shredder] of shredders.entries()) {
          const { fileKeys: files, ...count } = await shredder.erase(trx, locked.event_id, { dryRun: false });
          erased[shredder.identifier] = count;
          fileKeys.push(...files);
          await progress((i + 1) / (shredders.length + 1));
        }
        await repository.markShredded(trx, locked.id, erased, fileKeys);
        return { ...locked, status: 'shredded' as const, erased_counts: erased, pending_file_keys: fileKeys };
      },
      { isolationLevel: 'repeatable read' },
    );
    return row;
  } catch (error) {
    if ((error as { code?: unknown }).code !== SERIALIZATION_FAILURE) throw error;
    // Another attempt of this very shred may have committed first; then this one has nothing left to do.
    const current = await repository.findByShred(shredRunId);
    if (current?.status === 'shredded') return current;
    deps.logger.info({ shredRunId }, 'shred refused: the event changed while it ran');
    throw Object.assign(new ExportError(CHANGED_MESSAGE), { cause: error });
  }
}
