import type { Knex } from 'knex';
import type { Db } from '../../platform/db';
import type { EventRow } from '../access/access.service';

/** An events row with every column of the resource. */
export interface EventRecord extends EventRow {
  name: unknown;
  currency: string;
  date_from: Date;
  date_to: Date | null;
  date_admission: Date | null;
  is_public: boolean;
  presale_start: Date | null;
  presale_end: Date | null;
  location: unknown;
  geo_lat: number | null;
  geo_lon: number | null;
  has_subevents: boolean;
  plugins: string[];
  all_sales_channels: boolean;
  limit_sales_channels: string[];
  timezone: string;
  live: boolean;
  testmode: boolean;
}

export interface MetaValueRow {
  event_id: number;
  property_id: number;
  name: string;
  value: string;
}

type IdMap = Map<number, number>;

/**
 * Copies the rows of one table, rewriting foreign keys through the given maps; returns old id → new id.
 * Row by row, because the new ids are needed for the tables that follow.
 */
async function copyRows(
  trx: Knex,
  table: string,
  rows: Record<string, unknown>[],
  rewrite: (row: Record<string, unknown>) => Record<string, unknown>,
): Promise<IdMap> {
  const ids: IdMap = new Map();
  for (const { id, ...row } of rows) {
    // Link tables have no id of their own.
    if (id === undefined) {
      await trx(table).insert(rewrite(row));
      continue;
    }
    const [inserted] = await trx(table).insert(rewrite(row)).returning('id');
    ids.set(Number(id), Number((inserted as { id: number }).id));
  }
  return ids;
}

const via = (map: IdMap, id: unknown) => (id === null || id === undefined ? id : map.get(Number(id)));

export class EventsRepository {
  constructor(private readonly db: Db) {}

  byId(id: number, db: Knex = this.db): Promise<EventRecord> {
    return db<EventRecord>('events').where('id', id).first() as Promise<EventRecord>;
  }

  bySlug(organizerId: number, slug: string, db: Knex = this.db): Promise<EventRecord | undefined> {
    return db<EventRecord>('events')
      .where('organizer_id', organizerId)
      .whereRaw('lower(slug) = lower(?)', [slug])
      .first();
  }

  /** Ids and slugs of an organizer's events among `ids` (a list or an id subquery), ordered by slug. */
  async slugsOf(
    organizerId: number,
    ids: readonly number[] | Knex.QueryBuilder,
  ): Promise<{ id: number; slug: string }[]> {
    const rows: { id: number; slug: string }[] = await this.db('events')
      .where('organizer_id', organizerId)
      .whereIn('id', ids as number[])
      .orderBy('slug')
      .select('id', 'slug');
    return rows.map((row) => ({ id: Number(row.id), slug: row.slug }));
  }

  /** Ids of every event of an organizer. */
  async idsOf(organizerId: number): Promise<number[]> {
    const rows: { id: number }[] = await this.db('events').where('organizer_id', organizerId).select('id');
    return rows.map((row) => Number(row.id));
  }

  async insert(trx: Knex, columns: Record<string, unknown>): Promise<EventRecord> {
    const [row] = await trx('events').insert(columns).returning('*');
    return row as EventRecord;
  }

  async update(trx: Knex, id: number, columns: Record<string, unknown>): Promise<void> {
    if (Object.keys(columns).length > 0) await trx('events').where('id', id).update(columns);
  }

  delete(trx: Knex, id: number): Promise<number> {
    return trx('events').where('id', id).delete();
  }

  metaValues(eventIds: readonly number[], db: Knex = this.db): Promise<MetaValueRow[]> {
    return db('event_meta_values')
      .join('event_meta_properties', 'event_meta_properties.id', 'event_meta_values.property_id')
      .whereIn('event_meta_values.event_id', eventIds)
      .orderBy('event_meta_properties.name')
      .select('event_meta_values.event_id', 'property_id', 'event_meta_properties.name', 'value');
  }

  /** Replaces the event's meta values by `values` (property id → value), leaving `keep` untouched. */
  async replaceMetaValues(
    trx: Knex,
    eventId: number,
    values: ReadonlyMap<number, string>,
    keep: readonly number[],
  ): Promise<void> {
    await trx('event_meta_values')
      .where('event_id', eventId)
      .whereNotIn('property_id', [...keep, ...values.keys()])
      .delete();
    for (const [propertyId, value] of values) {
      await trx('event_meta_values')
        .insert({ event_id: eventId, property_id: propertyId, value })
        .onConflict(['event_id', 'property_id'])
        .merge();
    }
  }

  itemMetaProperties(
    eventIds: readonly number[],
    db: Knex = this.db,
  ): Promise<{ event_id: number; name: string; default: string }[]> {
    return db('item_meta_properties').whereIn('event_id', eventIds).orderBy('name');
  }

  async replaceItemMetaProperties(trx: Knex, eventId: number, values: Record<string, string>): Promise<void> {
    await trx('item_meta_properties')
      .where('event_id', eventId)
      .whereNotIn('name', Object.keys(values))
      .delete();
    for (const [name, value] of Object.entries(values)) {
      await trx('item_meta_properties')
        .insert({ event_id: eventId, name, default: value })
        .onConflict(['event_id', 'name'])
        .merge();
    }
  }

