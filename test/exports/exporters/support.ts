import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Knex } from 'knex';
import type {
  Column,
  ColumnType,
  ExportContext,
  ExportEvent,
  Exporter,
  Table,
} from '../../../src/modules/exports/exporters/define';
import type { Express } from 'express';
import request from 'supertest';
import type { Db } from '../../../src/platform/db';
import type { TestContext } from '../../support/app';
import { makeTeamWithToken } from '../../support/factories';
import { readXlsx, type Cell as FileCell } from '../files';
import {
  createExportsContext,
  download as downloadExport,
  startTestWorker,
  type TestWorker,
} from '../support';

/**
 * Exporter tests see each table twice: built directly (the ExportContext as the contract describes it:
 * read-only REPEATABLE READ snapshot, session TimeZone = the exporter's, inputs resolved with the fields' own
 * defaults; the columns selected and formatted as CSV shows them), so tests can assert on the data cell by
 * cell; and through the API (useExportHarness), where the downloaded file must hold exactly that table.
 */

function cell(column: Column): string {
  const x = `(${typeof column.sql === 'string' ? column.sql : column.sql.toQuery()})`;
  switch (column.type) {
    case 'text':
      return `${x}::text`;
    case 'integer':
      return `${x}::bigint`;
    case 'decimal':
      return `${x}::numeric::text`;
    case 'datetime':
      return `to_char(${x}, 'YYYY-MM-DD HH24:MI:SS')`;
    case 'date':
      return `to_char(${x}::date, 'YYYY-MM-DD')`;
    case 'boolean':
      return `CASE WHEN ${x} THEN 'Yes' ELSE 'No' END`;
  }
}

export type Cell = string | number | null;

export interface RunOptions {
  /** Events in scope (event level: exactly one). */
  eventIds: number[];
  level?: 'event' | 'organizer';
  input?: Record<string, unknown>;
  now?: Date;
}

async function withContext<T>(
  db: Db,
  exporter: Exporter,
  options: RunOptions,
  use: (ctx: ExportContext<Record<string, unknown>>) => Promise<T>,
): Promise<T> {
  return db.transaction(
    async (trx) => {
      const events: ExportEvent[] = await trx('events')
        .whereIn('id', options.eventIds)
        .orderBy('slug')
        .select('id', 'slug', 'name', 'currency', 'timezone', 'date_from', 'date_to');
      const first = events[0];
      const organizer = await trx('organizers')
        .where('id', first ? trx('events').where('id', first.id).select('organizer_id') : 0)
        .first('id', 'slug', 'name');
      const level = options.level ?? exporter.scope;
      const event = level === 'event' ? (first ?? null) : null;
      const timezone = first?.timezone ?? 'UTC';
      await trx.raw("SELECT set_config('TimeZone', ?, true)", [timezone]);
      const now = options.now ?? new Date();
      const input: Record<string, unknown> = {};
      for (const [name, field] of exporter.fields) {
        const given = options.input ?? {};
        const value = name in given ? given[name] : (field.default ?? null);
        input[name] = field.resolve(value, { timezone, now });
      }
      return use({
        db: trx,
        level,
        organizer,
        event,
        events,
        eventIds: events.map((e) => Number(e.id)),
        slug: event?.slug ?? organizer.slug,
        timezone,
        input,
        siteUrl: 'http://tixport.test',
        now,
        progress: async () => undefined,
      });
    },
    { isolationLevel: 'repeatable read', readOnly: true },
  );
}

async function tableRows(trx: Knex, table: Table): Promise<Cell[][]> {
  const selects = table.columns.map((column, i) => trx.raw(`${cell(column)} AS c${i}`));
  const rows = (await table.query.clone().clearSelect().select(selects)) as Record<string, Cell>[];
  return rows.map((row) => table.columns.map((_, i) => row[`c${i}`] ?? null));
}

export interface TableResult {
  filename: string;
  headers: string[];
  types: ColumnType[];
  rows: Cell[][];
}

/** Runs a list exporter (or one sheet of a multi-sheet exporter) and returns its headers and rows. */
export async function runTable(db: Db, exporter: Exporter, options: RunOptions): Promise<TableResult> {
  return withContext(db, exporter, options, async (ctx) => {
    const output = exporter.output;
    if (output.type !== 'list') throw new Error(`${exporter.identifier} is not a list exporter`);
    const table = await output.sheet(ctx as never);
    return {
      filename: await exporter.filename(ctx as never),
      headers: table.columns.map((c) => c.header),
      types: table.columns.map((c) => c.type),
      rows: await tableRows(ctx.db, table),
    };
  });
}

