import type { Config } from '../../config';
import type { Logger } from '../../platform/logger';
import type { Storage } from '../../platform/storage';
import type { AccessService } from '../access/access.service';
import { ExportError, NO_DATA_MESSAGE } from './exporters/define';
import { NOT_PERMITTED_MESSAGE } from './exporter-producer';
import type { ExportRow, ExportsRepository } from './exports.repository';
import type { ProducedFile, ProducerLookup, RunFinishedHook, RunProducer } from './runs/producer';
import { writeRunFile } from './runs/run-file';

export { NOT_PERMITTED_MESSAGE };
export const INTERNAL_ERROR_MESSAGE = 'Internal error';
export const CANCELED_MESSAGE = 'Export canceled.';
export const TOO_MANY_ATTEMPTS_MESSAGE = 'The export was interrupted too often and has been given up.';

/** Thrown from progress reporting when the run is no longer current (cancelled, taken over, expired). */
class RunSuperseded extends Error {}

/** Where attempt n of a run writes (temporary) and commits (final) its file. */
export function temporaryKeyOf(exportId: string, attempt: number): string {
  return `tmp/exports/${exportId}-${attempt}`;
}
export function finalKeyOf(exportId: string, attempt: number): string {
  return `exports/${exportId}-${attempt}`;
}
export function exportFileKeys(exportId: string, attempts: number): string[] {
  const keys: string[] = [];
  for (let n = 1; n <= attempts; n++) keys.push(temporaryKeyOf(exportId, n), finalKeyOf(exportId, n));
  return keys;
}

/** Content-Disposition takes ASCII only (pretix drops the rest); slugs are ASCII anyway. */
function asciiFileName(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '_');
}

/** 'retry': the job should be retried (row not visible yet, or a completion hook failed). */
export type RunOutcome = 'done' | 'failed' | 'skipped' | 'retry';

export interface RunnerDeps {
  config: Config;
  logger: Logger;
  storage: Storage;
  repository: ExportsRepository;
  access: Pick<AccessService, 'stillPermitted'>;
  producerOf: ProducerLookup;
  onFinished?: readonly RunFinishedHook[];
}

/**
 * The run engine: executes one attempt of any run (an export, a scheduled export, a shredder's ZIP, a shred).
 * Postgres → producer → storage (temporary key) → commit (final key, then one conditional update of the row) →
 * completion hooks. Idempotent: a retry after a crash starts over and its result replaces nothing a client
 * could have seen; hooks run again until they have all succeeded.
 */
export class RunRunner {
  constructor(private readonly deps: RunnerDeps) {}

  async run(exportId: string): Promise<RunOutcome> {
    const { repository, storage, config } = this.deps;
    const row = await repository.startAttempt(exportId);
    if (!row) {
      // The caller enqueues before its transaction commits: a row that is missing or still waiting was not
      // visible to the update yet, and the job is retried. A finished run may still owe its hooks.
      const current = await repository.find(exportId);
      if (!current || current.status === 'waiting') return 'retry';
      return (await this.notify(current)) ? 'skipped' : 'retry';
    }
    const log = this.deps.logger.child({
      exportId,
      attempt: row.attempts,
      kind: row.kind,
      run: row.identifier,
    });
    // Leftovers of earlier attempts that crashed before they could clean up.
    for (const key of exportFileKeys(row.id, row.attempts - 1)) await storage.delete(key);
    if (row.attempts > config.EXPORT_MAX_ATTEMPTS) {
      log.error('run given up after too many attempts');
      return this.fail(row, TOO_MANY_ATTEMPTS_MESSAGE);
    }
    try {
      const producer = this.deps.producerOf(row);
      if (
        !producer ||
        !(await this.deps.access.stillPermitted(
          row.principal_key,
          Number(row.organizer_id),
          row.event_ids.map(Number),
          producer.permission,
        ))
      ) {
        throw new ExportError(NOT_PERMITTED_MESSAGE);
      }
      await this.produce(row, producer, log);
    } catch (error) {
      if (error instanceof RunSuperseded) {
        log.info('run superseded (cancelled or taken over); stopped');
        return 'skipped';
      }
      const message = error instanceof ExportError ? error.message : INTERNAL_ERROR_MESSAGE;
      if (!(error instanceof ExportError)) log.error({ err: error }, 'run failed');
      return this.fail(row, message);
    }
    const done = await repository.find(row.id);
    return done && (await this.notify(done)) ? 'done' : 'retry';
  }

  private async fail(row: ExportRow, message: string): Promise<RunOutcome> {
    await this.deps.repository.markFailed(row.id, message, row.attempts);
    const failed = await this.deps.repository.find(row.id);
    return failed && (await this.notify(failed)) ? 'failed' : 'retry';
  }

  private async produce(row: ExportRow, producer: RunProducer, log: Logger): Promise<void> {
    const { storage, repository } = this.deps;
    const { result, file } = await writeRunFile<ProducedFile | null>(
      storage,
      { temporaryKey: temporaryKeyOf(row.id, row.attempts), finalKey: finalKeyOf(row.id, row.attempts) },
      (out) => producer.produce(row, { out, progress: this.progressReporter(row) }),
      (produced, size) => produced !== null && size > 0,
    );
    if (result !== null && !file) throw new ExportError(NO_DATA_MESSAGE);
    const committed = await repository.markDone(
      row.id,
      row.attempts,
      result && file
        ? {
            file_key: file.key,
            file_name: asciiFileName(result.fileName),
            content_type: result.contentType,
            file_size: file.size,
            file_sha256: file.sha256,
          }
        : null,
    );
    if (!committed) {
      if (file) await storage.delete(file.key);
      throw new RunSuperseded();
    }
    log.info({ size: file?.size ?? 0 }, 'run done');
  }

  /**
   * Runs every completion hook of a finished run that has not been notified yet; true once all succeeded (or
   * another worker already did it). A hook that throws leaves the run unnotified, and the job is retried.
   */
  private async notify(row: ExportRow): Promise<boolean> {
    if (row.notified_at || (row.status !== 'done' && row.status !== 'failed')) return true;
    const outcome = row.status;
    try {
      for (const hook of this.deps.onFinished ?? []) await hook(row, outcome);
    } catch (error) {
      this.deps.logger.warn(
        { err: error, exportId: row.id, kind: row.kind },
        'completion hook failed; retrying',
      );
      return false;
    }
    await this.deps.repository.markNotified(row.id);
    return true;
  }

  /** Writes progress about every 1 % (and at the end), and notices a cancel or takeover on the way. */
  private progressReporter(row: ExportRow): (fraction: number) => Promise<void> {
    let last = -Infinity;
    return async (fraction) => {
      const percentage = Math.round(Math.min(Math.max(fraction, 0), 1) * 10000) / 100;
      if (percentage - last < 1 && !(percentage === 100 && last < 100)) return;
      last = percentage;
      if (!(await this.deps.repository.setProgress(row.id, row.attempts, percentage)))
        throw new RunSuperseded();
    };
  }
}