  async hasOrders(eventId: number): Promise<boolean> {
    return (await this.db('orders').where('event_id', eventId).first('id')) !== undefined;
  }

  async hasQuota(eventId: number): Promise<boolean> {
    return (await this.db('quotas').where('event_id', eventId).first('id')) !== undefined;
  }

  /** Whether an active product or variation of the event costs money. */
  async hasPaidItems(eventId: number): Promise<boolean> {
    const paid = await this.db('items')
      .leftJoin('item_variations', 'item_variations.item_id', 'items.id')
      .where('items.event_id', eventId)
      .where('items.active', true)
      .where((q) =>
        q
          .where((inner) => inner.whereNull('item_variations.id').where('items.default_price', '>', 0))
          .orWhere((inner) =>
            inner
              .where('item_variations.active', true)
              .whereRaw('coalesce(item_variations.default_price, items.default_price) > 0'),
          ),
      )
      .first('items.id');
    return paid !== undefined;
  }

  async existingItemIds(eventId: number, ids: readonly number[]): Promise<Set<number>> {
    const rows: { id: number }[] = await this.db('items')
      .where('event_id', eventId)
      .whereIn('id', ids)
      .select('id');
    return new Set(rows.map((row) => row.id));
  }

  /** Adds the event to a team's event list (a token creating an event must be able to reach it). */
  /**
   * Per event: 100 when some active product whose quotas all have room can be bought, 0 when every product
   * with a quota is sold out, null when no product has a quota (pretix: "unknown").
   */
  async bestAvailability(eventIds: readonly number[]): Promise<Map<number, number | null>> {
    if (eventIds.length === 0) return new Map();
    const { rows } = await this.db.raw<{ rows: { event_id: number; available: boolean }[] }>(
      `WITH quota_left AS (
         SELECT q.id, q.event_id,
                q.size IS NULL OR q.size > (
                  SELECT count(*) FROM order_positions op
                  JOIN orders o ON o.id = op.order_id
                  JOIN quota_items qi2 ON qi2.item_id = op.item_id AND qi2.quota_id = q.id
                  WHERE NOT op.canceled AND o.status IN ('n', 'p')
                ) AS has_room
         FROM quotas q WHERE q.event_id = ANY(?)
       )
       SELECT i.event_id, bool_and(ql.has_room) AS available
       FROM items i JOIN quota_items qi ON qi.item_id = i.id JOIN quota_left ql ON ql.id = qi.quota_id
       WHERE i.active
       GROUP BY i.event_id, i.id`,
      [eventIds as number[]],
    );
    const result = new Map<number, number | null>();
    for (const row of rows) {
      const best = row.available ? 100 : 0;
      result.set(row.event_id, Math.max(result.get(row.event_id) ?? 0, best));
    }
    return result;
  }

  /** Products, variations, categories, questions, quotas and check-in lists of one event into another. */
  async copyTicketingData(trx: Knex, fromId: number, toId: number): Promise<void> {
    const ofEvent = (table: string) => trx(table).where('event_id', fromId).orderBy('id');
    const categories = await copyRows(trx, 'item_categories', await ofEvent('item_categories'), (row) => ({
      ...row,
      event_id: toId,
    }));
    const items = await copyRows(
      trx,
      'items',
      await ofEvent('items'),
      ({ created_at: _created, ...row }) => ({
        ...row,
        event_id: toId,
        category_id: via(categories, row.category_id),
      }),
    );
    const oldItemIds = [...items.keys()];
    const variations = await copyRows(
      trx,
      'item_variations',
      await trx('item_variations').whereIn('item_id', oldItemIds).orderBy('id'),
      (row) => ({ ...row, item_id: via(items, row.item_id) }),
    );
    const questions = await copyRows(trx, 'questions', await ofEvent('questions'), (row) => ({
      ...row,
      event_id: toId,
    }));
    await copyRows(
      trx,
      'question_options',
      await trx('question_options')
        .whereIn('question_id', [...questions.keys()])
        .orderBy('id'),
      (row) => ({ ...row, question_id: via(questions, row.question_id) }),
    );
    await copyRows(
      trx,
      'question_items',
      await trx('question_items').whereIn('question_id', [...questions.keys()]),
      (row) => ({ question_id: via(questions, row.question_id), item_id: via(items, row.item_id) }),
    );
    const quotas = await copyRows(trx, 'quotas', await ofEvent('quotas'), (row) => ({
      ...row,
      event_id: toId,
    }));
    await copyRows(
      trx,
      'quota_items',
      await trx('quota_items').whereIn('quota_id', [...quotas.keys()]),
      (row) => ({
        quota_id: via(quotas, row.quota_id),
        item_id: via(items, row.item_id),
      }),
    );
    await copyRows(
      trx,
      'quota_variations',
      await trx('quota_variations').whereIn('quota_id', [...quotas.keys()]),
      (row) => ({ quota_id: via(quotas, row.quota_id), variation_id: via(variations, row.variation_id) }),
    );
    const lists = await copyRows(trx, 'checkin_lists', await ofEvent('checkin_lists'), (row) => ({
      ...row,
      event_id: toId,
    }));
    await copyRows(
      trx,
      'checkin_list_items',
      await trx('checkin_list_items').whereIn('list_id', [...lists.keys()]),
      (row) => ({ list_id: via(lists, row.list_id), item_id: via(items, row.item_id) }),
    );
  }
}