/** Runs a file exporter into memory (tests only; the exporter itself streams). */
export async function runFile(
  db: Db,
  exporter: Exporter,
  options: RunOptions,
): Promise<{ filename: string; body: string; writes: number }> {
  return withContext(db, exporter, options, async (ctx) => {
    const output = exporter.output;
    if (output.type !== 'file') throw new Error(`${exporter.identifier} is not a file exporter`);
    const chunks: Buffer[] = [];
    const sink = new Writable({
      highWaterMark: 64,
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    await output.write(ctx as never, sink);
    return {
      filename: `${await exporter.filename(ctx as never)}.${output.extension}`,
      body: Buffer.concat(chunks).toString('utf8'),
      writes: chunks.length,
    };
  });
}

/** Rows as objects keyed by header (the later of duplicate headers is suffixed with #2). */
export function keyed(result: TableResult): Record<string, Cell>[] {
  const keys = result.headers.map((h, i) => (result.headers.indexOf(h) === i ? h : `${h}#2`));
  return result.rows.map((row) => Object.fromEntries(keys.map((k, i) => [k, row[i] ?? null])));
}

export const code = () => randomBytes(4).toString('hex').toUpperCase().slice(0, 5);

/** Ticketing data written straight into the tables (the orders API is built elsewhere). */
export class Seed {
  constructor(private readonly db: Db) {}

  private async insert<T = { id: number }>(table: string, row: Record<string, unknown>): Promise<T> {
    const [created] = await this.db(table).insert(row).returning('*');
    return created as T;
  }

  category(eventId: number, name: Record<string, string>, extra: Record<string, unknown> = {}) {
    return this.insert('item_categories', { event_id: eventId, name: JSON.stringify(name), ...extra });
  }

  item(eventId: number, name: Record<string, string>, extra: Record<string, unknown> = {}) {
    return this.insert('items', { event_id: eventId, name: JSON.stringify(name), ...extra });
  }

  variation(itemId: number, value: Record<string, string>, extra: Record<string, unknown> = {}) {
    return this.insert('item_variations', { item_id: itemId, value: JSON.stringify(value), ...extra });
  }

  question(eventId: number, text: string, type: string, extra: Record<string, unknown> = {}) {
    return this.insert('questions', {
      event_id: eventId,
      question: JSON.stringify({ en: text }),
      identifier: code(),
      type,
      ...extra,
    });
  }

  option(questionId: number, answer: string, position = 0) {
    return this.insert('question_options', {
      question_id: questionId,
      identifier: code(),
      answer: JSON.stringify({ en: answer }),
      position,
    });
  }

  async answer(positionId: number, questionId: number, answer: string, optionIds: number[] = []) {
    const row = await this.insert('question_answers', {
      orderposition_id: positionId,
      question_id: questionId,
      answer,
    });
    for (const optionId of optionIds)
      await this.db('question_answer_options').insert({ answer_id: row.id, option_id: optionId });
    return row;
  }

  quota(eventId: number, name: string, size: number | null, items: number[] = [], variations: number[] = []) {
    return this.insert('quotas', { event_id: eventId, name, size }).then(async (quota) => {
      for (const itemId of items)
        await this.db('quota_items').insert({ quota_id: quota.id, item_id: itemId });
      for (const variationId of variations)
        await this.db('quota_variations').insert({ quota_id: quota.id, variation_id: variationId });
      return quota;
    });
  }

  order(eventId: number, fields: Record<string, unknown> = {}) {
    return this.insert<{ id: number; code: string }>('orders', {
      event_id: eventId,
      code: code(),
      status: 'p',
      secret: randomBytes(8).toString('hex'),
      datetime: '2030-01-15T09:30:00Z',
      expires: '2030-01-29T09:30:00Z',
      total: '0.00',
      ...fields,
    });
  }

  position(orderId: number, itemId: number, positionid: number, fields: Record<string, unknown> = {}) {
    return this.insert('order_positions', {
      order_id: orderId,
      item_id: itemId,
      positionid,
      price: '0.00',
      secret: randomBytes(8).toString('hex'),
      pseudonymization_id: code(),
      ...fields,
    });
  }

  fee(orderId: number, fields: Record<string, unknown>) {
    return this.insert('order_fees', { order_id: orderId, ...fields });
  }

  invoiceAddress(orderId: number, fields: Record<string, unknown>) {
    return this.insert('invoice_addresses', { order_id: orderId, ...fields });
  }

  payment(orderId: number, localId: number, fields: Record<string, unknown>) {
    return this.insert('order_payments', { order_id: orderId, local_id: localId, ...fields });
  }

  refund(orderId: number, localId: number, fields: Record<string, unknown>) {
    return this.insert('order_refunds', { order_id: orderId, local_id: localId, ...fields });
  }

  checkinList(eventId: number, name: string, fields: Record<string, unknown> = {}, items: number[] = []) {
    return this.insert('checkin_lists', { event_id: eventId, name, ...fields }).then(async (list) => {
      for (const itemId of items)
        await this.db('checkin_list_items').insert({ list_id: list.id, item_id: itemId });
      return list;
    });
  }

  checkin(positionId: number, listId: number, datetime: string, fields: Record<string, unknown> = {}) {
    return this.insert('checkins', { position_id: positionId, list_id: listId, datetime, ...fields });
  }

  waitingListEntry(eventId: number, itemId: number, fields: Record<string, unknown>) {
    return this.insert('waiting_list_entries', { event_id: eventId, item_id: itemId, ...fields });
  }
}

/** What an xlsx cell holds for a table cell of the given type (the renderer's typed cells). */
export function xlsxValue(type: ColumnType, cell: Cell): unknown {
  if (cell === null || cell === '') return null;
  if (type === 'decimal') return Number(cell);
  if (type === 'datetime') return new Date(`${String(cell).replace(' ', 'T')}Z`).toISOString();
  if (type === 'date') return new Date(`${String(cell)}T00:00:00Z`).toISOString();
  if (type === 'text') return neutralised(String(cell));
  return cell;
}

/** A value read back from xlsx, comparable with xlsxValue (empty text reads as null). */
export const fromXlsx = (value: FileCell): unknown =>
  value instanceof Date ? value.toISOString() : value === '' ? null : value;

/** Text as the pipeline writes it: formula-looking cells get a leading apostrophe. */
export const neutralised = (text: string): string => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/** POST …/run/ (expecting 202), then polls the download URL until the file is there (expecting 200). */
export async function runExport(app: Express, runPath: string, body: object, authorization: string) {
  const run = await request(app).post(runPath).set('Authorization', authorization).send(body);
  expect(run.status).toBe(202);
  const res = await downloadExport(app, run.body.download, authorization);
  expect(res.status).toBe(200);
  return res;
}

export interface Harness {
  ctx: TestContext;
  db: Db;
  seed: Seed;
  /**
   * Runs a list exporter twice: its table directly (returned, for assertions on the data) and through the API
   * (POST …/run/ as xlsx on the real worker, downloaded and parsed back), asserting that the file holds exactly
   * the table: file name, sheet name, headers and every typed cell.
   */
  run(exporter: Exporter, options: RunOptions): Promise<TableResult>;
  /** The same for a file exporter: the downloaded file must equal the directly written one byte for byte. */
  runFile(
    exporter: Exporter,
    options: RunOptions,
  ): Promise<{ filename: string; body: string; writes: number }>;
}

/**
 * The run's database, the real app and an exports worker for one test file (registers beforeAll/afterAll;
 * call it at the top of the file, before the file's own beforeAll that seeds data).
 */
export function useExportHarness(): Harness {
  let worker: TestWorker | undefined;
  const tokens = new Map<number, string>();
  const harness = {} as Harness;

  async function download(exporter: Exporter, options: RunOptions): Promise<request.Response> {
    const { db, ctx } = harness;
    const events = await db('events')
      .whereIn('id', options.eventIds)
      .orderBy('slug')
      .select('slug', 'organizer_id');
    const organizer = await db('organizers').where('id', events[0]!.organizer_id).first('id', 'slug');
    if (!tokens.has(organizer.id)) {
      const team = await makeTeamWithToken(db, organizer.id, { permissions: ['can_view_orders'] });
      tokens.set(organizer.id, team.authorization);
    }
    const authorization = tokens.get(organizer.id)!;
    const base =
      exporter.scope === 'event'
        ? `/api/v1/organizers/${organizer.slug}/events/${events[0]!.slug}/exporters`
        : `/api/v1/organizers/${organizer.slug}/exporters`;
    const body = {
      ...(exporter.output.type === 'file' ? {} : { _format: 'xlsx' }),
      ...(exporter.scope === 'organizer' ? { events: events.map((e) => e.slug) } : {}),
      ...options.input,
    };
    return runExport(ctx.app, `${base}/${exporter.identifier}/run/`, body, authorization);
  }

  beforeAll(() => {
    harness.ctx = createExportsContext({ EXPORT_MAX_ACTIVE_PER_CLIENT: '50' });
    worker = startTestWorker(harness.ctx);
    harness.db = harness.ctx.runtime.db;
    harness.seed = new Seed(harness.db);
    harness.run = async (exporter, options) => {
      const expected = await runTable(harness.db, exporter, options);
      const res = await download(exporter, options);
      expect(res.headers['content-disposition']).toBe(`attachment; filename="${expected.filename}.xlsx"`);
      const sheets = await readXlsx(res.body);
      expect([...sheets.keys()]).toEqual([exporter.verboseName.slice(0, 30)]);
      const [header, ...rows] = [...sheets.values()][0]!;
      expect(header).toEqual(expected.headers);
      expect(rows.map((row) => row.map(fromXlsx))).toEqual(
        expected.rows.map((row) => row.map((cell, i) => xlsxValue(expected.types[i]!, cell))),
      );
      return expected;
    };
    harness.runFile = async (exporter, options) => {
      const expected = await runFile(harness.db, exporter, options);
      const res = await download(exporter, options);
      expect(res.headers['content-disposition']).toBe(`attachment; filename="${expected.filename}"`);
      expect(res.body.toString('utf8')).toBe(expected.body);
      return expected;
    };
  });
  afterAll(async () => {
    await worker?.stop();
    await harness.ctx?.close();
  });
  return harness;
}
