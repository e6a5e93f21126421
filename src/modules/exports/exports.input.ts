import { z } from 'zod';
import { toFieldErrors } from '../../shared/validation';
import type { Db } from '../../platform/db';
import { ValidationError, type FieldErrors } from '../../shared/errors';
import type { Exporter, InputField } from './exporters/define';

/** An event the client may export (organizer level: the candidates for `events`). */
export interface ScopeEvent {
  id: number;
  slug: string;
}

export interface InputScope {
  db: Db;
  organizerId: number;
  /** Event level: the one event. Organizer level: every event the client holds the exporter's permission on. */
  events: ScopeEvent[];
}

export interface NormalisedInput {
  /** Every field present, defaults applied; `events` as slugs, date frames as sent. Stored with the run. */
  input: Record<string, unknown>;
  eventIds: number[];
}

/** Python's repr() of a string, as pretix's "Additional fields not allowed" message shows keys. */
function pythonRepr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  const escaped = value.replace(/\\/g, '\\\\').replace(new RegExp(quote, 'g'), `\\${quote}`);
  return `${quote}${escaped}${quote}`;
}

function jsonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (value === null) return 'NoneType';
  return typeof value === 'string' ? 'str' : typeof value;
}

/** pretix's legacy `<x>_from` / `<x>_to` become `<x>_range` ("from/to", either side optional). */
function applyLegacyDateKeys(data: Record<string, unknown>, fields: [string, InputField][]): void {
  for (const [name, field] of fields) {
    if (!field.legacyDateKeys || name in data || !name.endsWith('_range')) continue;
    const prefix = name.slice(0, -'_range'.length);
    const from = data[`${prefix}_from`];
    const to = data[`${prefix}_to`];
    if (from === undefined && to === undefined) continue;
    delete data[`${prefix}_from`];
    delete data[`${prefix}_to`];
    data[name] = `${typeof from === 'string' ? from : ''}/${typeof to === 'string' ? to : ''}`;
  }
}

/** DRF reports a bad list element under the list's name, not under its index. */
function flattenFieldErrors(errors: FieldErrors): FieldErrors {
  const flat: FieldErrors = {};
  const collect = (node: unknown, into: string[]): void => {
    if (typeof node === 'string') into.push(node);
    else if (Array.isArray(node)) node.forEach((item) => collect(item, into));
    else if (node && typeof node === 'object') Object.values(node).forEach((value) => collect(value, into));
  };
  for (const [field, value] of Object.entries(errors)) {
    const messages: string[] = [];
    collect(value, messages);
    flat[field] = messages;
  }
  return flat;
}

/**
 * Validates a run request the way pretix's run serializer does (§4.1), then goes further: defaults are applied
 * server-side and `events` is resolved to the events the client may export.
 */
export async function normaliseInput(
  exporter: Exporter,
  body: unknown,
  scope: InputScope,
): Promise<NormalisedInput> {
  if (body === undefined || body === null) body = {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError({
      non_field_errors: [`Invalid data. Expected a dictionary, but got ${jsonTypeName(body)}.`],
    });
  }
  const data: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  applyLegacyDateKeys(data, exporter.fields);

  const known = new Set(exporter.fields.map(([name]) => name));
  const unknown = Object.keys(data).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new ValidationError({
      fields: [`Additional fields not allowed: [${unknown.map(pythonRepr).join(', ')}].`],
    });
  }

  const missing: FieldErrors = {};
  for (const [name, field] of exporter.fields)
    if (field.required && data[name] === undefined) missing[name] = ['This field is required.'];
  const shape = Object.fromEntries(exporter.fields.map(([name, field]) => [name, field.schema.optional()]));
  const parsed = z.object(shape).safeParse(data);
  const invalid = parsed.success ? {} : flattenFieldErrors(toFieldErrors(parsed.error, data));
  if (!parsed.success || Object.keys(missing).length > 0) {
    // In declaration order, as DRF reports serializer fields.
    const errors: FieldErrors = {};
    for (const [name] of exporter.fields) {
      const messages = missing[name] ?? invalid[name];
      if (messages) errors[name] = messages;
    }
    throw new ValidationError(errors);
  }
  const values = parsed.data as Record<string, unknown>;

  const input: Record<string, unknown> = {};
  for (const [name, field] of exporter.fields)
    input[name] = values[name] === undefined ? structuredClone(field.default) : values[name];

  const eventIds =
    exporter.scope === 'event' ? scope.events.map((e) => e.id) : selectEvents(values, input, scope);

  const errors: FieldErrors = {};
  for (const [name, field] of exporter.fields) {
    if (!field.check || input[name] === null || input[name] === undefined) continue;
    const message = await field.check(input[name], {
      db: scope.db,
      organizerId: scope.organizerId,
      eventIds,
    });
    if (message) errors[name] = [message];
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return { input, eventIds };
}

/**
 * Organizer level: `all_events: true`, or neither key, means every permitted event; otherwise the listed slugs,
 * each of which must be a permitted event (pretix's message otherwise). An explicit empty list means no events.
 */
function selectEvents(
  values: Record<string, unknown>,
  input: Record<string, unknown>,
  scope: InputScope,
): number[] {
  const all = values.all_events === true || (values.all_events === undefined && values.events === undefined);
  if (all) {
    input.all_events = true;
    input.events = [];
    return scope.events.map((event) => event.id);
  }
  const bySlug = new Map(scope.events.map((event) => [event.slug.toLowerCase(), event]));
  const chosen: ScopeEvent[] = [];
  for (const slug of (values.events as string[] | undefined) ?? []) {
    const event = bySlug.get(slug.toLowerCase());
    if (!event) throw ValidationError.field('events', `Object with slug=${slug} does not exist.`);
    if (!chosen.includes(event)) chosen.push(event);
  }
  input.events = chosen.map((event) => event.slug);
  return chosen.map((event) => event.id);
}
