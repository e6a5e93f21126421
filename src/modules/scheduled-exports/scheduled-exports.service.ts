import type { Knex } from 'knex';
import type { z } from 'zod';
import { toFieldErrors } from '../../shared/validation';
import type { Config } from '../../config';
import type { Db } from '../../platform/db';
import { formatDateTime } from '../../shared/api-datetime';
import {
  Conflict,
  CustomBodyError,
  NotFound,
  PermissionDenied,
  ValidationError,
  type FieldErrors,
} from '../../shared/errors';
import type { Permission } from '../access/permissions';
import type { Principal } from '../access/principal';
import type { EventsRepository } from '../events/events.repository';
import type { Exporter } from '../exports/exporters/define';
import type { ExportRow } from '../exports/exports.repository';
import type { ExportScope, ExportsService } from '../exports/exports.service';
import { emailsOf } from '../users/users.service';
import {
  formDataView,
  nestFormDataErrors,
  selectsAllEvents,
  storedEventIds,
  storedFormData,
  submittedFields,
  type ScheduledExportInputs,
} from './export-form-data';
import { linkTokenMatches } from './delivery';
import { enqueueRedelivery, type ScheduledExportsQueue } from './scheduled-exports.jobs';
import { nextRun, todayIn, upcomingRuns, type PlannedRun } from './next-run';
import {
  ScheduledExportsRepository,
  type OwnerFilter,
  type ScheduleFields,
  type ScheduleLocation,
  type RunRow,
  type ScheduleRow,
} from './scheduled-exports.repository';
import { DEFAULT_TIMEZONE, ScheduleInput, SchedulePatch, ScheduleReplace } from './scheduled-exports.schemas';
import { withStart } from './schedule-rule';

/** pretix's messages for this resource. */
export const MESSAGES = {
  createNeedsUser: 'Creation of exports requires user-specific API access.',
  noExporterAccess: 'No access to exporter.',
  couldNotRun: 'No permission to edit exports you could not run.',
  tokenWithoutSettings: (level: 'event' | 'organizer') =>
    `Scheduled exports require either permission to change ${level} settings or user-specific API access.`,
  notFound: (level: 'event' | 'organizer') =>
    `No ${level === 'event' ? 'ScheduledEventExport' : 'ScheduledOrganizerExport'} matches the given query.`,
} as const;

export type ScheduleResource = Record<string, unknown>;
type WriteMode = 'create' | 'put' | 'patch';

/** The user behind a principal, or null for a team token (which cannot own schedules). */
export function userOf(principal: Principal): number | null {
  return 'userId' in principal ? principal.userId : null;
}

export function locationOf(scope: ExportScope): ScheduleLocation {
  return {
    level: scope.level,
    organizerId: scope.access.organizer.id,
    eventId: scope.level === 'event' ? Number(scope.access.event.id) : null,
  };
}

/** The zone a schedule's wall times are in: its event's, or its own (organizer level). */
export function zoneOf(scope: ExportScope, timezone: string | null): string {
  if (scope.level === 'event') return String(scope.access.event.timezone ?? DEFAULT_TIMEZONE);
  return timezone ?? DEFAULT_TIMEZONE;
}

function settingsPermission(scope: ExportScope): Permission {
  return scope.level === 'event' ? 'can_change_event_settings' : 'can_change_organizer_settings';
}

function parseFields<S extends z.ZodType>(schema: S, data: unknown, errors: FieldErrors): z.output<S> | null {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  Object.assign(errors, toFieldErrors(result.error, data));
  return null;
}

/**
 * Scheduled exports at event and organizer level (pretix's S1–S10): who sees and changes which schedule, the
 * validation of a schedule (its exporter and input checked as a run request would be), and its next run.
 */
export class ScheduledExportsService {
  readonly repository: ScheduledExportsRepository;

  constructor(
    private readonly deps: {
      db: Db;
      /** QUEUE_PREFIX: the deployment whose scheduler runs the schedules created here. */
      queuePrefix: string;
      inputs: ScheduledExportInputs;
      events: EventsRepository;
      /** For run history endpoints (API side): redeliveries and the files behind download links. */
      deliveries?: {
        config: Pick<Config, 'SCHEDULED_EXPORT_RETRY_DELAY_MS'>;
        queue: ScheduledExportsQueue;
        exports: ExportsService;
      };
    },
  ) {
    this.repository = new ScheduledExportsRepository(deps.db);
  }

