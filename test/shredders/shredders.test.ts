import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { answerUploadKey } from '../../src/modules/questions/answers';
import { eventFingerprint } from '../../src/modules/shredders/fingerprint';
import { CHANGED_MESSAGE, shredStep } from '../../src/modules/shredders/shredders.steps';
import { createLogger } from '../../src/platform/logger';
import { SHREDDERS } from '../../src/modules/shredders/shredders/index';
import type { Db } from '../../src/platform/db';
import { FsStorage } from '../../src/platform/storage';
import { formatDateTime } from '../../src/shared/api-datetime';
import { waitFor } from '../exports/support';
import { createTestContext, type TestContext } from '../support/app';
import { diff, dryErase, erase, jsonIn, seedShredEvent, shredZip, snapshot, type Snapshot } from './support';

let ctx: TestContext;
let db: Db;
let storage: FsStorage;
let control: Awaited<ReturnType<typeof seedShredEvent>>;
let controlBefore: Snapshot;

beforeAll(async () => {
  ctx = createTestContext();
  db = ctx.runtime.db;
  storage = new FsStorage(mkdtempSync(path.join(tmpdir(), 'tixport-shred-')));
  control = await seedShredEvent(db, storage);
  controlBefore = await snapshot(db, control.event.id);
});
afterAll(async () => {
  await ctx.close();
});

/** Seeds an event, takes the shredder's ZIP, counts dry, erases, and returns what changed. */
async function shredOne(identifier: string) {
  const seeded = await seedShredEvent(db, storage);
  const zip = await shredZip(db, storage, seeded.event, [identifier]);
  const before = await snapshot(db, seeded.event.id);
  const dry = await dryErase(db, identifier, seeded.event.id);
  expect(diff(before, await snapshot(db, seeded.event.id))).toEqual({});
  const erased = await erase(db, identifier, seeded.event.id);
  const changes = diff(before, await snapshot(db, seeded.event.id));
  // The dry run reported exactly what the erasure then did.
  expect(erased).toEqual(dry);
  // Erasing again finds nothing left to erase.
  const again = await dryErase(db, identifier, seeded.event.id);
  expect({ rows: again.rows, fields: again.fields, deleted: again.deleted }).toEqual({
    rows: 0,
    fields: 0,
    deleted: 0,
  });
  return { ...seeded, zip, before, erased, changes };
}

const id = (row: { id: number }) => String(row.id);

describe('the shredder registry', () => {
  test('holds pretix’s nine built-in shredders, sorted by name', () => {
    expect(SHREDDERS.map((s) => [s.identifier, s.verboseName])).toEqual([
      ['attendee_info', 'Attendee info'],
      ['cachedtickets', 'Cached ticket files'],
      ['order_emails', 'Emails'],
      ['invoice_addresses', 'Invoice addresses'],
      ['invoices', 'Invoices'],
      ['payment_info', 'Payment information'],
      ['phone_numbers', 'Phone numbers'],
      ['question_answers', 'Question answers'],
      ['waiting_list', 'Waiting list'],
    ]);
  });
});

describe('attendee_info', () => {
  test('exports name and address of every position, then clears name, company, street, zipcode and city', async () => {
    const { zip, orders, positions, erased, changes } = await shredOne('attendee_info');
    const none = {
      name: null,
      company: null,
      street: null,
      zipcode: null,
      city: null,
      country: null,
      state: null,
    };
    expect(await jsonIn(zip, 'attendee-info.json')).toEqual({
      [`${orders.first.code}-1`]: {
        name: 'Anna Ärger',
        company: 'ACME',
        street: 'Hauptstr. 1',
        zipcode: '10115',
        city: 'Berlin',
        country: 'DE',
        state: 'BE',
      },
      [`${orders.first.code}-2`]: { ...none, name: 'Bob' },
      [`${orders.second.code}-1`]: none,
    });
    // Written as pretix writes JSON: four-space indent, non-ASCII escaped.
    const text = await zip.file('attendee-info.json')!.async('string');
    expect(text).toContain(`{\n    "${orders.first.code}-1": {\n        "name": "Anna \\u00c4rger",`);
    expect(erased).toEqual({ rows: 2, fields: 8, deleted: 0, files: 0, fileKeys: [] });
    expect(changes).toEqual({
      order_positions: {
        changed: [
          {
            key: id(positions.p1),
            attendee_name_cached: ['Anna Ärger', null],
            attendee_name_parts: [{ given_name: 'Anna', family_name: 'Ärger' }, { _shredded: true }],
            company: ['ACME', null],
            street: ['Hauptstr. 1', null],
            zipcode: ['10115', null],
            city: ['Berlin', null],
          },
          {
            key: id(positions.p2),
            attendee_name_cached: ['Bob', null],
            attendee_name_parts: [{}, { _shredded: true }],
          },
        ],
      },
    });
  });
});

