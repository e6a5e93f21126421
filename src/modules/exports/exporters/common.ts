import type { Column, ColumnType } from './define';

/**
 * SQL building blocks shared by the table exporters. Every helper returns an SQL expression (text) to be used
 * in a Column or a query; arguments are SQL expressions too, never client input.
 */

/** One column; `sql` is an expression over the table's query. */
export const column = (header: string, type: ColumnType, sql: string): Column => ({ header, type, sql });

const NULL_OF: Record<ColumnType, string> = {
  text: 'NULL::text',
  integer: 'NULL::bigint',
  decimal: 'NULL::numeric',
  datetime: 'NULL::timestamp',
  date: 'NULL::date',
  boolean: 'NULL::boolean',
};

/**
 * A column pretix writes for data tixport does not hold: always empty, so files keep pretix's layout. The NULL
 * is typed, because renderers apply type-specific functions (to_char) to it.
 */
export const blank = (header: string, type: ColumnType = 'text'): Column =>
  column(header, type, NULL_OF[type]);

/**
 * The language exports are written in. pretix uses the event's default locale; tixport holds no locale per
 * event, so it is pretix's default, English.
 */
export const EXPORT_LOCALE = 'en';

/**
 * A pretix i18n string (jsonb `{"en": …, "de": …}`, or a plain jsonb string) in the export language, falling
 * back like pretix's LazyI18nString.localize: the language, its regional variants, then any non-empty value
 * (by language code, because jsonb keeps no insertion order). Never NULL.
 */
export function localized(jsonb: string): string {
  const object = `(CASE WHEN jsonb_typeof(${jsonb}) = 'object' THEN ${jsonb} ELSE '{}'::jsonb END)`;
  return `coalesce(
    CASE WHEN jsonb_typeof(${jsonb}) = 'string' THEN ${jsonb} #>> '{}' END,
    nullif(${object} ->> '${EXPORT_LOCALE}', ''),
    (SELECT l.value FROM jsonb_each_text(${object}) AS l
      WHERE l.value <> '' ORDER BY l.key LIKE '${EXPORT_LOCALE}-%' DESC, l.key LIMIT 1),
    '')`;
}

/** "Yes" or an empty cell, as pretix writes most product flags. */
export const yesOrBlank = (condition: string): string => `CASE WHEN ${condition} THEN 'Yes' ELSE '' END`;

/**
 * A timestamptz as wall-clock time of a per-row time zone (pretix formats multi-event rows in each row's event
 * time zone, not the export's). The result is a timestamp without time zone, which datetime columns render as
 * is.
 */
export const wallClock = (timestamptz: string, zone: string): string =>
  `(${timestamptz} AT TIME ZONE ${zone})`;

/**
 * Verbose names of pretix's built-in payment providers (pretix shows the identifier for providers it does not
 * know, and so does tixport).
 */
export const PAYMENT_PROVIDER_NAMES: Readonly<Record<string, string>> = {
  free: 'Free of charge',
  boxoffice: 'Box office',
  manual: 'Manual payment',
  offsetting: 'Offsetting',
  giftcard: 'Gift card',
  banktransfer: 'Bank transfer',
};

/** SQL: a provider identifier column mapped to its verbose name. */
export function providerName(provider: string): string {
  const cases = Object.entries(PAYMENT_PROVIDER_NAMES)
    .map(([id, name]) => `WHEN '${id}' THEN '${name}'`)
    .join(' ');
  return `(CASE ${provider} ${cases} ELSE ${provider} END)`;
}
