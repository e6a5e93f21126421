import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import type { Config } from '../../config';
import type { Db } from '../../platform/db';
import { isMissingFile, type ByteRange, type Storage } from '../../platform/storage';
import { CustomBodyError, NotFound, Throttled } from '../../shared/errors';
import type { AccessService, EventAccess, OrganizerAccess } from '../access/access.service';
import type { Principal } from '../access/principal';
import type { Exporter } from './exporters/define';
import { EXPORTERS } from './exporters/index';
import { enqueueExport, jobIdOf, type ExportsQueue } from './exports.jobs';
import { normaliseInput, type ScopeEvent } from './exports.input';
import { ExportsRepository, type ExportLevel, type ExportRow, type RunKind } from './exports.repository';
import { CANCELED_MESSAGE, INTERNAL_ERROR_MESSAGE } from './exports.runner';

/** Where an exporter request happens: the level, and the caller's access there (the event's for event level). */
export type ExportScope =
  { level: 'event'; access: EventAccess } | { level: 'organizer'; access: OrganizerAccess };

/** The download URL's ids; both must match the row. */
export interface DownloadRef {
  identifier: string;
  jobId: string;
  exportId: string;
}

/** A validated run request: what `prepare` returns and `record` stores (with the kind and principal). */
export interface PreparedExport {
  level: ExportLevel;
  organizerId: number;
  eventId: number | null;
  identifier: string;
  input: Record<string, unknown>;
  eventIds: number[];
}

export interface NewRun extends PreparedExport {
  kind: RunKind;
  /** The Principal.key of the credential the run acts as; re-checked when it runs, and bound to its results. */
  principalKey: string;
  /** How long the run and its file live; EXPORT_TTL by default. */
  ttlSeconds?: number;
}

export interface StartedRun {
  id: string;
  /** The second id of download URLs (pretix's async task id). */
  jobId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** pretix's text for an unknown result file. */
const UNKNOWN_FILE = 'No CachedFile matches the given query.';

export class ExportsService {
  private readonly repository: ExportsRepository;

  constructor(
    private readonly deps: {
      config: Config;
      db: Db;
      access: AccessService;
      queue: ExportsQueue;
      storage: Storage;
    },
  ) {
    this.repository = new ExportsRepository(deps.db);
  }

  /** Exporters of this level the caller may use, sorted by verbose name as pretix does. */
  list(scope: ExportScope): Exporter[] {
    return EXPORTERS.filter(
      (exporter) => exporter.scope === scope.level && scope.access.permissions.has(exporter.permission),
    ).sort((a, b) => a.verboseName.localeCompare(b.verboseName, 'en'));
  }

  get(scope: ExportScope, identifier: string): Exporter {
    const exporter = this.list(scope).find((candidate) => candidate.identifier === identifier);
    if (!exporter) throw new NotFound();
    return exporter;
  }

  /** Events an organizer-level run may read: those where the caller holds the exporter's permission. */
  private async permittedEvents(scope: ExportScope, exporter: Exporter): Promise<ScopeEvent[]> {
    if (scope.level === 'event')
      return [{ id: Number(scope.access.event.id), slug: scope.access.event.slug }];
    const rows: ScopeEvent[] = await this.deps
      .db('events')
      .whereIn('id', this.deps.access.accessibleEventIds(scope.access, exporter.permission))
      .orderBy('slug')
      .select('id', 'slug');
    return rows.map((row) => ({ id: Number(row.id), slug: row.slug }));
  }

  /**
   * Validates a run request without recording anything: the exporter (404 when unknown or not permitted), its
   * input (400 in pretix's shapes) and the caller's events. Usable without an HTTP request (a schedule's tick).
   */
  async prepare(scope: ExportScope, identifier: string, body: unknown): Promise<PreparedExport> {
    const exporter = this.get(scope, identifier);
    const { input, eventIds } = await normaliseInput(exporter, body, {
      db: this.deps.db,
      organizerId: scope.access.organizer.id,
      events: await this.permittedEvents(scope, exporter),
    });
    return {
      level: scope.level,
      organizerId: scope.access.organizer.id,
      eventId: scope.level === 'event' ? Number(scope.access.event.id) : null,
      identifier: exporter.identifier,
      input,
      eventIds,
    };
  }

  /**
   * Records a run and enqueues its job inside the caller's transaction: the row and the job appear together or
   * not at all (503 when Redis is down). With `enforceCap` (the default) a principal may have at most
   * EXPORT_MAX_ACTIVE_PER_CLIENT runs waiting or running (429 beyond).
   */
  async record(
    trx: Knex.Transaction,
    run: NewRun,
    options: { enforceCap?: boolean } = {},
  ): Promise<StartedRun> {
    const { config } = this.deps;
    if (options.enforceCap ?? true) {
      await this.repository.lockPrincipal(trx, run.principalKey);
      const active = await this.repository.countActive(trx, run.principalKey);
      if (active >= config.EXPORT_MAX_ACTIVE_PER_CLIENT) {
        throw new Throttled(
          `You already have ${active} exports waiting or running; wait for one of them to finish (at most ${config.EXPORT_MAX_ACTIVE_PER_CLIENT} at a time).`,
          5,
        );
      }
    }
    const started: StartedRun = { id: randomUUID(), jobId: randomUUID() };
    await this.repository.insert(trx, {
      id: started.id,
      job_id: started.jobId,
      kind: run.kind,
      level: run.level,
      organizer_id: run.organizerId,
      event_id: run.eventId,
      identifier: run.identifier,
      input: run.input,
      event_ids: run.eventIds,
      principal_key: run.principalKey,
      queue_prefix: config.QUEUE_PREFIX,
      expires_at: new Date(Date.now() + (run.ttlSeconds ?? config.EXPORT_TTL) * 1000),
    });
    await enqueueExport(this.deps.queue, started.id);
    return started;
  }

