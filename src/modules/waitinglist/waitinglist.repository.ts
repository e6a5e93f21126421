import type { Knex } from 'knex';
import type { Db } from '../../platform/db';
import { replaceColumns, SHREDDED, SHREDDED_NAME_PARTS } from '../../platform/erase';

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

/**
 * The waiting-list shredder's erasure (inside the shred's transaction; with `dryRun` it only counts): name
 * cleared (parts become pretix's shredded marker), email and phone replaced with █ on every entry not yet
 * shredded.
 */
export async function eraseWaitingList(
  db: Db | Knex.Transaction,
  eventId: number,
  options: { dryRun: boolean },
) {
  return replaceColumns(
    db,
    {
      table: 'waiting_list_entries',
      keys: db('waiting_list_entries').where('event_id', eventId).whereNot('email', SHREDDED).select('id'),
      set: {
        name_cached: null,
        name_parts: db.raw('?::jsonb', [SHREDDED_NAME_PARTS]),
        email: SHREDDED,
        phone: SHREDDED,
      },
    },
    options,
  );
}
