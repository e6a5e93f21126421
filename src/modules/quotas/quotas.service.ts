import type { Knex } from 'knex';
import type { Db } from '../../platform/db';
import { NotFound, ValidationError } from '../../shared/errors';
import type { EventRow } from '../access/access.service';
import { updateRow } from '../items/items.repository';
import { itemsWithVariations } from '../items/items.repository';
import { requireEventItems } from '../items/items.service';
import {
  countUsage,
  lockQuotas,
  membersOf,
  quotasForProduct,
  quotasOfEvent,
  replaceMembers,
  type QuotaCounts,
  type QuotaRow,
} from './quotas.repository';
import type { QuotaInput, QuotaPatch } from './quotas.schemas';

export function quotaResource(row: QuotaRow, items: number[], variations: number[]) {
  return { id: row.id, name: row.name, size: row.size, items, variations };
}

export type QuotaResource = ReturnType<typeof quotaResource>;

/** pretix's availability object; vouchers and carts do not exist here, so they always count 0. */
export function availabilityResource(quota: QuotaRow, counts: QuotaCounts) {
  const availableNumber =
    quota.size === null ? null : Math.max(0, quota.size - counts.paid - counts.pending - counts.waitingList);
  return {
    paid_orders: counts.paid,
    pending_orders: counts.pending,
    exited_orders: 0,
    blocking_vouchers: 0,
    cart_positions: 0,
    waiting_list: counts.waitingList,
    available_number: availableNumber,
    available: availableNumber === null || availableNumber > 0,
    total_size: quota.size,
  };
}

/** One ticket to be sold: where its errors go (index), and what it is. */
export interface QuotaDemand {
  index: number;
  itemId: number;
  itemName: Record<string, string>;
  variationId: number | null;
}

function firstName(name: Record<string, string>): string {
  return name.en ?? Object.values(name)[0] ?? '';
}

/**
 * Checks that every ticket has a quota and that each quota has room for all of them, with the quotas locked
 * until the transaction ends. Returns the message for each failing demand index (pretix's wording).
 */
export async function reserveQuotas(
  trx: Knex.Transaction,
  eventId: number,
  demands: QuotaDemand[],
  excludeOrderId: number | null = null,
): Promise<Map<number, string>> {
  const errors = new Map<number, string>();
  const quotasOfDemand = new Map<number, QuotaRow[]>();
  const quotas = new Map<number, QuotaRow>();
  for (const demand of demands) {
    const found = await quotasForProduct(trx, eventId, demand.itemId, demand.variationId);
    if (found.length === 0) {
      errors.set(demand.index, `The product "${firstName(demand.itemName)}" is not assigned to a quota.`);
      continue;
    }
    quotasOfDemand.set(demand.index, found);
    for (const quota of found) quotas.set(quota.id, quota);
  }
  const limited = [...quotas.values()].filter((quota) => quota.size !== null);
  await lockQuotas(
    trx,
    limited.map((quota) => quota.id),
  );
  const usage = await countUsage(
    trx,
    limited.map((quota) => quota.id),
    excludeOrderId,
  );
  const remaining = new Map(
    limited.map((quota) => {
      const counts = usage.get(quota.id)!;
      return [quota.id, quota.size! - counts.paid - counts.pending];
    }),
  );
  for (const demand of demands) {
    for (const quota of quotasOfDemand.get(demand.index) ?? []) {
      if (quota.size === null) continue;
      const left = remaining.get(quota.id)! - 1;
      remaining.set(quota.id, left);
      if (left < 0 && !errors.has(demand.index)) {
        errors.set(
          demand.index,
          `There is not enough quota available on quota "${quota.name}" to perform the operation.`,
        );
      }
    }
  }
  return errors;
}

/** Quotas of one event and their availability. */
export class QuotasService {
  constructor(private readonly db: Db) {}

  list(event: EventRow): Knex.QueryBuilder {
    return quotasOfEvent(this.db, event.id).orderBy('id');
  }

  async toResources(rows: QuotaRow[]): Promise<QuotaResource[]> {
    const { items, variations } = await membersOf(
      this.db,
      rows.map((row) => row.id),
    );
    return rows.map((row) => quotaResource(row, items.get(row.id) ?? [], variations.get(row.id) ?? []));
  }

  private async row(event: EventRow, id: number): Promise<QuotaRow> {
    const row: QuotaRow | undefined = await quotasOfEvent(this.db, event.id).where('id', id).first();
    if (!row) throw new NotFound();
    return row;
  }

  async get(event: EventRow, id: number): Promise<QuotaResource> {
    const [resource] = await this.toResources([await this.row(event, id)]);
    return resource!;
  }

  async availability(event: EventRow, id: number) {
    const quota = await this.row(event, id);
    const counts = await countUsage(this.db, [quota.id]);
    return availabilityResource(quota, counts.get(quota.id)!);
  }

  /** Items must be the event's; variations must belong to listed items, and items with variations need some. */
  private async checkMembers(trx: Knex.Transaction, event: EventRow, items: number[], variations: number[]) {
    await requireEventItems(trx, event.id, items, 'items');
    const found = await itemsWithVariations(trx, event.id, items);
    const variationOwners = new Map<number, number>();
    for (const item of found.values()) for (const v of item.variations) variationOwners.set(v.id, item.id);
    if (variations.some((id) => !variationOwners.has(id)))
      throw ValidationError.field(
        'variations',
        'All variations must belong to an item contained in the items list.',
      );
    const chosen = new Set(variations.map((id) => variationOwners.get(id)));
    if ([...found.values()].some((item) => item.variations.length > 0 && !chosen.has(item.id))) {
      throw ValidationError.field(
        'variations',
        'One or more items has variations but none of these are in the variations list.',
      );
    }
  }

  async create(event: EventRow, input: QuotaInput): Promise<QuotaResource> {
    const id = await this.db.transaction(async (trx) => {
      await this.checkMembers(trx, event, input.items, input.variations);
      const [row] = await trx('quotas')
        .insert({ event_id: event.id, name: input.name, size: input.size })
        .returning('id');
      const quotaId = (row as { id: number }).id;
      await replaceMembers(trx, quotaId, [...new Set(input.items)], [...new Set(input.variations)]);
      return quotaId;
    });
    return this.get(event, id);
  }

  async update(event: EventRow, id: number, changes: QuotaPatch): Promise<QuotaResource> {
    const current = await this.get(event, id);
    await this.db.transaction(async (trx) => {
      const { items, variations, ...columns } = changes;
      if (items || variations)
        await this.checkMembers(trx, event, items ?? current.items, variations ?? current.variations);
      await updateRow(trx, 'quotas', { id, event_id: event.id }, columns);
      await replaceMembers(trx, id, items && [...new Set(items)], variations && [...new Set(variations)]);
    });
    return this.get(event, id);
  }

  async remove(event: EventRow, id: number): Promise<void> {
    if ((await this.db('quotas').where({ id, event_id: event.id }).delete()) === 0) throw new NotFound();
  }
}
