import type { Knex } from 'knex';
import type { Db } from '../../platform/db';

export interface WaitingListRow {
  id: number;
  event_id: number;
  item_id: number;
  variation_id: number | null;
  email: string;
  name_cached: string | null;
  name_parts: Record<string, string>;
  phone: string | null;
  locale: string;
  priority: number;
  created: Date;
  voucher_code: string | null;
  voucher_state: string | null;
}

export function entriesOfEvent(db: Db | Knex.Transaction, eventId: number): Knex.QueryBuilder {
  return db('waiting_list_entries').where('event_id', eventId).select('*');
}
