import type { Knex } from 'knex';
import type { Db } from '../../platform/db';
import { CustomBodyError, NotFound } from '../../shared/errors';
import type { EventRow } from '../access/access.service';
import { updateRow } from '../items/items.repository';
import { requireEventItems } from '../items/items.service';
import { lockPosition, type OrderRow, type PositionRow } from '../orders/orders.repository';
import { positionResources } from '../orders/orders.resources';
import {
  lastCheckin,
  listsOfEvent,
  productsOf,
  replaceProducts,
  type CheckinListRow,
} from './checkin.repository';
import type { CheckinListInput, CheckinListPatch, RedeemInput } from './checkin.schemas';

export function checkinListResource(row: CheckinListRow, products: number[]) {
  return {
    id: row.id,
    name: row.name,
    all_products: row.all_products,
    limit_products: products,
    subevent: null,
    include_pending: row.include_pending,
    allow_multiple_entries: row.allow_multiple_entries,
    allow_entry_after_exit: row.allow_entry_after_exit,
  };
}

export type CheckinListResource = ReturnType<typeof checkinListResource>;

/** pretix's reason codes for a refused scan. */
export type RedeemReason = 'canceled' | 'product' | 'unpaid' | 'invalid_time' | 'already_redeemed';

/**
 * The check-in rules, in pretix's order: a canceled ticket (or canceled/expired order) never enters; the product
 * must be on the list; a pending order only with ignore_unpaid on a list that includes pending orders; then
 * (unless forced) the validity window and, for entries, no earlier entry unless the list allows it.
 */
export function refusal(
  list: CheckinListRow & { products: number[] },
  order: Pick<OrderRow, 'status'>,
  position: Pick<PositionRow, 'canceled' | 'item_id' | 'valid_from' | 'valid_until'>,
  input: Pick<RedeemInput, 'type' | 'force' | 'ignore_unpaid'>,
  at: Date,
  last: { type: 'entry' | 'exit' } | undefined,
): RedeemReason | null {
  if (position.canceled || (order.status !== 'p' && order.status !== 'n')) return 'canceled';
  if (!list.all_products && !list.products.includes(position.item_id)) return 'product';
  if (order.status === 'n' && !(input.ignore_unpaid && list.include_pending)) return 'unpaid';
  if (input.force) return null;
  if (
    (position.valid_from && at < position.valid_from) ||
    (position.valid_until && at > position.valid_until)
  )
    return 'invalid_time';
  if (input.type === 'entry' && last && !list.allow_multiple_entries) {
    if (!(last.type === 'exit' && list.allow_entry_after_exit)) return 'already_redeemed';
  }
  return null;
}

/** Check-in lists of one event and the scans recorded against them. */
export class CheckinService {
  constructor(private readonly db: Db) {}

  list(event: EventRow): Knex.QueryBuilder {
    return listsOfEvent(this.db, event.id).orderBy('id');
  }

  async toResources(rows: CheckinListRow[]): Promise<CheckinListResource[]> {
    const products = await productsOf(
      this.db,
      rows.map((row) => row.id),
    );
    return rows.map((row) => checkinListResource(row, products.get(row.id) ?? []));
  }

  private async row(db: Db | Knex.Transaction, event: EventRow, id: number): Promise<CheckinListRow> {
    const row: CheckinListRow | undefined = await listsOfEvent(db, event.id).where('id', id).first();
    if (!row) throw new NotFound();
    return row;
  }

  async get(event: EventRow, id: number): Promise<CheckinListResource> {
    const [resource] = await this.toResources([await this.row(this.db, event, id)]);
    return resource!;
  }

  async create(event: EventRow, input: CheckinListInput): Promise<CheckinListResource> {
    const id = await this.db.transaction(async (trx) => {
      const products = await requireEventItems(trx, event.id, input.limit_products, 'limit_products');
      const { limit_products: _products, ...columns } = input;
      const [row] = await trx('checkin_lists')
        .insert({ ...columns, event_id: event.id })
        .returning('id');
      const listId = (row as { id: number }).id;
      await replaceProducts(trx, listId, products);
      return listId;
    });
    return this.get(event, id);
  }

  async update(event: EventRow, id: number, changes: CheckinListPatch): Promise<CheckinListResource> {
    await this.db.transaction(async (trx) => {
      await this.row(trx, event, id);
      const { limit_products: products, ...columns } = changes;
      await updateRow(trx, 'checkin_lists', { id, event_id: event.id }, columns);
      if (products)
        await replaceProducts(trx, id, await requireEventItems(trx, event.id, products, 'limit_products'));
    });
    return this.get(event, id);
  }

  async remove(event: EventRow, id: number): Promise<void> {
    if ((await this.db('checkin_lists').where({ id, event_id: event.id }).delete()) === 0)
      throw new NotFound();
  }

  /**
   * Records one scan. Success answers 201 with the ticket; a refusal is recorded too (pretix keeps failed scans)
   * and answers 400 with its reason; an unknown ticket answers 404.
   */
  async redeem(event: EventRow, listId: number, idOrSecret: string, input: RedeemInput) {
    return this.db.transaction(async (trx) => {
      const list = await this.row(trx, event, listId);
      const listBody = {
        id: list.id,
        name: list.name,
        event: event.slug,
        subevent: null,
        include_pending: list.include_pending,
      };
      const found = await lockPosition(trx, event.id, idOrSecret);
      if (!found) {
        throw new CustomBodyError(404, {
          status: 'error',
          reason: 'invalid',
          reason_explanation: null,
          require_attention: false,
          list: listBody,
        });
      }
      const { position, order } = found;
      const products = (await productsOf(trx, [list.id])).get(list.id) ?? [];
      const at = input.datetime ?? new Date();
      const reason = refusal(
        { ...list, products },
        order,
        position,
        input,
        at,
        await lastCheckin(trx, position.id, list.id),
      );
      await trx('checkins').insert({
        position_id: position.id,
        list_id: list.id,
        datetime: at,
        type: input.type,
        successful: reason === null,
        error_reason: reason,
        gate_name: input.gate_name,
        device_name: input.device_name,
      });
      const [positionBody] = await positionResources(trx, [position], new Map([[order.id, order.code]]));
      const body = {
        status: reason === null ? 'ok' : 'error',
        ...(reason === null ? {} : { reason, reason_explanation: null }),
        require_attention: order.checkin_attention,
        position: positionBody,
        list: listBody,
      };
      return { status: reason === null ? 201 : 400, body };
    });
  }
}
