import type { Knex } from 'knex';
import type { Db } from '../../platform/db';

type Executor = Db | Knex.Transaction;

export interface CheckinListRow {
  id: number;
  event_id: number;
  name: string;
  all_products: boolean;
  include_pending: boolean;
  allow_multiple_entries: boolean;
  allow_entry_after_exit: boolean;
}

export function listsOfEvent(db: Executor, eventId: number): Knex.QueryBuilder {
  return db('checkin_lists').where('event_id', eventId).select('*');
}

export async function productsOf(db: Executor, listIds: number[]): Promise<Map<number, number[]>> {
  const rows: { list_id: number; item_id: number }[] = listIds.length
    ? await db('checkin_list_items').whereIn('list_id', listIds).orderBy('item_id')
    : [];
  const byList = new Map<number, number[]>(listIds.map((id) => [id, []]));
  for (const row of rows) byList.get(row.list_id)?.push(row.item_id);
  return byList;
}

export async function replaceProducts(
  trx: Knex.Transaction,
  listId: number,
  itemIds: number[],
): Promise<void> {
  await trx('checkin_list_items').where('list_id', listId).delete();
  if (itemIds.length)
    await trx('checkin_list_items').insert(itemIds.map((item_id) => ({ list_id: listId, item_id })));
}

/** The last successful scan of this ticket on this list, if any. */
export async function lastCheckin(
  trx: Knex.Transaction,
  positionId: number,
  listId: number,
): Promise<{ type: 'entry' | 'exit' } | undefined> {
  return trx('checkins')
    .where({ position_id: positionId, list_id: listId, successful: true })
    .orderBy([
      { column: 'datetime', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .first('type');
}
