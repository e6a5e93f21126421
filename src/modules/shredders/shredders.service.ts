import { randomInt, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../../config';
import type { Db } from '../../platform/db';
import { formatDateTime } from '../../shared/api-datetime';
import { CustomBodyError, NotFound, ValidationError } from '../../shared/errors';
import type { EventAccess } from '../access/access.service';
import type { Principal } from '../access/principal';
import { EventsRepository } from '../events/events.repository';
import type { ExportRow } from '../exports/exports.repository';
import type { ExportsService } from '../exports/exports.service';
import type { Shredder } from './shredders/define';
import { SHREDDERS, findShredder } from './shredders/index';
import { shredConstraint } from './shredders.constraints';
import { ShredRunsRepository, type ShredRunRow } from './shredders.repository';
import { parseShredderSelection } from './shredders.schemas';

/** How long a shredder export and its shred step live (pretix: 2 h for API shredder exports). */
export const SHRED_TTL_SECONDS = 2 * 3600;
/** The run identifier of both steps in the exports table (runs of kinds shred_export and shred). */
const RUN_IDENTIFIER = 'shredders';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** pretix's text for a shredder URL whose file it does not know (or not for this client). */
const UNKNOWN_FILE = 'No CachedFile matches the given query.';
const GONE = { status: 'gone', message: 'May have succeeded or timed out' };

/** The two ids of a download or shred URL (the export run's job id and id), or of a status URL (the shred's). */
export interface RunRef {
  jobId: string;
  runId: string;
}

export interface StartedShredExport {
  download: string;
  shred: string;
}

function confirmCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return Array.from({ length: 6 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/** An export that was never shredded shows as expired once its ZIP is gone (the row itself stays for the audit). */
function outcomeOf(row: ShredRunRow, now: number): string {
  const open = row.status === 'exporting' || row.status === 'exported';
  return open && row.created_at.getTime() + SHRED_TTL_SECONDS * 1000 <= now ? 'expired' : row.status;
}

function auditResource(row: ShredRunRow, now: number) {
  return {
    id: row.id,
    created: formatDateTime(row.created_at),
    started_by: row.principal_key,
    shredders: row.shredders,
    status: outcomeOf(row, now),
    message: row.message,
    exported: formatDateTime(row.exported_at),
    shred_requested: formatDateTime(row.shred_requested_at),
    finished: formatDateTime(row.finished_at),
    exported_counts: row.exported_counts,
    erased_counts: row.erased_counts,
  };
}

export interface DryRunResult {
  /** What would stop an export right now (pretix's constraint messages); empty when it may start. */
  constraints: string[];
  shredders: {
    identifier: string;
    verbose_name: string;
    export: { files: number; records: number };
    erase: { rows: number; fields: number; deleted: number; files: number };
  }[];
}

/** The data shredders of an event: listing, the dry run, and the checks before an export may start. */
export class ShreddersService {
  private readonly events: EventsRepository;

  private readonly runs: ShredRunsRepository;

  constructor(private readonly deps: { config: Config; db: Db; exports: ExportsService }) {
    this.events = new EventsRepository(deps.db);
    this.runs = new ShredRunsRepository(deps.db);
  }

  list(): readonly Shredder[] {
    return SHREDDERS;
  }

  get(identifier: string): Shredder {
    const shredder = findShredder(identifier);
    if (!shredder) throw new NotFound();
    return shredder;
  }

  private select(body: unknown): Shredder[] {
    const identifiers = parseShredderSelection(
      body,
      SHREDDERS.map((shredder) => shredder.identifier),
    );
    return identifiers.map((identifier) => findShredder(identifier)!);
  }

  /** The constraint that blocks shredding in this event now, or null (read fresh, not from the request). */
  async constraint(eventId: number): Promise<string | null> {
    return shredConstraint(await this.events.byId(eventId));
  }

  /**
   * Validates `{"shredders": [...]}` and then the event's constraints (400 with a bare list, as pretix), before
   * anything is written.
   */
  async checkExport(access: EventAccess, body: unknown): Promise<Shredder[]> {
    const shredders = this.select(body);
    const blocked = await this.constraint(Number(access.event.id));
    if (blocked) throw new ValidationError([blocked]);
    return shredders;
  }

  /**
   * Per shredder, what an export would hold and what a shred would erase now, counted in one read-only
   * snapshot with the erasures' own statements (dry). Nothing is written; constraints are reported, not
   * enforced.
   */
  async dryRun(access: EventAccess, body: unknown): Promise<DryRunResult> {
    const shredders = this.select(body);
    const eventId = Number(access.event.id);
    const blocked = await this.constraint(eventId);
    const results = await this.deps.db.transaction(
      async (trx) => {
        const out: DryRunResult['shredders'] = [];
        for (const shredder of shredders) {
          const exported = await shredder.countExport(trx, eventId);
          const { fileKeys: _files, ...erase } = await shredder.erase(trx, eventId, { dryRun: true });
          out.push({
            identifier: shredder.identifier,
            verbose_name: shredder.verboseName,
            export: exported,
            erase,
          });
        }
        return out;
      },
      { isolationLevel: 'repeatable read', readOnly: true },
    );
    return { constraints: blocked ? [blocked] : [], shredders: results };
  }

  private base(access: EventAccess): string {
    return `${this.deps.config.SITE_URL}/api/v1/organizers/${access.organizer.slug}/events/${access.event.slug}/shredders`;
  }

  /**
   * POST …/export/: validation and constraints first (nothing written when they fail), then the audit row and
   * the export run (kind shred_export, 2 h) in one transaction.
   */
  async startExport(access: EventAccess, principal: Principal, body: unknown): Promise<StartedShredExport> {
    const shredders = await this.checkExport(access, body);
    const identifiers = shredders.map((shredder) => shredder.identifier);
    const eventId = Number(access.event.id);
    const run = await this.deps.db.transaction(async (trx) => {
      const started = await this.deps.exports.record(trx, {
        kind: 'shred_export',
        level: 'event',
        organizerId: access.organizer.id,
        eventId,
        identifier: RUN_IDENTIFIER,
        input: { shredders: identifiers },
        eventIds: [eventId],
        principalKey: principal.key,
        ttlSeconds: SHRED_TTL_SECONDS,
      });
      await this.runs.insert(trx, {
        id: randomUUID(),
        organizer_id: access.organizer.id,
        event_id: eventId,
        principal_key: principal.key,
        shredders: identifiers,
        export_run_id: started.id,
        export_job_id: started.jobId,
        confirm_code: confirmCode(),
      });
      return started;
    });
    const ids = `${run.jobId}/${run.id}/`;
    return { download: `${this.base(access)}/download/${ids}`, shred: `${this.base(access)}/shred/${ids}` };
  }

  /**
   * The audit row and export run behind a download/shred URL, or 404: unknown, malformed, expired, another
   * event's, another client's (bound to the exact principal), or already shredded (its ZIP is gone). Then 409
   * while the export runs, 410 once it failed.
   */
  private async exportOf(
    access: EventAccess,
    principal: Principal,
    ref: RunRef,
  ): Promise<{ audit: ShredRunRow; run: ExportRow }> {
    if (!UUID.test(ref.jobId) || !UUID.test(ref.runId)) throw new NotFound(UNKNOWN_FILE);
    const audit = await this.runs.findByExport(ref.runId);
    const run = audit && (await this.deps.exports.findRun(ref.runId));
    if (
      !audit ||
      !run ||
      audit.export_job_id !== ref.jobId ||
      Number(audit.event_id) !== Number(access.event.id) ||
      audit.principal_key !== principal.key ||
      audit.status === 'shredded'
    ) {
      throw new NotFound(UNKNOWN_FILE);
    }
    this.deps.exports.pendingError(run);
    return { audit, run };
  }

  /** GET …/download/{id1}/{id2}/: the finished export run, whose file is `<event-slug>.zip`. */
  async download(access: EventAccess, principal: Principal, ref: RunRef): Promise<ExportRow> {
    return (await this.exportOf(access, principal, ref)).run;
  }

  private statusUrl(access: EventAccess, audit: Pick<ShredRunRow, 'shred_job_id' | 'shred_run_id'>) {
    return `${this.base(access)}/status/${audit.shred_job_id}/${audit.shred_run_id}/`;
  }

  /**
   * POST …/shred/{id1}/{id2}/: once the export is done and the constraints still hold (400 bare list), starts
   * the shred step (kind shred). While a shred of this export is under way, answers with its status URL again;
   * after a failed one, starts a new one.
   */
  async startShred(access: EventAccess, principal: Principal, ref: RunRef): Promise<string> {
    const { audit } = await this.exportOf(access, principal, ref);
    const blocked = await this.constraint(Number(access.event.id));
    if (blocked) throw new ValidationError([blocked]);
    const started = await this.deps.db.transaction(async (trx: Knex.Transaction) => {
      const locked = (await this.runs.lock(trx, audit.id))!;
      if (locked.status === 'shredding') return locked;
      if (locked.status === 'shredded') throw new NotFound(UNKNOWN_FILE);
      // The export run is done, so its snapshot is recorded; only a row written by hand could lack it.
      if (!locked.fingerprint) throw new CustomBodyError(409, { status: 'running' }, { 'Retry-After': '1' });
      const run = await this.deps.exports.record(
        trx,
        {
          kind: 'shred',
          level: 'event',
          organizerId: access.organizer.id,
          eventId: Number(access.event.id),
          identifier: RUN_IDENTIFIER,
          input: { shred_run: audit.id },
          eventIds: [Number(access.event.id)],
          principalKey: principal.key,
          ttlSeconds: SHRED_TTL_SECONDS,
        },
        // The second step of a run already counted; the cap is for starting exports.
        { enforceCap: false },
      );
      await this.runs.startShred(trx, audit.id, run.id, run.jobId);
      return { shred_job_id: run.jobId, shred_run_id: run.id };
    });
    return this.statusUrl(access, started);
  }

  /**
   * GET …/status/{id1}/{id2}/: 200 once shredded, 417 with the message once failed, 409 while it waits or runs,
   * 410 "gone" for a shred this server does not know (or no longer has a run for); another client's is 404.
   */
  async status(
    access: EventAccess,
    principal: Principal,
    ref: RunRef,
  ): Promise<{ status: number; body: unknown }> {
    const audit =
      UUID.test(ref.jobId) && UUID.test(ref.runId) ? await this.runs.findByShred(ref.runId) : undefined;
    if (!audit || audit.shred_job_id !== ref.jobId || Number(audit.event_id) !== Number(access.event.id))
      return { status: 410, body: GONE };
    if (audit.principal_key !== principal.key) throw new NotFound(UNKNOWN_FILE);
    if (audit.status === 'shredded') return { status: 200, body: { status: 'ok', message: 'OK' } };
    if (audit.status === 'failed') return { status: 417, body: { status: 'failed', message: audit.message } };
    const run = await this.deps.exports.findRun(ref.runId);
    if (!run) return { status: 410, body: GONE };
    if (run.status === 'failed') return { status: 417, body: { status: 'failed', message: run.message } };
    if (run.status === 'done') return { status: 200, body: { status: 'ok', message: 'OK' } };
    return { status: 409, body: { status: run.status } };
  }

  /**
   * GET …/runs/: the event's shred runs, newest first (who, when, which shredders, counts, outcome: exporting,
   * exported, export_failed, expired, shredding, shredded, failed).
   */
  runsOf(access: EventAccess): Knex.QueryBuilder {
    return this.runs.listForEvent(Number(access.event.id));
  }

  toAudit(rows: ShredRunRow[]) {
    const now = Date.now();
    return rows.map((row) => auditResource(row, now));
  }
}
