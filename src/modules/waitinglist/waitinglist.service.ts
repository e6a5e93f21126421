import { whereIdFilter } from '../../shared/filters';
import type { Knex } from 'knex';
import type { Db } from '../../platform/db';
import { NotFound, PermissionDenied, ValidationError } from '../../shared/errors';
import { formatDateTime } from '../../shared/api-datetime';
import type { EventRow } from '../access/access.service';
import { itemsWithVariations } from '../items/items.repository';
import { nameFromParts } from '../orders/orders.service';
import { countUsage, quotasForProduct } from '../quotas/quotas.repository';
import { entriesOfEvent, type WaitingListRow } from './waitinglist.repository';
import type { WaitingListInput } from './waitinglist.schemas';

export function waitingListResource(row: WaitingListRow) {
  return {
    id: row.id,
    created: formatDateTime(row.created),
    name: row.name_cached,
    name_parts: row.name_parts,
    email: row.email,
    phone: row.phone,
    voucher_code: row.voucher_code,
    voucher_state: row.voucher_state,
    item: row.item_id,
    variation: row.variation_id,
    locale: row.locale,
    subevent: null,
    priority: row.priority,
  };
}

export type WaitingListResource = ReturnType<typeof waitingListResource>;

/** Waiting-list entries of one event. */
export class WaitingListService {
  constructor(private readonly db: Db) {}

  list(event: EventRow, query: Record<string, unknown>): Knex.QueryBuilder {
    const entries = entriesOfEvent(this.db, event.id).orderBy([
      { column: 'priority', order: 'desc' },
      { column: 'created', order: 'asc' },
    ]);
    if (typeof query.email === 'string') entries.whereRaw('lower(email) = lower(?)', [query.email]);
    whereIdFilter(entries, 'item_id', query.item);
    return entries;
  }

  async get(event: EventRow, id: number): Promise<WaitingListResource> {
    const row: WaitingListRow | undefined = await entriesOfEvent(this.db, event.id).where('id', id).first();
    if (!row) throw new NotFound();
    return waitingListResource(row);
  }

  /**
   * As in pretix: the item must be the event's (with a variation of its own when it has variations), the product
   * must be sold out, and one address waits for one product only once.
   */
  async create(event: EventRow, input: WaitingListInput): Promise<WaitingListResource> {
    const id = await this.db.transaction(async (trx) => {
      const item = (await itemsWithVariations(trx, event.id, [input.item])).get(input.item);
      if (!item) throw ValidationError.field('item', `Invalid pk "${input.item}" - object does not exist.`);
      if (item.variations.length > 0 && input.variation === null)
        throw ValidationError.field('variation', 'You should specify a variation for this item.');
      if (item.variations.length === 0 && input.variation !== null)
        throw ValidationError.field('variation', 'You cannot specify a variation for this item.');
      if (input.variation !== null && !item.variations.some((v) => v.id === input.variation))
        throw ValidationError.field(
          'variation',
          'The specified variation does not belong to the specified item.',
        );
      const quotas = await quotasForProduct(trx, event.id, item.id, input.variation);
      const usage = await countUsage(
        trx,
        quotas.map((quota) => quota.id),
      );
      const available =
        quotas.length > 0 &&
        quotas.every((quota) => {
          const counts = usage.get(quota.id)!;
          return quota.size === null || quota.size - counts.paid - counts.pending > 0;
        });
      if (available) throw new ValidationError(['This product is currently available.']);
      const duplicate = await entriesOfEvent(trx, event.id)
        .whereRaw('lower(email) = lower(?)', [input.email])
        .where({ item_id: item.id, variation_id: input.variation })
        .whereNull('voucher_code')
        .first('id');
      if (duplicate) {
        throw new ValidationError([
          'You are already on this waiting list! We will notify you as soon as we have a ticket available for you.',
        ]);
      }
      const parts = input.name_parts ?? (input.name ? { _legacy: input.name } : {});
      const [row] = await trx('waiting_list_entries')
        .insert({
          event_id: event.id,
          item_id: item.id,
          variation_id: input.variation,
          email: input.email,
          name_cached: input.name ?? (nameFromParts(parts) || null),
          name_parts: JSON.stringify(parts),
          phone: input.phone,
          locale: input.locale,
          priority: input.priority,
        })
        .returning('id');
      return (row as { id: number }).id;
    });
    return this.get(event, id);
  }

  async remove(event: EventRow, id: number): Promise<void> {
    const entry = await this.get(event, id);
    if (entry.voucher_code)
      throw new PermissionDenied('This entry can not be deleted as it has a voucher assigned.');
    await this.db('waiting_list_entries').where({ id, event_id: event.id }).delete();
  }
}
