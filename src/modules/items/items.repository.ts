import type { Knex } from 'knex';
import type { Db } from '../../platform/db';

type Executor = Db | Knex.Transaction;

export interface CategoryRow {
  id: number;
  event_id: number;
  name: Record<string, string>;
  description: Record<string, string>;
  position: number;
  is_addon: boolean;
}

export interface ItemRow {
  id: number;
  event_id: number;
  category_id: number | null;
  name: Record<string, string>;
  description: Record<string, string>;
  default_price: string;
  tax_rate: string;
  admission: boolean;
  active: boolean;
  position: number;
}

export interface VariationRow {
  id: number;
  item_id: number;
  value: Record<string, string>;
  default_price: string | null;
  active: boolean;
  position: number;
}

const json = (value: unknown) => JSON.stringify(value);

export function categoriesOfEvent(db: Executor, eventId: number): Knex.QueryBuilder {
  return db('item_categories').where('event_id', eventId).select('*');
}

export async function insertCategory(db: Executor, row: Omit<CategoryRow, 'id'>): Promise<number> {
  const [inserted] = await db('item_categories')
    .insert({ ...row, name: json(row.name), description: json(row.description) })
    .returning('id');
  return (inserted as { id: number }).id;
}

/** Writes the given columns, JSON-encoding the i18n ones; returns how many rows matched. */
export async function updateRow(
  db: Executor,
  table: string,
  where: Record<string, number>,
  changes: Record<string, unknown>,
): Promise<number> {
  const columns = Object.fromEntries(
    Object.entries(changes).map(([key, value]) => [
      key,
      value !== null && typeof value === 'object' && !(value instanceof Date) ? json(value) : value,
    ]),
  );
  if (Object.keys(columns).length === 0) return (await db(table).where(where).first('id')) ? 1 : 0;
  return db(table).where(where).update(columns);
}

export function itemsOfEvent(db: Executor, eventId: number): Knex.QueryBuilder {
  return db('items').where('event_id', eventId).select('*');
}

export async function insertItem(db: Executor, row: Omit<ItemRow, 'id'>): Promise<number> {
  const [inserted] = await db('items')
    .insert({ ...row, name: json(row.name), description: json(row.description) })
    .returning('id');
  return (inserted as { id: number }).id;
}

export async function insertVariations(
  db: Executor,
  itemId: number,
  variations: Omit<VariationRow, 'id' | 'item_id'>[],
): Promise<void> {
  if (variations.length === 0) return;
  await db('item_variations').insert(
    variations.map((variation) => ({ ...variation, item_id: itemId, value: json(variation.value) })),
  );
}

export async function variationsOfItems(db: Executor, itemIds: number[]): Promise<VariationRow[]> {
  if (itemIds.length === 0) return [];
  return db('item_variations').whereIn('item_id', itemIds).orderBy(['position', 'id']);
}

/** Items of the event by id, with their variations, for validating references in one query each. */
export async function itemsWithVariations(
  db: Executor,
  eventId: number,
  itemIds: number[],
): Promise<Map<number, ItemRow & { variations: VariationRow[] }>> {
  const items: ItemRow[] = itemIds.length
    ? await itemsOfEvent(db, eventId).whereIn('id', [...new Set(itemIds)])
    : [];
  const variations = await variationsOfItems(
    db,
    items.map((item) => item.id),
  );
  return new Map(
    items.map((item) => [item.id, { ...item, variations: variations.filter((v) => v.item_id === item.id) }]),
  );
}
