import type { Column, ColumnType } from './define';

/**
 * Column building blocks shared by the table exporters (SQL fragments shared with orderlist are in ./sql).
 * Every helper returns an SQL expression (text); arguments are SQL expressions too, never client input.
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
 * event, so it is pretix's default, English (as `i18n()` in ./sql picks it).
 */
export const EXPORT_LOCALE = 'en';

/** "Yes" or an empty cell, as pretix writes most product flags. */
export const yesOrBlank = (condition: string): string => `CASE WHEN ${condition} THEN 'Yes' ELSE '' END`;

/**
 * A timestamptz as wall-clock time of a per-row time zone (pretix formats multi-event rows in each row's event
 * time zone, not the export's). The result is a timestamp without time zone, which datetime columns render as
 * is.
 */
export const wallClock = (timestamptz: string, zone: string): string =>
  `(${timestamptz} AT TIME ZONE ${zone})`;
