import { Writable } from 'node:stream';
import JSZip from 'jszip';
import type { Db } from '../../src/platform/db';
import type { Storage } from '../../src/platform/storage';
import { answerUploadKey } from '../../src/modules/questions/answers';
import { findShredder } from '../../src/modules/shredders/shredders/index';
import { writeShredZip } from '../../src/modules/shredders/shredders.zip';
import { Readable } from 'node:stream';
import { Seed } from '../exports/exporters/support';
import { makeEvent, makeOrganizer, uniqueSlug } from '../support/factories';

/** Every table holding an event's ticketing data, with how to select the event's rows in a stable order. */
export const EVENT_TABLES: {
  table: string;
  key: string;
  rows: (db: Db, eventId: number) => Promise<Row[]>;
}[] = [
  { table: 'orders', key: 'id', rows: (db, e) => db('orders').where('event_id', e).orderBy('id') },
  {
    table: 'order_positions',
    key: 'id',
    rows: (db, e) => db('order_positions').whereIn('order_id', orderIds(db, e)).orderBy('id'),
  },
  {
    table: 'order_fees',
    key: 'id',
    rows: (db, e) => db('order_fees').whereIn('order_id', orderIds(db, e)).orderBy('id'),
  },
  {
    table: 'question_answers',
    key: 'id',
    rows: (db, e) => db('question_answers').whereIn('orderposition_id', positionIds(db, e)).orderBy('id'),
  },
  {
    table: 'question_answer_options',
    key: 'answer_id',
    rows: (db, e) =>
      db('question_answer_options')
        .whereIn(
          'answer_id',
          db('question_answers').whereIn('orderposition_id', positionIds(db, e)).select('id'),
        )
        .orderBy(['answer_id', 'option_id']),
  },
  {
    table: 'invoice_addresses',
    key: 'order_id',
    rows: (db, e) => db('invoice_addresses').whereIn('order_id', orderIds(db, e)).orderBy('order_id'),
  },
  {
    table: 'order_payments',
    key: 'id',
    rows: (db, e) => db('order_payments').whereIn('order_id', orderIds(db, e)).orderBy('id'),
  },
  {
    table: 'order_refunds',
    key: 'id',
    rows: (db, e) => db('order_refunds').whereIn('order_id', orderIds(db, e)).orderBy('id'),
  },
  {
    table: 'checkins',
    key: 'id',
    rows: (db, e) => db('checkins').whereIn('position_id', positionIds(db, e)).orderBy('id'),
  },
  {
    table: 'waiting_list_entries',
    key: 'id',
    rows: (db, e) => db('waiting_list_entries').where('event_id', e).orderBy('id'),
  },
  { table: 'events', key: 'id', rows: (db, e) => db('events').where('id', e) },
];

export type Row = Record<string, unknown>;
export type Snapshot = Record<string, Row[]>;

function orderIds(db: Db, eventId: number) {
  return db('orders').where('event_id', eventId).select('id');
}
function positionIds(db: Db, eventId: number) {
  return db('order_positions').whereIn('order_id', orderIds(db, eventId)).select('id');
}

export async function snapshot(db: Db, eventId: number): Promise<Snapshot> {
  const out: Snapshot = {};
  for (const source of EVENT_TABLES) out[source.table] = await source.rows(db, eventId);
  return out;
}

/**
 * The change from `before` to `after`, table by table, as {table: {changed: [{key, column: [old, new]}],
 * deleted: [keys]}}; tables without changes are left out. Tests assert it equals exactly what the shredder
 * should have done, so every column not named there is proven unchanged.
 */
export function diff(before: Snapshot, after: Snapshot) {
  const result: Record<string, { changed?: Row[]; deleted?: unknown[]; added?: unknown[] }> = {};
  for (const source of EVENT_TABLES) {
    const keyOf = (row: Row) =>
      String(row[source.key]) +
      (source.table === 'question_answer_options' ? `/${String(row.option_id)}` : '');
    const old = new Map((before[source.table] ?? []).map((row) => [keyOf(row), row]));
    const now = new Map((after[source.table] ?? []).map((row) => [keyOf(row), row]));
    const changed: Row[] = [];
    const deleted: unknown[] = [];
    for (const [key, row] of old) {
      const next = now.get(key);
      if (!next) {
        deleted.push(key);
        continue;
      }
      const columns: Row = {};
      for (const column of Object.keys(row)) {
        if (JSON.stringify(row[column]) !== JSON.stringify(next[column]))
          columns[column] = [row[column], next[column]];
      }
      if (Object.keys(columns).length > 0) changed.push({ key, ...columns });
    }
    const added = [...now.keys()].filter((key) => !old.has(key));
    if (changed.length || deleted.length || added.length)
      result[source.table] = {
        ...(changed.length ? { changed } : {}),
        ...(deleted.length ? { deleted } : {}),
        ...(added.length ? { added } : {}),
      };
  }
  return result;
}

/** Runs the given shredders' ZIP inside a REPEATABLE READ snapshot, into memory, and opens it. */
export async function shredZip(
  db: Db,
  storage: Storage,
  event: { id: number; slug: string },
  identifiers: string[],
) {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  await db.transaction(
    async (trx) => {
      await writeShredZip(
        out,
        { db: trx, event, storage },
        identifiers.map((id) => findShredder(id)!),
        {
          instance: 'http://tixport.test',
          organizer: 'org',
          event: event.slug,
          time: '2026-12-04T12:00:00Z',
          shredders: identifiers,
          confirm_code: 'ABC123',
        },
        async () => undefined,
      );
    },
    { isolationLevel: 'repeatable read', readOnly: true },
  );
  return JSZip.loadAsync(Buffer.concat(chunks));
}