  /**
   * Whose schedules the caller sees: all of them with the settings permission, a user's own without it. A team
   * token without it sees none (403).
   */
  ownerFilter(scope: ExportScope, principal: Principal): OwnerFilter {
    if (scope.access.permissions.has(settingsPermission(scope))) return null;
    const user = userOf(principal);
    if (user === null) throw new PermissionDenied(MESSAGES.tokenWithoutSettings(scope.level));
    return user;
  }

  listQuery(scope: ExportScope, principal: Principal): Knex.QueryBuilder {
    return this.repository.listQuery(locationOf(scope), this.ownerFilter(scope, principal));
  }

  private async visible(scope: ExportScope, principal: Principal, id: number): Promise<ScheduleRow> {
    const row = await this.repository.find(locationOf(scope), this.ownerFilter(scope, principal), id);
    if (!row) throw new NotFound(MESSAGES.notFound(scope.level));
    return row;
  }

  async toResources(scope: ExportScope, rows: ScheduleRow[]): Promise<ScheduleResource[]> {
    const owners = await emailsOf(
      this.deps.db,
      rows.map((row) => Number(row.owner_id)),
    );
    const visibleEvents = new Map<string, Awaited<ReturnType<ScheduledExportInputs['permittedEvents']>>>();
    const resources: ScheduleResource[] = [];
    for (const row of rows) {
      const exporter = this.deps.inputs.find(scope, row.export_identifier);
      if (exporter && !visibleEvents.has(exporter.identifier))
        visibleEvents.set(exporter.identifier, await this.deps.inputs.permittedEvents(scope, exporter));
      resources.push({
        id: Number(row.id),
        owner: owners.get(Number(row.owner_id)) ?? null,
        export_identifier: row.export_identifier,
        export_form_data: formDataView(
          exporter,
          row.export_form_data,
          exporter ? visibleEvents.get(exporter.identifier)! : [],
        ),
        locale: row.locale,
        mail_additional_recipients: row.mail_additional_recipients,
        mail_additional_recipients_cc: row.mail_additional_recipients_cc,
        mail_additional_recipients_bcc: row.mail_additional_recipients_bcc,
        mail_subject: row.mail_subject,
        mail_template: row.mail_template,
        schedule_rrule: row.schedule_rrule,
        schedule_rrule_time: row.schedule_rrule_time,
        schedule_next_run: formatDateTime(row.schedule_next_run),
        ...(scope.level === 'organizer' ? { timezone: row.timezone } : {}),
        error_counter: row.error_counter,
      });
    }
    return resources;
  }

  private async resource(scope: ExportScope, row: ScheduleRow): Promise<ScheduleResource> {
    return (await this.toResources(scope, [row]))[0]!;
  }

  async get(scope: ExportScope, principal: Principal, id: number): Promise<ScheduleResource> {
    return this.resource(scope, await this.visible(scope, principal, id));
  }

