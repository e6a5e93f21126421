import { whereIdFilter } from '../../shared/filters';
import type { Knex } from 'knex';
import { isForeignKeyViolation, type Db } from '../../platform/db';
import { NotFound, PermissionDenied, ValidationError } from '../../shared/errors';
import type { EventRow } from '../access/access.service';
import {
  categoriesOfEvent,
  insertCategory,
  insertItem,
  insertVariations,
  itemsOfEvent,
  updateRow,
  variationsOfItems,
  type CategoryRow,
  type ItemRow,
  type VariationRow,
} from './items.repository';
import type {
  CategoryInput,
  CategoryPatch,
  ItemInput,
  ItemPatch,
  VariationInput,
  VariationPatch,
} from './items.schemas';

export function categoryResource(row: CategoryRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    position: row.position,
    is_addon: row.is_addon,
  };
}

export function variationResource(row: VariationRow, item: Pick<ItemRow, 'default_price'>) {
  return {
    id: row.id,
    value: row.value,
    default_price: row.default_price,
    price: row.default_price ?? item.default_price,
    active: row.active,
    position: row.position,
  };
}

export function itemResource(row: ItemRow, variations: VariationRow[]) {
  return {
    id: row.id,
    category: row.category_id,
    name: row.name,
    description: row.description,
    default_price: row.default_price,
    tax_rate: row.tax_rate,
    admission: row.admission,
    active: row.active,
    position: row.position,
    has_variations: variations.length > 0,
    variations: variations.map((variation) => variationResource(variation, row)),
  };
}

export type ItemResource = ReturnType<typeof itemResource>;

const invalidPk = (id: number) => `Invalid pk "${id}" - object does not exist.`;

/** Item ids a client sent for `field`, deduplicated; every one must be the event's, else DRF's invalid-pk errors. */
export async function requireEventItems(
  db: Db | Knex.Transaction,
  eventId: number,
  itemIds: number[],
  field: string,
): Promise<number[]> {
  const unique = [...new Set(itemIds)];
  const found: { id: number }[] = await db('items')
    .where('event_id', eventId)
    .whereIn('id', unique)
    .select('id');
  const known = new Set(found.map((row) => row.id));
  const missing = unique.filter((id) => !known.has(id));
  if (missing.length > 0) throw new ValidationError({ [field]: missing.map(invalidPk) });
  return unique;
}

/** Item categories of one event. */
export class CategoriesService {
  constructor(private readonly db: Db) {}

  list(event: EventRow): Knex.QueryBuilder {
    return categoriesOfEvent(this.db, event.id).orderBy(['position', 'id']);
  }

  async get(event: EventRow, id: number) {
    const row: CategoryRow | undefined = await categoriesOfEvent(this.db, event.id).where('id', id).first();
    if (!row) throw new NotFound();
    return categoryResource(row);
  }

  async create(event: EventRow, input: CategoryInput) {
    return this.get(event, await insertCategory(this.db, { ...input, event_id: event.id }));
  }

  async update(event: EventRow, id: number, changes: CategoryPatch) {
    if ((await updateRow(this.db, 'item_categories', { id, event_id: event.id }, changes)) === 0)
      throw new NotFound();
    return this.get(event, id);
  }

  async remove(event: EventRow, id: number): Promise<void> {
    const deleted = await this.db('item_categories').where({ id, event_id: event.id }).delete();
    if (deleted === 0) throw new NotFound();
  }
}

/** Products of one event with their variations. */
export class ItemsService {
  constructor(private readonly db: Db) {}

  list(event: EventRow, query: Record<string, unknown>): Knex.QueryBuilder {
    const items = itemsOfEvent(this.db, event.id).orderBy(['position', 'id']);
    if (query.active === 'true' || query.active === 'false') items.where('active', query.active === 'true');
    whereIdFilter(items, 'category_id', query.category);
    return items;
  }

  async toResources(rows: ItemRow[]): Promise<ItemResource[]> {
    const variations = await variationsOfItems(
      this.db,
      rows.map((row) => row.id),
    );
    return rows.map((row) =>
      itemResource(
        row,
        variations.filter((variation) => variation.item_id === row.id),
      ),
    );
  }