describe('order_emails', () => {
  test('exports order and attendee emails, then nulls both', async () => {
    const { zip, orders, positions, erased, changes } = await shredOne('order_emails');
    expect(await jsonIn(zip, 'emails-by-order.json')).toEqual({ [orders.first.code]: 'anna@example.org' });
    expect(await jsonIn(zip, 'emails-by-attendee.json')).toEqual({
      [`${orders.first.code}-1`]: 'anna.att@example.org',
    });
    expect(erased).toEqual({ rows: 2, fields: 2, deleted: 0, files: 0, fileKeys: [] });
    expect(changes).toEqual({
      orders: { changed: [{ key: id(orders.first), email: ['anna@example.org', null] }] },
      order_positions: {
        changed: [{ key: id(positions.p1), attendee_email: ['anna.att@example.org', null] }],
      },
    });
  });
});

describe('phone_numbers', () => {
  test('exports the orders’ phone numbers, then nulls them', async () => {
    const { zip, orders, erased, changes } = await shredOne('phone_numbers');
    expect(await jsonIn(zip, 'phone-by-order.json')).toEqual({ [orders.first.code]: '+49 30 1234567' });
    expect(erased).toEqual({ rows: 1, fields: 1, deleted: 0, files: 0, fileKeys: [] });
    expect(changes).toEqual({
      orders: { changed: [{ key: id(orders.first), phone: ['+49 30 1234567', null] }] },
    });
  });
});

describe('invoice_addresses', () => {
  test('exports each address as the API shows it, then deletes the rows', async () => {
    const { zip, orders, before, erased, changes } = await shredOne('invoice_addresses');
    const stored = before.invoice_addresses![0]!;
    expect(await jsonIn(zip, 'invoice-addresses.json')).toEqual({
      [orders.first.code]: {
        last_modified: formatDateTime(stored.last_modified as Date),
        is_business: false,
        company: 'ACME GmbH',
        name: 'Anna Ärger',
        name_parts: { given_name: 'Anna', family_name: 'Ärger' },
        street: 'Hauptstr. 1',
        zipcode: '10115',
        city: 'Berlin',
        country: 'DE',
        state: '',
        vat_id: 'DE123',
        vat_id_validated: false,
        internal_reference: '',
      },
    });
    expect(erased).toEqual({ rows: 0, fields: 0, deleted: 1, files: 0, fileKeys: [] });
    expect(changes).toEqual({ invoice_addresses: { deleted: [id(orders.first)] } });
  });
});

describe('question_answers', () => {
  test('exports every position’s answers and the uploaded files, then deletes the answers and the files', async () => {
    const { zip, orders, questions, options, before, erased, changes, fileKey } =
      await shredOne('question_answers');
    const answer = (questionId: number, text: string, chosen: { id: number; identifier: string }[] = []) => ({
      question: questionId,
      answer: text,
      question_identifier: [questions.text, questions.choice, questions.upload].find(
        (q) => q.id === questionId,
      )!.identifier,
      options: chosen.map((o) => o.id),
      option_identifiers: chosen.map((o) => o.identifier),
    });
    const { large, small } = options;
    expect(await jsonIn(zip, 'question-answers.json')).toEqual({
      [`${orders.first.code}-1`]: [
        answer(questions.text.id, 'vegan'),
        answer(questions.choice.id, 'L', [large]),
        answer(questions.upload.id, `file:${fileKey}`),
      ],
      [`${orders.first.code}-2`]: [answer(questions.choice.id, 'S', [small])],
      [`${orders.second.code}-1`]: [],
    });
    const uploadIdentifier = questions.upload.identifier;
    const upload = zip.file(`${orders.first.code}-1-${uploadIdentifier}-${fileKey}`);
    expect(await upload!.async('string')).toBe('JPEG bytes of a student ID');
    expect(erased).toEqual({
      rows: 0,
      fields: 0,
      deleted: 4,
      files: 1,
      fileKeys: [answerUploadKey(fileKey)],
    });
    expect(changes).toEqual({
      question_answers: { deleted: before.question_answers!.map((row) => String(row.id)) },
      question_answer_options: {
        deleted: before.question_answer_options!.map(
          (row) => `${String(row.answer_id)}/${String(row.option_id)}`,
        ),
      },
    });
  });

  test('an uploaded file storage no longer has is listed in index.json instead of failing the export', async () => {
    const seeded = await seedShredEvent(db, storage);
    await storage.delete(answerUploadKey(seeded.fileKey));
    const zip = await shredZip(db, storage, seeded.event, ['question_answers']);
    const uploadIdentifier = seeded.questions.upload.identifier;
    expect(await jsonIn(zip, 'index.json')).toMatchObject({
      missing_files: [`${seeded.orders.first.code}-1-${uploadIdentifier}-${seeded.fileKey}`],
    });
  });
});

