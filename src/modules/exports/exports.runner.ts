import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { Knex } from 'knex';
import type { Config } from '../../config';
import type { Db } from '../../platform/db';
import type { Logger } from '../../platform/logger';
import type { Storage } from '../../platform/storage';
import {
  ExportError,
  NO_DATA_MESSAGE,
  type AnyExportContext,
  type ExportEvent,
  type Exporter,
} from './exporters/define';
import { findExporter } from './exporters/index';
import type { ExportRow, ExportsRepository } from './exports.repository';
import { principalStillPermitted } from './exports.permissions';
import { fileTypeOf, renderExport } from './render/index';

export const INTERNAL_ERROR_MESSAGE = 'Internal error';
export const NOT_PERMITTED_MESSAGE =
  'Export not found or you do not have sufficient permission to perform this export.';
export const CANCELED_MESSAGE = 'Export canceled.';
export const TOO_MANY_ATTEMPTS_MESSAGE = 'The export was interrupted too often and has been given up.';

/** Thrown from progress reporting when the run is no longer current (cancelled, taken over, expired). */
class RunSuperseded extends Error {}

/** Where attempt n of an export writes (temporary) and commits (final) its file. */
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

export type RunOutcome = 'done' | 'failed' | 'skipped' | 'retry';

interface RunnerDeps {
  config: Config;
  db: Db;
  logger: Logger;
  storage: Storage;
  repository: ExportsRepository;
}

/**
 * Runs one attempt of an export: Postgres → renderer → storage (temporary key) → commit (final key, then one
 * conditional update of the row). Idempotent: a retry after a crash starts over and its result replaces
 * nothing a client could have seen.
 */
export class ExportRunner {
  constructor(private readonly deps: RunnerDeps) {}

  async run(exportId: string): Promise<RunOutcome> {
    const { repository, storage, config } = this.deps;
    const row = await repository.startAttempt(exportId);
    if (!row) {
      // The API enqueues before its transaction commits: a row that is missing or still waiting was not
      // visible to the update yet, and the job is retried. Anything else is finished, cancelled or expired.
      const current = await repository.find(exportId);
      return !current || current.status === 'waiting' ? 'retry' : 'skipped';
    }
    const log = this.deps.logger.child({ exportId, attempt: row.attempts, exporter: row.identifier });
    // Leftovers of earlier attempts that crashed before they could clean up.
    for (const key of exportFileKeys(row.id, row.attempts - 1)) await storage.delete(key);
    if (row.attempts > config.EXPORT_MAX_ATTEMPTS) {
      log.error('export given up after too many attempts');
      await repository.markFailed(row.id, TOO_MANY_ATTEMPTS_MESSAGE, row.attempts);
      return 'failed';
    }
    try {
      const exporter = findExporter(row.level, row.identifier);
      if (!exporter || !(await principalStillPermitted(this.deps.db, row, exporter.permission))) {
        throw new ExportError(NOT_PERMITTED_MESSAGE);
      }
      return await this.produce(row, exporter, log);
    } catch (error) {
      if (error instanceof RunSuperseded) {
        log.info('export run superseded (cancelled or taken over); stopped');
        return 'skipped';
      }
      const message = error instanceof ExportError ? error.message : INTERNAL_ERROR_MESSAGE;
      if (!(error instanceof ExportError)) log.error({ err: error }, 'export failed');
      await repository.markFailed(row.id, message, row.attempts);
      return 'failed';
    }
  }

  private async produce(row: ExportRow, exporter: Exporter, log: Logger): Promise<RunOutcome> {
    const { db, storage, repository } = this.deps;
    const temporaryKey = temporaryKeyOf(row.id, row.attempts);
    const hash = createHash('sha256');
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    const upload = storage.write(temporaryKey, measure);
    let fileName = '';
    let contentType = '';
    try {
      await db.transaction(
        async (trx) => {
          const ctx = await this.context(trx, row, exporter);
          const type = fileTypeOf(exporter, String(ctx.input._format ?? ''));
          fileName = `${await exporter.filename(ctx)}.${type.extension}`;
          contentType = type.contentType;
          await renderExport(exporter, ctx, measure, ctx.progress, async (pid) => {
            await db.raw('SELECT pg_cancel_backend(?)', [pid]);
          });
        },
        { isolationLevel: 'repeatable read', readOnly: true },
      );
      if (!measure.writableEnded) measure.end();
      await upload;
    } catch (error) {
      measure.destroy();
      await upload.catch(() => undefined);
      await storage.delete(temporaryKey);
      throw error;
    }
    if (size === 0) {
      await storage.delete(temporaryKey);
      throw new ExportError(NO_DATA_MESSAGE);
    }
    const finalKey = finalKeyOf(row.id, row.attempts);
    await storage.move(temporaryKey, finalKey);
    const committed = await repository.markDone(row.id, row.attempts, {
      file_key: finalKey,
      file_name: asciiFileName(fileName),
      content_type: contentType,
      file_size: size,
      file_sha256: hash.digest('hex'),
    });
    if (!committed) {
      await storage.delete(finalKey);
      throw new RunSuperseded();
    }
    log.info({ size }, 'export done');
    return 'done';
  }

  /** Builds what the exporter sees, inside the run's read-only snapshot. */
  private async context(trx: Knex, row: ExportRow, exporter: Exporter): Promise<AnyExportContext> {
    const organizer = await trx('organizers').where('id', row.organizer_id).first('id', 'slug', 'name');
    const events: ExportEvent[] = await trx('events')
      .whereIn('id', row.event_ids)
      .orderBy('slug')
      .select('id', 'slug', 'name', 'currency', 'timezone', 'date_from', 'date_to');
    if (!organizer) throw new ExportError(NOT_PERMITTED_MESSAGE);
    const event = row.level === 'event' ? (events[0] ?? null) : null;
    if (row.level === 'event' && !event) throw new ExportError(NOT_PERMITTED_MESSAGE);
    const timezone = event?.timezone ?? events[0]?.timezone ?? 'UTC';
    // Dates and times in SQL (::date, to_char) are then local to the exporter's time zone.
    await trx.raw("SELECT set_config('TimeZone', ?, true)", [timezone]);
    const now = new Date();
    const input: Record<string, unknown> = {};
    for (const [name, field] of exporter.fields)
      input[name] = field.resolve(row.input[name] ?? null, { timezone, now });
    return {
      db: trx,
      level: row.level,
      organizer: { id: Number(organizer.id), slug: organizer.slug, name: organizer.name },
      event,
      events,
      eventIds: events.map((e) => Number(e.id)),
      slug: event?.slug ?? organizer.slug,
      timezone,
      input: input as AnyExportContext['input'],
      siteUrl: this.deps.config.SITE_URL,
      now,
      progress: this.progressReporter(row),
    };
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
