import type { Knex } from 'knex';
import type { Db } from '../../platform/db';
import type { OrderRow, PositionRow } from '../orders/orders.repository';

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

/** A ticket of the event by position id or by secret, locked so that two scans of it are judged one by one. */
export async function lockPosition(
  trx: Knex.Transaction,
  eventId: number,
  idOrSecret: string,
): Promise<{ position: PositionRow; order: OrderRow } | undefined> {
  const query = trx('order_positions')
    .join('orders', 'orders.id', 'order_positions.order_id')
    .where('orders.event_id', eventId)
    .select('order_positions.*')
    .forUpdate('order_positions');
  if (/^\d{1,15}$/.test(idOrSecret)) query.where('order_positions.id', Number(idOrSecret));
  else query.where('order_positions.secret', idOrSecret);
  const position: PositionRow | undefined = await query.first();
  if (!position) return undefined;
  const order: OrderRow = await trx('orders').where('id', position.order_id).first();
  return { position, order };
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