describe('waiting_list', () => {
  test('exports the entries as the API shows them, then blanks name, email and phone', async () => {
    const { zip, before, erased, changes } = await shredOne('waiting_list');
    const [dora, emil] = before.waiting_list_entries! as { id: number; created: Date; item_id: number }[];
    const entry = (row: { id: number; created: Date; item_id: number }, fields: Record<string, unknown>) => ({
      id: row.id,
      created: formatDateTime(row.created),
      name: null,
      name_parts: {},
      email: null,
      phone: null,
      voucher_code: null,
      voucher_state: null,
      item: row.item_id,
      variation: null,
      locale: 'en',
      subevent: null,
      priority: 0,
      ...fields,
    });
    expect(await jsonIn(zip, 'waiting-list.json')).toEqual([
      entry(dora!, {
        name: 'Dora',
        name_parts: { _legacy: 'Dora' },
        email: 'dora@example.org',
        phone: '+49 40 555',
        priority: 1,
      }),
      entry(emil!, { email: 'emil@example.org' }),
    ]);
    expect(erased).toEqual({ rows: 2, fields: 7, deleted: 0, files: 0, fileKeys: [] });
    expect(changes).toEqual({
      waiting_list_entries: {
        changed: [
          {
            key: id(dora!),
            email: ['dora@example.org', '█'],
            name_cached: ['Dora', null],
            name_parts: [{ _legacy: 'Dora' }, { _shredded: true }],
            phone: ['+49 40 555', '█'],
          },
          {
            key: id(emil!),
            email: ['emil@example.org', '█'],
            name_parts: [{}, { _shredded: true }],
            phone: [null, '█'],
          },
        ],
      },
    });
  });
});

describe('payment_info', () => {
  test('offers no download; blanks bank-transfer reference and payer and empties other providers’ details', async () => {
    const { zip, before, erased, changes } = await shredOne('payment_info');
    expect(Object.keys(zip.files).sort()).toEqual(['CONFIRM_CODE.txt', 'index.json']);
    const [transfer, stripe] = before.order_payments! as { id: number }[];
    const [refund] = before.order_refunds! as { id: number }[];
    expect(erased).toEqual({ rows: 3, fields: 3, deleted: 0, files: 0, fileKeys: [] });
    expect(changes).toEqual({
      order_payments: {
        changed: [
          {
            key: id(transfer!),
            info: [
              { iban: 'DE02120300000000202051', payer: 'Anna Ärger', reference: expect.any(String) },
              { iban: 'DE02120300000000202051', payer: '█', reference: '█', _shredded: true },
            ],
          },
          { key: id(stripe!), info: [{ id: 'pi_1', card: { last4: '4242', holder: 'Carl' } }, {}] },
        ],
      },
      order_refunds: {
        changed: [
          {
            key: id(refund!),
            info: [
              { payer: 'Anna Ärger', send_invoice_to: 'anna@example.org' },
              { payer: '█', reference: '█', send_invoice_to: '█', _shredded: true },
            ],
          },
        ],
      },
    });
  });
});

describe.each(['cachedtickets', 'invoices'])('%s', (identifier) => {
  test('is present but exports and erases nothing (tixport keeps no such files)', async () => {
    const { zip, erased, changes } = await shredOne(identifier);
    expect(Object.keys(zip.files).sort()).toEqual(['CONFIRM_CODE.txt', 'index.json']);
    expect(erased).toEqual({ rows: 0, fields: 0, deleted: 0, files: 0, fileKeys: [] });
    expect(changes).toEqual({});
  });
});

