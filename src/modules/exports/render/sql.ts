import type { Knex } from 'knex';
import type { Column, Table } from '../exporters/define';

/**
 * How a column's SQL is wrapped for each output:
 * - `csv`: every value rendered to text by Postgres (COPY writes it as is); empty text stays '' so the
 *   default dialect quotes it like pretix ("").
 * - `csv-minimal`: as `csv`, but empty text becomes NULL so minimal-quoting dialects leave the cell empty.
 * - `typed`: native values for xlsx cells (numbers, local date-time strings parsed by xlsx.ts).
 * Text goes through export_safe_text() or, for subquery columns, export_safe_text_rx() (migration
 * 20261130002610) in every mode: formula neutralisation is done once, by the database, for CSV and xlsx alike.
 */
export type SelectMode = 'csv' | 'csv-minimal' | 'typed';

function sqlOf(column: Column): string {
  return typeof column.sql === 'string' ? column.sql : column.sql.toQuery();
}

export function columnExpression(column: Column, mode: SelectMode): string {
  const x = `(${sqlOf(column)})`;
  switch (column.type) {
    case 'text': {
      const escape = /\bselect\b/i.test(sqlOf(column)) ? 'export_safe_text_rx' : 'export_safe_text';
      const safe = column.safe ? `${x}::text` : `${escape}(${x}::text)`;
      if (mode === 'csv') return `coalesce(${safe}, '')`;
      if (mode === 'csv-minimal') return `nullif(${safe}, '')`;
      return safe;
    }
    case 'integer':
      return `${x}::bigint`;
    case 'decimal':
      // Money and rates keep two decimals in CSV ("0.00", as pretix formats them).
      return mode === 'typed' ? `${x}::float8` : `round(${x}::numeric, 2)::text`;
    case 'datetime':
      // The export transaction's TimeZone is the exporter's, so to_char() gives local wall-clock time.
      return mode === 'typed'
        ? `to_char(${x}, 'YYYY-MM-DD"T"HH24:MI:SS')`
        : `to_char(${x}, 'YYYY-MM-DD HH24:MI:SS')`;
    case 'date':
      return `to_char(${x}::date, 'YYYY-MM-DD')`;
    case 'boolean':
      return `CASE WHEN ${x} THEN 'Yes' ELSE 'No' END`;
  }
}

/**
 * The table's SELECT with every binding inlined (COPY takes no parameters). knex escapes the values for
 * Postgres; exporters only bind ids, dates and strings from validated input.
 */
export function tableSql(db: Knex, table: Table, mode: SelectMode): string {
  const selects = table.columns.map((column, i) => db.raw(`${columnExpression(column, mode)} AS c${i}`));
  return table.query.clone().clearSelect().select(selects).toQuery();
}

/** Rows the table will produce, for progress. */
export async function countRows(db: Knex, table: Table): Promise<number> {
  const sql = table.query.clone().clearSelect().clearOrder().select(db.raw('1')).toQuery();
  const result = await db.raw(`SELECT count(*)::bigint AS n FROM (${sql}) AS t`);
  return Number((result.rows as { n: number }[])[0]?.n ?? 0);
}
