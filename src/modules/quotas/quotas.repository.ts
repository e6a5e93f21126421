import type { Knex } from 'knex';
import type { Db } from '../../platform/db';

type Executor = Db | Knex.Transaction;

export interface QuotaRow {
  id: number;
  event_id: number;
  name: string;
  size: number | null;
}

export interface QuotaCounts {
  paid: number;
  pending: number;
  waitingList: number;
}

export function quotasOfEvent(db: Executor, eventId: number): Knex.QueryBuilder {
  return db('quotas').where('event_id', eventId).select('*');
}

export async function membersOf(
  db: Executor,
  quotaIds: number[],
): Promise<{ items: Map<number, number[]>; variations: Map<number, number[]> }> {
  const [itemRows, variationRows] = await Promise.all([
    db('quota_items').whereIn('quota_id', quotaIds).orderBy('item_id'),
    db('quota_variations').whereIn('quota_id', quotaIds).orderBy('variation_id'),
  ]);
  const items = new Map<number, number[]>(quotaIds.map((id) => [id, []]));
  const variations = new Map<number, number[]>(quotaIds.map((id) => [id, []]));
  for (const row of itemRows as { quota_id: number; item_id: number }[])
    items.get(row.quota_id)?.push(row.item_id);
  for (const row of variationRows as { quota_id: number; variation_id: number }[])
    variations.get(row.quota_id)?.push(row.variation_id);
  return { items, variations };
}

export async function replaceMembers(
  trx: Knex.Transaction,
  quotaId: number,
  items: number[] | undefined,
  variations: number[] | undefined,
): Promise<void> {
  if (items) {
    await trx('quota_items').where('quota_id', quotaId).delete();
    if (items.length)
      await trx('quota_items').insert(items.map((item_id) => ({ quota_id: quotaId, item_id })));
  }
  if (variations) {
    await trx('quota_variations').where('quota_id', quotaId).delete();
    if (variations.length)
      await trx('quota_variations').insert(
        variations.map((variation_id) => ({ quota_id: quotaId, variation_id })),
      );
  }
}

/** A position (or waiting-list entry) counts against a quota when its item is in it and, if it has a variation, that too. */
const MATCHES_QUOTA = `qi.item_id = x.item_id AND (x.variation_id IS NULL OR EXISTS (
  SELECT 1 FROM quota_variations qv WHERE qv.quota_id = q.id AND qv.variation_id = x.variation_id))`;

/**
 * Paid and pending positions (not canceled) and waiting-list entries without a voucher per quota. Orders named
 * in `excludeOrderId` are left out (an expired order being revived counts against nothing yet).
 */
export async function countUsage(
  db: Executor,
  quotaIds: number[],
  excludeOrderId: number | null = null,
): Promise<Map<number, QuotaCounts>> {
  const counts = new Map<number, QuotaCounts>(
    quotaIds.map((id) => [id, { paid: 0, pending: 0, waitingList: 0 }]),
  );
  if (quotaIds.length === 0) return counts;
  const positions = await db.raw(
    `SELECT q.id,
            count(*) FILTER (WHERE o.status = 'p') AS paid,
            count(*) FILTER (WHERE o.status = 'n') AS pending
       FROM quotas q
       JOIN quota_items qi ON qi.quota_id = q.id
       JOIN order_positions x ON x.item_id = qi.item_id AND NOT x.canceled
       JOIN orders o ON o.id = x.order_id AND o.status IN ('p', 'n') AND o.id IS DISTINCT FROM ?
      WHERE q.id = ANY(?) AND ${MATCHES_QUOTA}
      GROUP BY q.id`,
    [excludeOrderId, quotaIds],
  );
  for (const row of positions.rows as { id: number; paid: number; pending: number }[]) {
    Object.assign(counts.get(row.id)!, { paid: Number(row.paid), pending: Number(row.pending) });
  }
  const waiting = await db.raw(
    `SELECT q.id, count(*) AS n
       FROM quotas q
       JOIN quota_items qi ON qi.quota_id = q.id
       JOIN waiting_list_entries x ON x.item_id = qi.item_id AND x.voucher_code IS NULL
      WHERE q.id = ANY(?) AND ${MATCHES_QUOTA}
      GROUP BY q.id`,
    [quotaIds],
  );
  for (const row of waiting.rows as { id: number; n: number }[])
    counts.get(row.id)!.waitingList = Number(row.n);
  return counts;
}

/** Quotas of the event that a ticket of this item (and variation) counts against. */
export async function quotasForProduct(
  db: Executor,
  eventId: number,
  itemId: number,
  variationId: number | null,
): Promise<QuotaRow[]> {
  const query = db('quotas')
    .join('quota_items', 'quota_items.quota_id', 'quotas.id')
    .where({ 'quotas.event_id': eventId, 'quota_items.item_id': itemId })
    .select('quotas.*')
    .orderBy('quotas.id');
  if (variationId !== null) {
    query.whereExists(
      db('quota_variations')
        .whereRaw('quota_variations.quota_id = quotas.id')
        .where('variation_id', variationId),
    );
  }
  return query;
}

/** Locks the quota rows until the transaction ends, so that concurrent orders are checked one after the other. */
export async function lockQuotas(trx: Knex.Transaction, quotaIds: number[]): Promise<void> {
  if (quotaIds.length) await trx('quotas').whereIn('id', quotaIds).orderBy('id').forUpdate().select('id');
}