export async function jsonIn(zip: JSZip, name: string): Promise<unknown> {
  const file = zip.file(name);
  if (!file) throw new Error(`${name} is not in the ZIP (it has ${Object.keys(zip.files).join(', ')})`);
  return JSON.parse(await file.async('string'));
}

/** Runs one shredder's erasure in its own transaction (as the shred step does, for all of them at once). */
export async function erase(db: Db, identifier: string, eventId: number) {
  return db.transaction((trx) => findShredder(identifier)!.erase(trx, eventId, { dryRun: false }));
}

export async function dryErase(db: Db, identifier: string, eventId: number) {
  return findShredder(identifier)!.erase(db, eventId, { dryRun: true });
}

export async function storeUpload(storage: Storage, fileKey: string, content: string): Promise<void> {
  await storage.write(answerUploadKey(fileKey), Readable.from([Buffer.from(content)]));
}

const DAY = 24 * 3600 * 1000;

/**
 * A finished (90 days ago), offline event with every kind of personal data the shredders know: orders with
 * email and phone, positions (one cancelled, one an add-on) with attendee data, answers (text, choice, file),
 * an invoice address, bank-transfer and card payments with details, a refund, a check-in, a fee, and
 * waiting-list entries.
 */
export async function seedShredEvent(db: Db, storage: Storage) {
  const seed = new Seed(db);
  const organizer = await makeOrganizer(db);
  const event = await makeEvent(db, organizer.id, {
    date_from: new Date(Date.now() - 90 * DAY).toISOString(),
  });
  const item = await seed.item(event.id, { en: 'Ticket' });
  type Named = { id: number; identifier: string };
  const text = (await seed.question(event.id, 'Diet', 'S')) as Named;
  const choice = (await seed.question(event.id, 'Shirt', 'C')) as Named;
  const small = (await seed.option(choice.id, 'S', 1)) as Named;
  const large = (await seed.option(choice.id, 'L', 2)) as Named;
  const upload = (await seed.question(event.id, 'Student ID', 'F')) as Named;

  const first = await seed.order(event.id, {
    email: 'anna@example.org',
    phone: '+49 30 1234567',
    status: 'p',
  });
  const p1 = await seed.position(first.id, item.id, 1, {
    attendee_name_cached: 'Anna Ärger',
    attendee_name_parts: JSON.stringify({ given_name: 'Anna', family_name: 'Ärger' }),
    attendee_email: 'anna.att@example.org',
    company: 'ACME',
    street: 'Hauptstr. 1',
    zipcode: '10115',
    city: 'Berlin',
    country: 'DE',
    state: 'BE',
  });
  const p2 = await seed.position(first.id, item.id, 2, {
    attendee_name_cached: 'Bob',
    canceled: true,
    addon_to_id: p1.id,
  });
  await seed.answer(p1.id, text.id, 'vegan');
  await seed.answer(p1.id, choice.id, 'L', [large.id]);
  await seed.answer(p2.id, choice.id, 'S', [small.id]);
  const fileKey = `idcard${uniqueSlug('')}`;
  await db('question_answers').insert({
    orderposition_id: p1.id,
    question_id: upload.id,
    answer: `file:${fileKey}`,
    file_key: fileKey,
  });
  await storeUpload(storage, fileKey, 'JPEG bytes of a student ID');
  await seed.invoiceAddress(first.id, {
    company: 'ACME GmbH',
    name_cached: 'Anna Ärger',
    name_parts: JSON.stringify({ given_name: 'Anna', family_name: 'Ärger' }),
    street: 'Hauptstr. 1',
    zipcode: '10115',
    city: 'Berlin',
    country: 'DE',
    vat_id: 'DE123',
  });
  const transfer = await seed.payment(first.id, 1, {
    provider: 'banktransfer',
    state: 'confirmed',
    amount: '10.00',
    info: JSON.stringify({ reference: first.code, payer: 'Anna Ärger', iban: 'DE02120300000000202051' }),
  });
  await seed.refund(first.id, 1, {
    provider: 'banktransfer',
    state: 'done',
    amount: '5.00',
    payment_id: transfer.id,
    info: JSON.stringify({ payer: 'Anna Ärger', send_invoice_to: 'anna@example.org' }),
  });
  await seed.fee(first.id, { fee_type: 'service', value: '1.00' });
  const list = await seed.checkinList(event.id, 'Entrance');
  await seed.checkin(p1.id, list.id, new Date(Date.now() - 91 * DAY).toISOString());

  const second = await seed.order(event.id, { email: null, phone: null, status: 'n' });
  await seed.position(second.id, item.id, 1, {});
  await seed.payment(second.id, 1, {
    provider: 'stripe',
    state: 'created',
    amount: '10.00',
    info: JSON.stringify({ id: 'pi_1', card: { last4: '4242', holder: 'Carl' } }),
  });
  await seed.payment(second.id, 2, { provider: 'manual', state: 'created', amount: '10.00' });

  await seed.waitingListEntry(event.id, item.id, {
    email: 'dora@example.org',
    name_cached: 'Dora',
    name_parts: JSON.stringify({ _legacy: 'Dora' }),
    phone: '+49 40 555',
    priority: 1,
  });
  await seed.waitingListEntry(event.id, item.id, { email: 'emil@example.org' });

  return {
    organizer,
    event,
    item,
    questions: { text, choice, upload },
    options: { small, large },
    orders: { first, second },
    positions: { p1, p2 },
    fileKey,
  };
}
