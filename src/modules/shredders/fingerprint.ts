import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

/**
 * "Did anything happen in the event after the export?" pretix answers it from its action log (any log entry
 * at or after the export time). tixport keeps no action log yet, and its tables have no reliable updated_at
 * (positions, answers and waiting-list entries have none; orders' last_modified is not bumped by every write),
 * so max(updated_at)/counts would miss an edited attendee email. Instead: a digest of the rows themselves —
 * every column of the event row and of every row holding the event's personal data — taken in the export's
 * snapshot and again inside the shred's transaction. Any insert, update or delete in between changes it. It
 * costs one md5 per row, about what the export itself reads.
 */
const SOURCES: { table: string; order: string; where: (db: Knex, eventId: number) => Knex.QueryBuilder }[] = [
  { table: 'events', order: 'id', where: (db, e) => db('events').where('id', e) },
  { table: 'orders', order: 'id', where: (db, e) => db('orders').where('event_id', e) },
  {
    table: 'order_positions',
    order: 'id',
    where: (db, e) => db('order_positions').whereIn('order_id', orderIds(db, e)),
  },
  {
    table: 'question_answers',
    order: 'id',
    where: (db, e) => db('question_answers').whereIn('orderposition_id', positionIds(db, e)),
  },
  {
    table: 'question_answer_options',
    order: 'answer_id, option_id',
    where: (db, e) =>
      db('question_answer_options').whereIn(
        'answer_id',
        db('question_answers').whereIn('orderposition_id', positionIds(db, e)).select('id'),
      ),
  },
  {
    table: 'invoice_addresses',
    order: 'order_id',
    where: (db, e) => db('invoice_addresses').whereIn('order_id', orderIds(db, e)),
  },
  {
    table: 'order_payments',
    order: 'id',
    where: (db, e) => db('order_payments').whereIn('order_id', orderIds(db, e)),
  },
  {
    table: 'order_refunds',
    order: 'id',
    where: (db, e) => db('order_refunds').whereIn('order_id', orderIds(db, e)),
  },
  {
    table: 'waiting_list_entries',
    order: 'id',
    where: (db, e) => db('waiting_list_entries').where('event_id', e),
  },
];

function orderIds(db: Knex, eventId: number) {
  return db('orders').where('event_id', eventId).select('id');
}

function positionIds(db: Knex, eventId: number) {
  return db('order_positions').whereIn('order_id', orderIds(db, eventId)).select('id');
}

/** The digest of the event's data as `db` (a transaction) sees it. */
export async function eventFingerprint(db: Knex.Transaction, eventId: number): Promise<string> {
  // A row's text form depends on these settings; pin them so the export and the shred agree.
  await db.raw(
    "SELECT set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO, MDY', true), set_config('extra_float_digits', '1', true)",
  );
  const hash = createHash('sha256');
  for (const source of SOURCES) {
    const result = await db.raw(
      `SELECT count(*)::bigint AS n, coalesce(md5(string_agg(md5(x::text), '' ORDER BY ${source.order})), '') AS digest
       FROM ? AS x`,
      [source.where(db, eventId).select('*')],
    );
    const row = (result as { rows: { n: number; digest: string }[] }).rows[0]!;
    hash.update(`${source.table}:${row.n}:${row.digest};`);
  }
  return hash.digest('hex');
}