  /** The HTTP flow: validate, then record and enqueue; nothing else happens in the request. */
  async start(scope: ExportScope, principal: Principal, identifier: string, body: unknown): Promise<string> {
    const prepared = await this.prepare(scope, identifier, body);
    const started = await this.deps.db.transaction((trx) =>
      this.record(trx, { ...prepared, kind: 'export', principalKey: principal.key }),
    );
    return this.downloadUrl(scope, prepared.identifier, started.jobId, started.id);
  }

  /** An unexpired run, whatever its state and kind (for features that serve their own runs' URLs). */
  async findRun(id: string): Promise<ExportRow | undefined> {
    return UUID.test(id) ? this.repository.findLive(id) : undefined;
  }

  /** Throws 409 `{status, percentage}` while a run waits or runs, 410 `{status: "failed", message}` once failed. */
  pendingError(row: ExportRow): void {
    if (row.status === 'waiting' || row.status === 'running') {
      throw new CustomBodyError(
        409,
        { status: row.status, percentage: row.percentage === null ? null : Number(row.percentage) },
        { 'Retry-After': '1' },
      );
    }
    if (row.status === 'failed') throw new CustomBodyError(410, { status: 'failed', message: row.message });
  }

  private downloadUrl(scope: ExportScope, identifier: string, jobId: string, id: string): string {
    const organizer = `${this.deps.config.SITE_URL}/api/v1/organizers/${scope.access.organizer.slug}`;
    const base = scope.level === 'event' ? `${organizer}/events/${scope.access.event.slug}` : organizer;
    return `${base}/exporters/${identifier}/download/${jobId}/${id}/`;
  }

  /**
   * The run behind a download URL, or 404: unknown, malformed, expired, another level/event/exporter, or
   * started by another credential (results are bound to the exact principal that ran them).
   */
  private async find(scope: ExportScope, principal: Principal, ref: DownloadRef): Promise<ExportRow> {
    if (!UUID.test(ref.jobId) || !UUID.test(ref.exportId)) throw new NotFound(UNKNOWN_FILE);
    const row = await this.repository.findLive(ref.exportId);
    const level: ExportLevel = scope.level;
    if (
      !row ||
      row.job_id !== ref.jobId ||
      row.level !== level ||
      row.identifier !== ref.identifier ||
      Number(row.organizer_id) !== scope.access.organizer.id ||
      (scope.level === 'event' && Number(row.event_id) !== Number(scope.access.event.id)) ||
      row.principal_key !== principal.key ||
      row.kind !== 'export'
    ) {
      throw new NotFound(UNKNOWN_FILE);
    }
    return row;
  }

  /** A finished run's file metadata; 409 while it runs, 410 when it failed. */
  async finished(scope: ExportScope, principal: Principal, ref: DownloadRef): Promise<ExportRow> {
    const row = await this.find(scope, principal, ref);
    this.pendingError(row);
    return row;
  }

  /**
   * The finished run's file. If storage lost it (an operator emptied the directory, a bucket lifecycle rule),
   * the run counts as failed: 410 "Internal error" now and on every later request, so the client runs the
   * export again instead of retrying a URL that cannot work (a 404 would read as a wrong or expired URL).
   */
  async open(row: ExportRow, range?: ByteRange): Promise<Readable> {
    try {
      return await this.deps.storage.read(row.file_key!, range);
    } catch (error) {
      if (!isMissingFile(error)) throw error;
      await this.repository.markFileLost(row.id, INTERNAL_ERROR_MESSAGE);
      throw Object.assign(new CustomBodyError(410, { status: 'failed', message: INTERNAL_ERROR_MESSAGE }), {
        cause: error,
      });
    }
  }

  /**
   * DELETE on a download URL: cancels a waiting or running run (the worker notices at its next progress write
   * and stops); a finished one is deleted with its file.
   */
  async cancel(scope: ExportScope, principal: Principal, ref: DownloadRef): Promise<void> {
    const row = await this.find(scope, principal, ref);
    if (row.status === 'waiting' || row.status === 'running') {
      await this.repository.markFailed(row.id, CANCELED_MESSAGE);
      // A job that has not started is dropped; an active one is locked and stops by itself.
      await this.deps.queue.remove(jobIdOf(row.id)).catch(() => undefined);
      return;
    }
    if (row.status === 'done') {
      await this.repository.delete(row.id);
      if (row.file_key) await this.deps.storage.delete(row.file_key);
    }
  }
}
