import type { Knex } from 'knex';
import { Int32 } from './fields';

/**
 * Applies a `?name=<id>` list filter. Anything but digits leaves the filter off (as before); an id beyond
 * Postgres' integer range names no object, so it matches nothing instead of failing the query.
 */
export function whereIdFilter(query: Knex.QueryBuilder, column: string, raw: unknown): void {
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) return;
  const id = Number(raw);
  if (id > Int32.maxValue!) query.whereRaw('false');
  else query.where(column, id);
}
