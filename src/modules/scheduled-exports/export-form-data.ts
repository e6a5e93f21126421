import { ValidationError, type FieldErrors } from '../../shared/errors';
import type { AccessService } from '../access/access.service';
import type { EventsRepository } from '../events/events.repository';
import type { Exporter } from '../exports/exporters/define';
import type { ExportScope, ExportsService, PreparedExport } from '../exports/exports.service';

export interface EventRef {
  id: number;
  slug: string;
}

/**
 * A schedule's export, as the exports module sees it: which exporters a caller may use, and the validation of
 * an exporter's input exactly as a run request gets it. `prepare` is the one place that asks the exports
 * module to validate (ExportsService.prepare).
 */
export class ScheduledExportInputs {
  constructor(
    private readonly deps: {
      exports: ExportsService;
      access: AccessService;
      events: EventsRepository;
    },
  ) {}

  /** Exporters of the scope's level the caller may use. */
  available(scope: ExportScope): Exporter[] {
    return this.deps.exports.list(scope);
  }

  find(scope: ExportScope, identifier: string): Exporter | undefined {
    return this.available(scope).find((exporter) => exporter.identifier === identifier);
  }

  /** Events of the scope the caller may export with this exporter (organizer level), or the event. */
  async permittedEvents(scope: ExportScope, exporter: Exporter): Promise<EventRef[]> {
    if (scope.level === 'event')
      return [{ id: Number(scope.access.event.id), slug: scope.access.event.slug }];
    return this.deps.events.slugsOf(
      scope.access.organizer.id,
      this.deps.access.accessibleEventIds(scope.access, exporter.permission),
    );
  }

  /** Every event of the organizer, to show and resolve stored event ids. */
  async organizerEvents(organizerId: number, ids: readonly number[]): Promise<EventRef[]> {
    return ids.length === 0 ? [] : this.deps.events.slugsOf(organizerId, ids);
  }

  /** Validates `body` as the input of a run of `identifier` (NotFound for an exporter the caller may not use). */
  prepare(scope: ExportScope, identifier: string, body: unknown): Promise<PreparedExport> {
    return this.deps.exports.prepare(scope, identifier, body);
  }
}

const LIST_TYPES = new Set(['model_multiple_choice', 'multiple_choice', 'event_slugs']);

function jsonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (value === null) return 'NoneType';
  return typeof value === 'string' ? 'str' : typeof value;
}

/** The submitted form data as an object of the exporter's fields (pretix ignores other keys here). */
export function submittedFields(exporter: Exporter, raw: unknown): Record<string, unknown> {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValidationError({
      export_form_data: {
        non_field_errors: [`Invalid data. Expected a dictionary, but got ${jsonTypeName(raw)}.`],
      },
    });
  }
  const known = new Set<string>();
  for (const [name, field] of exporter.fields) {
    known.add(name);
    if (field.legacyDateKeys && name.endsWith('_range')) {
      const prefix = name.slice(0, -'_range'.length);
      known.add(`${prefix}_from`).add(`${prefix}_to`);
    }
  }
  return Object.fromEntries(Object.entries(raw as Record<string, unknown>).filter(([key]) => known.has(key)));
}

/** Errors of the exporter input, nested under `export_form_data` as pretix reports them. */
export function nestFormDataErrors(error: ValidationError): ValidationError {
  const inner: FieldErrors = Array.isArray(error.errors) ? { non_field_errors: error.errors } : error.errors;
  return new ValidationError({ export_form_data: inner });
}

function wasSent(sent: Record<string, unknown>, name: string): boolean {
  if (name in sent) return true;
  if (!name.endsWith('_range')) return false;
  const prefix = name.slice(0, -'_range'.length);
  return `${prefix}_from` in sent || `${prefix}_to` in sent;
}

/**
 * What a schedule stores (pretix's shape): the fields that were sent, normalised (legacy date keys folded,
 * events as ids), plus `[]` for omitted product lists and `"/"` for omitted date frames. Other defaults are
 * applied when the export runs, so they follow the exporter rather than being frozen here.
 */
export function storedFormData(
  exporter: Exporter,
  sent: Record<string, unknown>,
  prepared: PreparedExport,
): Record<string, unknown> {
  const stored: Record<string, unknown> = {};
  for (const [name, field] of exporter.fields) {
    if (name === 'events') {
      if (wasSent(sent, name))
        stored.events = prepared.input.all_events === true ? [] : [...prepared.eventIds];
    } else if (wasSent(sent, name)) {
      stored[name] = prepared.input[name];
    } else if (field.type === 'model_multiple_choice') {
      stored[name] = [];
    } else if (field.type === 'date_frame') {
      stored[name] = '/';
    }
  }
  return stored;
}

/**
 * The form data as a client sees it (pretix): the exporter's fields only; omitted booleans and lists hidden,
 * other omitted fields null; events as slugs, limited to the events the client may access. Without the
 * exporter (the client may not use it) the stored object as it is.
 */
export function formDataView(
  exporter: Exporter | undefined,
  stored: Record<string, unknown>,
  visibleEvents: readonly EventRef[],
): Record<string, unknown> {
  if (!exporter) return stored;
  const slugs = new Map(visibleEvents.map((event) => [event.id, event.slug]));
  const view: Record<string, unknown> = {};
  for (const [name, field] of exporter.fields) {
    if (name in stored) {
      view[name] =
        name === 'events'
          ? (stored.events as number[]).filter((id) => slugs.has(id)).map((id) => slugs.get(id))
          : stored[name];
    } else if (field.type !== 'boolean' && !LIST_TYPES.has(field.type)) {
      view[name] = null;
    }
  }
  return view;
}

/** Stored event ids of organizer-level form data (empty when none were chosen). */
export function storedEventIds(stored: Record<string, unknown>): number[] {
  return Array.isArray(stored.events)
    ? (stored.events as unknown[]).map(Number).filter(Number.isInteger)
    : [];
}

/**
 * Whether organizer-level form data reads every event the runner may export: `all_events: true`, or neither
 * key (the run-input rule of the exports module; an explicit empty list reads no event).
 */
export function selectsAllEvents(stored: Record<string, unknown>): boolean {
  return stored.all_events === true || (stored.all_events === undefined && stored.events === undefined);
}