describe('the ZIP', () => {
  test('holds CONFIRM_CODE.txt and index.json with organizer, event, time, shredders and confirm code', async () => {
    const seeded = await seedShredEvent(db, storage);
    const zip = await shredZip(db, storage, seeded.event, ['phone_numbers', 'order_emails']);
    expect(await zip.file('CONFIRM_CODE.txt')!.async('string')).toBe('ABC123');
    expect(await jsonIn(zip, 'index.json')).toEqual({
      instance: 'http://tixport.test',
      organizer: 'org',
      event: seeded.event.slug,
      time: '2026-12-04T12:00:00Z',
      shredders: ['phone_numbers', 'order_emails'],
      confirm_code: 'ABC123',
    });
    expect(Object.keys(zip.files).sort()).toEqual([
      'CONFIRM_CODE.txt',
      'emails-by-attendee.json',
      'emails-by-order.json',
      'index.json',
      'phone-by-order.json',
    ]);
  });
});

describe('the shred step', () => {
  /** An audit row as the export step leaves it, pointing at a shred run, with the fingerprint of now. */
  async function pendingShred(eventId: number, organizerId: number, shredders: string[]) {
    const fingerprint = await db.transaction((trx) => eventFingerprint(trx, eventId), {
      isolationLevel: 'repeatable read',
    });
    const shredRunId = randomUUID();
    await db('shred_runs').insert({
      id: randomUUID(),
      organizer_id: organizerId,
      event_id: eventId,
      principal_key: 'token:0',
      shredders,
      export_run_id: randomUUID(),
      export_job_id: randomUUID(),
      shred_run_id: shredRunId,
      shred_job_id: randomUUID(),
      confirm_code: 'ABC123',
      status: 'shredding',
      fingerprint,
    });
    return shredRunId;
  }
  const deps = () => ({
    db,
    storage,
    logger: createLogger('silent', 'test'),
    siteUrl: 'http://tixport.test',
  });

  test('a change committed while the shred runs, to a row it erases, aborts the whole shred', async () => {
    const seeded = await seedShredEvent(db, storage);
    const shredRunId = await pendingShred(seeded.event.id, seeded.organizer.id, [
      'attendee_info',
      'order_emails',
    ]);
    const before = await snapshot(db, seeded.event.id);
    const blocker = await db.transaction();
    try {
      const { rows } = await blocker.raw('SELECT pg_backend_pid() AS pid');
      const blockerPid = (rows as { pid: number }[])[0]!.pid;
      await blocker('orders').where('id', seeded.orders.first.id).update({ comment: 'changed meanwhile' });
      const shred = shredStep(deps(), shredRunId, async () => undefined);
      shred.catch(() => undefined);
      // The shred has taken its snapshot (the change is not committed yet, so the fingerprint matches), erased
      // attendee info, and now waits for the order row.
      await waitFor('the shred to wait for the row', async () => {
        const waiting = await db.raw(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))',
          [blockerPid],
        );
        return (waiting as { rows: { n: number }[] }).rows[0]!.n > 0 ? true : undefined;
      });
      await blocker.commit();
      await expect(shred).rejects.toThrow(CHANGED_MESSAGE);
    } finally {
      if (!blocker.isCompleted()) await blocker.rollback();
    }
    expect(diff(before, await snapshot(db, seeded.event.id))).toEqual({
      orders: { changed: [{ key: id(seeded.orders.first), comment: ['', 'changed meanwhile'] }] },
    });
    expect((await db('shred_runs').where('shred_run_id', shredRunId).first()).status).toBe('shredding');
  });

  test('a retry after a committed shred changes nothing and succeeds', async () => {
    const seeded = await seedShredEvent(db, storage);
    const shredRunId = await pendingShred(seeded.event.id, seeded.organizer.id, ['phone_numbers']);
    const first = await shredStep(deps(), shredRunId, async () => undefined);
    expect(first.erased_counts).toEqual({ phone_numbers: { rows: 1, fields: 1, deleted: 0, files: 0 } });
    const after = await snapshot(db, seeded.event.id);
    const again = await shredStep(deps(), shredRunId, async () => undefined);
    expect(again.status).toBe('shredded');
    expect(diff(after, await snapshot(db, seeded.event.id))).toEqual({});
  });
});

test('no shredder touched another event', async () => {
  expect(diff(controlBefore, await snapshot(db, control.event.id))).toEqual({});
});