  /**
   * Parses a body: every field error at once, as DRF reports them, including an exporter the caller may not use;
   * then the exporter's input, nested under `export_form_data`. Returns the fields to store.
   */
  private async validate(
    scope: ExportScope,
    body: unknown,
    mode: WriteMode,
    stored: ScheduleRow | null,
  ): Promise<ScheduleFields> {
    const errors: FieldErrors = {};
    const schema = mode === 'create' ? ScheduleInput : mode === 'put' ? ScheduleReplace : SchedulePatch;
    if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body)))
      throw new ValidationError({
        non_field_errors: [
          `Invalid data. Expected a dictionary, but got ${Array.isArray(body) ? 'list' : typeof body}.`,
        ],
      });
    const submitted = { ...((body ?? {}) as Record<string, unknown>) };
    // Event-level schedules follow the event's time zone; pretix's event serializer has no such field.
    if (scope.level === 'event') delete submitted.timezone;
    const parsed = parseFields(schema, submitted, errors);
    const identifier =
      typeof submitted.export_identifier === 'string'
        ? submitted.export_identifier
        : stored?.export_identifier;
    const exporter = identifier === undefined ? undefined : this.deps.inputs.find(scope, identifier);
    if (
      identifier !== undefined &&
      !exporter &&
      !errors.export_identifier &&
      'export_identifier' in submitted
    )
      errors.export_identifier = [`"${identifier}" is not a valid choice.`];
    if (Object.keys(errors).length > 0 || !parsed) throw new ValidationError(errors);

    const formData = await this.validatedFormData(scope, exporter, parsed.export_form_data, stored);
    const zone = zoneOf(scope, parsed.timezone ?? stored?.timezone ?? null);
    const rule = parsed.schedule_rrule ?? stored!.schedule_rrule;
    return {
      export_identifier: parsed.export_identifier ?? stored!.export_identifier,
      export_form_data: formData,
      locale: parsed.locale ?? stored!.locale,
      mail_additional_recipients:
        parsed.mail_additional_recipients ?? stored?.mail_additional_recipients ?? '',
      mail_additional_recipients_cc:
        parsed.mail_additional_recipients_cc ?? stored?.mail_additional_recipients_cc ?? '',
      mail_additional_recipients_bcc:
        parsed.mail_additional_recipients_bcc ?? stored?.mail_additional_recipients_bcc ?? '',
      mail_subject: parsed.mail_subject ?? stored!.mail_subject,
      mail_template: parsed.mail_template ?? stored!.mail_template,
      schedule_rrule: parsed.schedule_rrule === undefined ? rule : withStart(rule, todayIn(zone)),
      schedule_rrule_time: parsed.schedule_rrule_time ?? stored!.schedule_rrule_time,
      timezone:
        scope.level === 'organizer' ? (parsed.timezone ?? stored?.timezone ?? DEFAULT_TIMEZONE) : null,
    };
  }

  /**
   * The form data to store. Sent data is validated against the (new) exporter; stored data is validated again
   * when only the exporter changes (pretix keeps it unchecked, and the run fails later).
   */
  private async validatedFormData(
    scope: ExportScope,
    exporter: Exporter | undefined,
    sent: unknown,
    stored: ScheduleRow | null,
  ): Promise<Record<string, unknown>> {
    if (!exporter) return stored!.export_form_data;
    const identifierChanged = stored !== null && stored.export_identifier !== exporter.identifier;
    if (sent === undefined && stored && !identifierChanged) return stored.export_form_data;
    const body = submittedFields(
      exporter,
      sent === undefined && stored
        ? await this.runBody(scope.access.organizer.id, stored.export_form_data)
        : sent,
    );
    try {
      const prepared = await this.deps.inputs.prepare(scope, exporter.identifier, body);
      return storedFormData(exporter, body, prepared);
    } catch (error) {
      if (error instanceof ValidationError) throw nestFormDataErrors(error);
      throw error;
    }
  }

  /** Stored form data as a run request body: event ids back to slugs (events deleted since are dropped). */
  async runBody(organizerId: number, stored: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (!Array.isArray(stored.events)) return { ...stored };
    const events = await this.deps.inputs.organizerEvents(organizerId, storedEventIds(stored));
    return { ...stored, events: events.map((event) => event.slug) };
  }

  /**
   * pretix's guard against widening what goes to recipients: a caller who is not the owner may change a
   * schedule only if they could run its export themselves — checked on the stored and on the new exporter and
   * event selection (pretix checks only the stored one).
   */
  private async checkEditable(
    scope: ExportScope,
    principal: Principal,
    stored: ScheduleRow,
    next: Pick<ScheduleFields, 'export_identifier' | 'export_form_data'>,
  ): Promise<void> {
    if (userOf(principal) === Number(stored.owner_id)) return;
    for (const { export_identifier: identifier, export_form_data: formData } of [stored, next]) {
      const exporter = this.deps.inputs.find(scope, identifier);
      if (!exporter) throw new PermissionDenied(MESSAGES.noExporterAccess);
      if (scope.level === 'event') {
        if (!scope.access.permissions.has(exporter.permission))
          throw new PermissionDenied(MESSAGES.couldNotRun);
        continue;
      }
      const permitted = new Set(
        (await this.deps.inputs.permittedEvents(scope, exporter)).map((event) => event.id),
      );
      const needed = selectsAllEvents(formData)
        ? await this.deps.events.idsOf(scope.access.organizer.id)
        : storedEventIds(formData);
      if (needed.some((id) => !permitted.has(id))) throw new PermissionDenied(MESSAGES.couldNotRun);
    }
  }

  private nextRunOf(scope: ExportScope, fields: ScheduleFields, now: Date): Date | null {
    const run = nextRun(
      { rule: fields.schedule_rrule, time: fields.schedule_rrule_time, zone: zoneOf(scope, fields.timezone) },
      now,
    );
    return run?.at ?? null;
  }

  /** POST: validated first (so a token learns what is wrong with its body), then only users may create. */
  async create(scope: ExportScope, principal: Principal, body: unknown): Promise<ScheduleResource> {
    const fields = await this.validate(scope, body, 'create', null);
    const owner = userOf(principal);
    if (owner === null) throw new PermissionDenied(MESSAGES.createNeedsUser);
    const location = locationOf(scope);
    const row = await this.deps.db.transaction((trx) =>
      this.repository.insert(trx, {
        ...fields,
        queue_prefix: this.deps.queuePrefix,
        level: location.level,
        organizer_id: location.organizerId,
        event_id: location.eventId,
        owner_id: owner,
        schedule_next_run: this.nextRunOf(scope, fields, new Date()),
      }),
    );
    return this.resource(scope, row);
  }

  /** PUT or PATCH: recomputes the next run and resets the failure counter, even when nothing changed. */
  async update(
    scope: ExportScope,
    principal: Principal,
    id: number,
    body: unknown,
    mode: 'put' | 'patch',
  ): Promise<ScheduleResource> {
    const stored = await this.visible(scope, principal, id);
    const fields = await this.validate(scope, body, mode, stored);
    await this.checkEditable(scope, principal, stored, fields);
    const row = await this.deps.db.transaction((trx) =>
      this.repository.update(trx, stored.id, {
        ...fields,
        schedule_next_run: this.nextRunOf(scope, fields, new Date()),
      }),
    );
    return this.resource(scope, row);
  }

  async remove(scope: ExportScope, principal: Principal, id: number): Promise<void> {
    const row = await this.visible(scope, principal, id);
    await this.repository.delete(row.id);
  }

  /** The next `count` runs with their local time and DST adjustment (beyond pretix). */
  async preview(scope: ExportScope, principal: Principal, id: number, count: number): Promise<PlannedRun[]> {
    const row = await this.visible(scope, principal, id);
    return upcomingRuns(
      { rule: row.schedule_rrule, time: row.schedule_rrule_time, zone: zoneOf(scope, row.timezone) },
      new Date(),
      count,
    );
  }

  /** The run history of a visible schedule, newest first (beyond pretix). */
  async runsQuery(
    scope: ExportScope,
    principal: Principal,
    id: number,
  ): Promise<{ query: Knex.QueryBuilder }> {
    const row = await this.visible(scope, principal, id);
    // Wrapped: a knex builder is thenable, and returning it from an async function would run it unpaginated.
    return {
      query: this.repository.runsQuery(row.id).orderBy([
        { column: 'scheduled_for', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]),
    };
  }

  toRunResources(rows: RunRow[]): Record<string, unknown>[] {
    return rows.map((run) => ({
      id: Number(run.id),
      scheduled_for: formatDateTime(run.scheduled_for),
      started: formatDateTime(run.started_at),
      finished: formatDateTime(run.finished_at),
      outcome: run.outcome ?? 'pending',
      message: run.message,
      file_name: run.file_name,
      file_size: run.file_size === null ? null : Number(run.file_size),
      delivery: run.delivery,
      recipients: run.recipients,
    }));
  }

  private get deliveries() {
    if (!this.deps.deliveries) throw new Error('ScheduledExportsService built without its deliveries');
    return this.deps.deliveries;
  }

  /** Re-sends a successful run's mail to the recipients it went to (409 for other runs, 410 once its file expired). */
  async redeliver(scope: ExportScope, principal: Principal, id: number, runId: number): Promise<void> {
    const schedule = await this.visible(scope, principal, id);
    const run = await this.repository.findRunOfSchedule(schedule.id, runId);
    if (!run) throw new NotFound('No ScheduledExportRun matches the given query.');
    if (run.outcome !== 'sent') throw new Conflict('Only a run that was sent can be delivered again.');
    const file = run.export_id ? await this.deliveries.exports.findRun(run.export_id) : undefined;
    if (!file || file.status !== 'done')
      throw new CustomBodyError(410, { detail: 'The file of this run has expired.' });
    await enqueueRedelivery(this.deliveries.queue, this.deliveries.config, run.id);
  }

  /**
   * The result behind a mailed download link: the run id and its secret must match, within 7 days of sending.
   * Anything else is one 404, so a link reveals nothing about other runs.
   */
  async linkedFile(runId: number, token: string): Promise<ExportRow> {
    const run = await this.repository.findRun(runId);
    const valid =
      run !== undefined &&
      linkTokenMatches(token, run.link_token_hash) &&
      run.link_expires_at !== null &&
      run.link_expires_at > new Date() &&
      run.export_id !== null;
    const file = valid ? await this.deliveries.exports.findRun(run.export_id!) : undefined;
    if (!file || file.status !== 'done') throw new NotFound();
    return file;
  }

  open(file: ExportRow, range?: Parameters<ExportsService['open']>[1]) {
    return this.deliveries.exports.open(file, range);
  }
}