  private async row(db: Db | Knex.Transaction, event: EventRow, id: number): Promise<ItemRow> {
    const row: ItemRow | undefined = await itemsOfEvent(db, event.id).where('id', id).first();
    if (!row) throw new NotFound();
    return row;
  }

  async get(event: EventRow, id: number): Promise<ItemResource> {
    const [resource] = await this.toResources([await this.row(this.db, event, id)]);
    return resource!;
  }

  private async checkCategory(
    db: Db | Knex.Transaction,
    event: EventRow,
    category: number | null | undefined,
  ) {
    if (category === null || category === undefined) return;
    const found = await categoriesOfEvent(db, event.id).where('id', category).first('id');
    if (!found) throw ValidationError.field('category', invalidPk(category));
  }

  async create(event: EventRow, input: ItemInput): Promise<ItemResource> {
    const id = await this.db.transaction(async (trx) => {
      await this.checkCategory(trx, event, input.category);
      const { variations, category, ...columns } = input;
      const itemId = await insertItem(trx, { ...columns, category_id: category, event_id: event.id });
      await insertVariations(trx, itemId, variations);
      return itemId;
    });
    return this.get(event, id);
  }

  async update(event: EventRow, id: number, changes: ItemPatch): Promise<ItemResource> {
    if (changes.variations !== undefined) {
      throw ValidationError.field(
        'variations',
        'Updating variations via PATCH/PUT is not supported. Please use the dedicated nested endpoint.',
      );
    }
    const { variations: _variations, category, ...columns } = changes;
    await this.row(this.db, event, id);
    await this.checkCategory(this.db, event, category);
    await updateRow(
      this.db,
      'items',
      { id, event_id: event.id },
      category === undefined ? columns : { ...columns, category_id: category },
    );
    return this.get(event, id);
  }

  async remove(event: EventRow, id: number): Promise<void> {
    await this.row(this.db, event, id);
    try {
      await this.db('items').where({ id, event_id: event.id }).delete();
    } catch (error) {
      if (isForeignKeyViolation(error))
        throw new PermissionDenied('This item cannot be deleted because it has already been ordered.');
      throw error;
    }
  }

  /** Nested variations: the item must be one of the event's, else 404. */
  async checkItem(event: EventRow, itemId: number): Promise<void> {
    await this.row(this.db, event, itemId);
  }

  variations(itemId: number): Knex.QueryBuilder {
    return this.db('item_variations').where('item_id', itemId).orderBy(['position', 'id']);
  }

  async variationResources(event: EventRow, itemId: number, rows: VariationRow[]) {
    const item = await this.row(this.db, event, itemId);
    return rows.map((row) => variationResource(row, item));
  }

  async variation(event: EventRow, itemId: number, id: number) {
    const item = await this.row(this.db, event, itemId);
    const row: VariationRow | undefined = await this.db('item_variations')
      .where({ item_id: itemId, id })
      .first();
    if (!row) throw new NotFound();
    return variationResource(row, item);
  }

  async createVariation(event: EventRow, itemId: number, input: VariationInput) {
    await this.row(this.db, event, itemId);
    const [inserted] = await this.db('item_variations')
      .insert({ ...input, item_id: itemId, value: JSON.stringify(input.value) })
      .returning('id');
    return this.variation(event, itemId, (inserted as { id: number }).id);
  }

  async updateVariation(event: EventRow, itemId: number, id: number, changes: VariationPatch) {
    await this.row(this.db, event, itemId);
    if ((await updateRow(this.db, 'item_variations', { id, item_id: itemId }, changes)) === 0)
      throw new NotFound();
    return this.variation(event, itemId, id);
  }

  async removeVariation(event: EventRow, itemId: number, id: number): Promise<void> {
    await this.variation(event, itemId, id);
    try {
      await this.db('item_variations').where({ id, item_id: itemId }).delete();
    } catch (error) {
      if (isForeignKeyViolation(error)) {
        throw new PermissionDenied(
          'This variation cannot be deleted because it has already been ordered by a user or currently is in a ' +
            'users\'s cart. Please set the variation as "inactive" instead.',
        );
      }
      throw error;
    }
  }
}
