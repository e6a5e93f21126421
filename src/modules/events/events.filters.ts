import type { Knex } from 'knex';
import { parseDateTime } from '../../shared/api-datetime';
import { ValidationError, type FieldErrors } from '../../shared/errors';
import type { MetaPropertyRow } from '../organizers/meta-properties.service';

type Query = Record<string, unknown>;

/** django-filter's boolean parsing: true/false/1/0 in any case; anything else switches the filter off. */
function booleanParam(value: unknown): boolean | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  return undefined;
}

const DATETIME_PARAMS = [
  'ends_after',
  'date_from_after',
  'date_from_before',
  'date_to_after',
  'date_to_before',
] as const;

/** LIKE pattern matching `term` anywhere, with the term's own wildcards escaped. */
function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** SQL for "this i18n jsonb column has a translation matching the pattern" (plain strings count as one). */
function i18nMatches(column: string): string {
  return `EXISTS (SELECT 1 FROM jsonb_each_text(CASE jsonb_typeof(${column}) WHEN 'object' THEN ${column}
    ELSE jsonb_build_object('en', ${column}) END) AS t(lang, text) WHERE t.text ILIKE ?)`;
}

/**
 * pretix's event list filters (EventFilter) on a query over `events`. `now` is passed in so that is_future and
 * is_past agree within one request. Unparseable datetimes are a 400 keyed by the parameter.
 */
export function applyEventFilters(
  query: Knex.QueryBuilder,
  params: Query,
  now: Date,
  metaProperties: ReadonlyMap<string, MetaPropertyRow>,
  db: Knex,
): Knex.QueryBuilder {
  const errors: FieldErrors = {};
  const dates: Partial<Record<(typeof DATETIME_PARAMS)[number], Date>> = {};
  for (const name of DATETIME_PARAMS) {
    const raw = params[name];
    if (raw === undefined || raw === '') continue;
    const date = parseDateTime(raw);
    if (date) dates[name] = date;
    else errors[name] = ['Enter a valid date/time.'];
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);

  for (const column of ['is_public', 'live', 'testmode', 'has_subevents'] as const) {
    const value = booleanParam(params[column]);
    if (value !== undefined) query.where(`events.${column}`, value);
  }

  // "Happens at or after t": single events whose end (or start, without an end) is not before t. coalesce()
  // keeps the predicate free of NULLs, so that whereNot() gives the exact complement pretix's `false` means.
  const endsAtOrAfter = (q: Knex.QueryBuilder, moment: Date) =>
    q
      .where('events.has_subevents', false)
      .whereRaw('coalesce(events.date_to, events.date_from) >= ?', [moment]);
  const endedBefore = (q: Knex.QueryBuilder) =>
    q.where('events.has_subevents', false).whereRaw('coalesce(events.date_to, events.date_from) < ?', [now]);
  const isFuture = booleanParam(params.is_future);
  if (isFuture === true) query.where((q) => endsAtOrAfter(q, now));
  if (isFuture === false) query.whereNot((q) => endsAtOrAfter(q, now));
  const isPast = booleanParam(params.is_past);
  if (isPast === true) query.where(endedBefore);
  if (isPast === false) query.whereNot(endedBefore);
  if (dates.ends_after) query.where((q) => endsAtOrAfter(q, dates.ends_after!));

  if (dates.date_from_after) query.where('events.date_from', '>=', dates.date_from_after);
  if (dates.date_from_before) query.where('events.date_from', '<=', dates.date_from_before);
  if (dates.date_to_after) query.where('events.date_to', '>=', dates.date_to_after);
  if (dates.date_to_before) query.where('events.date_to', '<=', dates.date_to_before);

  if (typeof params.sales_channel === 'string' && params.sales_channel !== '') {
    const channel = params.sales_channel;
    query.where((q) =>
      q
        .where('events.all_sales_channels', true)
        .orWhereRaw('? = ANY(events.limit_sales_channels)', [channel]),
    );
  }

  if (typeof params.search === 'string' && params.search !== '') {
    const pattern = containsPattern(params.search);
    query.where((q) =>
      q
        .whereRaw(i18nMatches('events.name'), [pattern])
        .orWhere('events.slug', 'ilike', pattern)
        .orWhere((location) =>
          location.whereNotNull('events.location').whereRaw(i18nMatches('events.location'), [pattern]),
        ),
    );
  }

  for (const [param, raw] of Object.entries(params)) {
    const match = /^attr\[(.+)\]$/.exec(param);
    if (!match || typeof raw !== 'string' || raw.trim() === '') continue;
    const property = metaProperties.get(match[1]!);
    if (!property || !property.filter_allowed) continue;
    const explicit = db('event_meta_values')
      .select(db.raw('1'))
      .whereRaw('event_meta_values.event_id = events.id')
      .where('event_meta_values.property_id', property.id);
    query.where((q) => {
      q.whereExists(explicit.clone().where('event_meta_values.value', raw));
      // The organizer's default counts for events that have no value of their own.
      if (raw === property.default) q.orWhereNotExists(explicit.clone());
    });
  }
  return query;
}
