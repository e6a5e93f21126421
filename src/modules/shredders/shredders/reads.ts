import type { Knex } from 'knex';
import type { PositionRow } from '../../orders/orders.repository';
import type { Executor } from './define';

/*
 * Read-only SQL over the ticketing tables for the shredders' exports and counts (like the exporters': a report
 * reads what it reports on). Writes go through the owning modules' repositories.
 */

const BATCH = 1000;

/** The rows of `query` in keyset batches over the numeric column `key`, so memory stays bounded. */
export async function* inBatches<T>(
  query: Knex.QueryBuilder,
  key: string,
  keyOf: (row: T) => number,
): AsyncGenerator<T> {
  let after = 0;
  for (;;) {
    const rows = (await query.clone().where(key, '>', after).orderBy(key).limit(BATCH)) as T[];
    yield* rows;
    if (rows.length < BATCH) return;
    after = keyOf(rows[rows.length - 1]!);
  }
}

export type EventPosition = PositionRow & { order_code: string };

/** Every position of the event, cancelled ones included, with its order's code. */
export function positionsOfEvent(db: Executor, eventId: number): Knex.QueryBuilder {
  return db('order_positions')
    .join('orders', 'orders.id', 'order_positions.order_id')
    .where('orders.event_id', eventId)
    .select('order_positions.*', 'orders.code as order_code');
}

export function eachPosition(db: Executor, eventId: number, filter?: (q: Knex.QueryBuilder) => void) {
  const query = positionsOfEvent(db, eventId);
  filter?.(query);
  return inBatches<EventPosition>(query, 'order_positions.id', (row) => row.id);
}

/** pretix's key for a position in the shredders' files: "CODE-positionid". */
export function positionKey(position: { order_code: string; positionid: number }): string {
  return `${position.order_code}-${position.positionid}`;
}

export function ordersOfEventQuery(db: Executor, eventId: number): Knex.QueryBuilder {
  return db('orders').where('orders.event_id', eventId);
}

export function eachOrder<T extends { id: number }>(query: Knex.QueryBuilder) {
  return inBatches<T>(query, 'orders.id', (row) => row.id);
}

export async function countOf(query: Knex.QueryBuilder): Promise<number> {
  const row = await query.clone().clearSelect().clearOrder().count<{ count: number }>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}
