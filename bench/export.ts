/**
 * `npm run bench:export`: export speed and memory at 100k and 1M order positions (not a test).
 *
 * Seeds (once) two events with 100,000 and 1,000,000 positions in BENCH_DATABASE_URL, then runs, each in a
 * fresh child process so that every run's peak RSS is its own:
 *   copy  – Postgres `COPY (the positions query) TO STDOUT CSV` into a file (the floor);
 *   csv   – the tixport positions CSV export through the worker code path (ExportRunner: job row, COPY with
 *           formatting and formula escaping in SQL, hashing, storage write, commit);
 *   xlsx  – the positions sheet through the xlsx renderer (cursor → exceljs streaming writer) into a file;
 *   openpyxl – for scale, Python's openpyxl in write-only mode on the same rows (BENCH_MODES=…,openpyxl; needs
 *           `pip install openpyxl`; only its writing is timed, RSS not measured).
 * Prints seconds, rows/s and peak RSS per run, and the ratios the issue sets as targets.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { to as copyTo } from 'pg-copy-streams';
import { loadConfig } from '../src/config';
import { orderlistEvent } from '../src/modules/exports/exporters/orderlist';
import type { AnyExportContext, SheetSpec, Table } from '../src/modules/exports/exporters/define';
import { ExportsRepository } from '../src/modules/exports/exports.repository';
import { ExportRunner } from '../src/modules/exports/exports.runner';
import { writeXlsx } from '../src/modules/exports/render/xlsx';
import { columnExpression } from '../src/modules/exports/render/sql';
import { connectionOf } from '../src/modules/exports/render/stream';
import { createDb, ensureDatabase, migrateLatest, type Db } from '../src/platform/db';
import { createLogger } from '../src/platform/logger';
import { FsStorage } from '../src/platform/storage';

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tixport_bench';
const SIZES = (process.env.BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
const MODES = (process.env.BENCH_MODES ?? 'copy,csv,xlsx').split(',');

interface Result {
  mode: string;
  positions: number;
  seconds: number;
  bytes: number;
  maxRssMb: number;
}

/** One event with `positions` positions (two per order), inserted set-wise by Postgres itself. */
async function seed(db: Db, positions: number): Promise<{ eventId: number; organizerId: number }> {
  const slug = `bench${positions}`;
  const existing = await db('events').where('slug', slug).first();
  if (existing) {
    const count = await db('order_positions as op')
      .join('orders as o', 'o.id', 'op.order_id')
      .where('o.event_id', existing.id)
      .count<{ count: number }>({ count: '*' })
      .first();
    if (Number(count?.count) === positions)
      return { eventId: existing.id, organizerId: existing.organizer_id };
    await db('events').where('id', existing.id).delete();
  }
  let organizer = await db('organizers').where('slug', 'bench').first();
  if (!organizer)
    [organizer] = await db('organizers').insert({ slug: 'bench', name: 'Bench' }).returning('*');
  const [event] = await db('events')
    .insert({
      organizer_id: organizer.id,
      slug,
      name: JSON.stringify({ en: `Bench ${positions}` }),
      date_from: '2030-06-01T10:00:00Z',
      timezone: 'Europe/Berlin',
    })
    .returning('*');
  const [ticket] = await db('items')
    .insert({
      event_id: event.id,
      name: JSON.stringify({ en: 'Ticket' }),
      default_price: '23.00',
      tax_rate: '19',
    })
    .returning('*');
  const [shirt] = await db('items')
    .insert({
      event_id: event.id,
      name: JSON.stringify({ en: 'T-Shirt' }),
      default_price: '10.00',
      tax_rate: '7',
    })
    .returning('*');
  const orders = positions / 2;
  await db.raw(
    `INSERT INTO orders (event_id, code, status, secret, email, phone, datetime, expires, total, comment)
     SELECT ?, lpad(upper(to_hex(g)), 8, '0'), CASE WHEN g % 10 = 0 THEN 'n' ELSE 'p' END,
            md5('s' || g), 'buyer' || g || '@example.org', '+4930' || g,
            timestamptz '2030-01-01 00:00Z' + g * interval '7 seconds', timestamptz '2030-03-01 00:00Z', 33.00,
            CASE WHEN g % 100 = 0 THEN '=cmd|calc' ELSE '' END
       FROM generate_series(1, ?) AS g`,
    [event.id, orders],
  );
  await db.raw(
    `INSERT INTO order_positions (order_id, positionid, item_id, price, tax_rate, tax_value, attendee_name_cached,
                                  attendee_email, secret, pseudonymization_id)
     SELECT o.id, p, CASE WHEN p = 1 THEN ?::bigint ELSE ?::bigint END, CASE WHEN p = 1 THEN 23.00 ELSE 10.00 END,
            CASE WHEN p = 1 THEN 19.00 ELSE 7.00 END, CASE WHEN p = 1 THEN 3.67 ELSE 0.65 END,
            'Attendee ' || o.id || '-' || p, 'attendee' || o.id || '-' || p || '@example.org',
            md5(o.id || '-' || p), upper(substr(md5('p' || o.id || p), 1, 10))
       FROM orders o CROSS JOIN generate_series(1, 2) AS p
      WHERE o.event_id = ?`,
    [ticket.id, shirt.id, event.id],
  );
  await db.raw('ANALYZE');
  return { eventId: event.id, organizerId: organizer.id };
}

/** The positions sheet of the event-level orderlist, built as the worker would (all orders, all positions). */
async function positionsTable(db: Db, eventId: number): Promise<{ table: Table; sheet: SheetSpec<never> }> {
  const output = orderlistEvent.output;
  if (output.type !== 'sheets') throw new Error('orderlist has sheets');
  const sheet = output.sheets.find((s) => s.name === 'positions')!;
  const event = await db('events').where('id', eventId).first();
  const organizer = await db('organizers').where('id', event.organizer_id).first();
  const ctx = {
    db,
    level: 'event',
    organizer,
    event,
    events: [event],
    eventIds: [eventId],
    slug: event.slug,
    timezone: event.timezone,
    input: {
      _format: 'positions:default',
      paid_only: false,
      include_payment_amounts: false,
      group_multiple_choice: false,
      date_range: null,
      event_date_range: null,
      items: [],
    },
    siteUrl: 'http://bench.test',
    now: new Date(),
    progress: async () => undefined,
  } as unknown as AnyExportContext;
  return { table: await sheet.build(ctx), sheet: sheet as SheetSpec<never> };
}

async function child(mode: string, positions: number): Promise<void> {
  const db = createDb(DATABASE_URL, 4);
  const out = mkdtempSync(path.join(tmpdir(), 'tixport-bench-'));
  const { eventId, organizerId } = await seed(db, positions);
  const started = process.hrtime.bigint();
  let bytes: number;
  if (mode === 'copy') {
    const { table } = await positionsTable(db, eventId);
    // The plain query: the same FROM/JOIN/WHERE/ORDER BY and column expressions, no tixport formatting.
    const select = table.query
      .clone()
      .clearSelect()
      .select(
        table.columns.map((c, i) =>
          db.raw(`${typeof c.sql === 'string' ? c.sql : c.sql.toQuery()} AS c${i}`),
        ),
      )
      .toQuery();
    const file = path.join(out, 'copy.csv');
    await db.transaction(async (trx) => {
      await trx.raw("SELECT set_config('TimeZone', 'Europe/Berlin', true)");
      const connection = await connectionOf(trx);
      await pipeline(
        connection.query(copyTo(`COPY (${select}) TO STDOUT WITH (FORMAT csv, HEADER)`)),
        createWriteStream(file),
      );
    });
    bytes = statSync(file).size;
  } else if (mode === 'openpyxl') {
    // The same rows as a CSV (not timed), then openpyxl's write-only workbook on them (timed by the script).
    const { table } = await positionsTable(db, eventId);
    const select = table.query
      .clone()
      .clearSelect()
      .select(table.columns.map((c, i) => db.raw(`${columnExpression(c, 'csv-minimal')} AS c${i}`)))
      .toQuery();
    const file = path.join(out, 'rows.csv');
    await db.transaction(async (trx) => {
      await trx.raw("SELECT set_config('TimeZone', 'Europe/Berlin', true)");
      const connection = await connectionOf(trx);
      await pipeline(
        connection.query(copyTo(`COPY (${select}) TO STDOUT WITH (FORMAT csv)`)),
        createWriteStream(file),
      );
    });
    const target = path.join(out, 'positions.xlsx');
    const seconds = execFileSync('python3', [
      path.join(__dirname, 'openpyxl-positions.py'),
      file,
      target,
    ]).toString();
    const result: Result = {
      mode,
      positions,
      seconds: Number(seconds.trim()),
      bytes: statSync(target).size,
      maxRssMb: 0,
    };
    rmSync(out, { recursive: true, force: true });
    await db.destroy();
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  } else if (mode === 'csv') {
    const config = loadConfig({ ...process.env, DATABASE_URL, STORAGE_DIR: out, LOG_LEVEL: 'warn' });
    const repository = new ExportsRepository(db);
    const id = randomUUID();
    await db('exports').insert({
      id,
      job_id: randomUUID(),
      level: 'event',
      organizer_id: organizerId,
      event_id: eventId,
      identifier: 'orderlist',
      input: JSON.stringify({
        _format: 'positions:default',
        paid_only: false,
        include_payment_amounts: false,
        group_multiple_choice: false,
        date_range: '/',
        event_date_range: '/',
        items: [],
      }),
      event_ids: [eventId],
      principal_key: 'bench',
      queue_prefix: 'bench',
      expires_at: new Date(Date.now() + 3600_000),
    });
    const runner = new ExportRunner({
      config,
      db,
      logger: createLogger('warn'),
      storage: new FsStorage(out),
      repository,
    });
    const outcome = await runner.run(id);
    if (outcome !== 'done') throw new Error(`export ${outcome}`);
    bytes = Number((await db('exports').where('id', id).first()).file_size);
    await db('exports').where('id', id).delete();
  } else {
    const { table } = await positionsTable(db, eventId);
    const file = path.join(out, 'positions.xlsx');
    const stream = createWriteStream(file);
    await db.transaction(
      async (trx) => {
        await trx.raw("SELECT set_config('TimeZone', 'Europe/Berlin', true)");
        await writeXlsx(
          trx,
          [{ label: 'Order positions', build: () => ({ ...table, query: table.query.clone() }) }],
          stream,
          async () => undefined,
        );
      },
      { isolationLevel: 'repeatable read', readOnly: true },
    );
    bytes = statSync(file).size;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rmSync(out, { recursive: true, force: true });
  await db.destroy();
  const result: Result = { mode, positions, seconds, bytes, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function main(): Promise<void> {
  await ensureDatabase(DATABASE_URL);
  const db = createDb(DATABASE_URL, 2);
  await migrateLatest(db);
  for (const size of SIZES) await seed(db, size);
  await db.destroy();

  const results: Result[] = [];
  for (const size of SIZES) {
    for (const mode of MODES) {
      const output = execFileSync(
        process.execPath,
        ['--import', 'tsx', __filename, '--child', mode, String(size)],
        {
          env: process.env,
          maxBuffer: 1 << 20,
        },
      ).toString();
      const result = JSON.parse(output.trim().split('\n').at(-1)!) as Result;
      results.push(result);
      process.stdout.write(
        `${mode.padEnd(5)} ${String(size).padStart(8)} positions: ${result.seconds.toFixed(2).padStart(7)} s, ` +
          `${Math.round(size / result.seconds).toLocaleString('en')} rows/s, ${(result.bytes / 1e6).toFixed(1)} MB, ` +
          `peak RSS ${result.maxRssMb > 0 ? `${result.maxRssMb.toFixed(0)} MB` : 'not measured'}\n`,
      );
    }
  }
  const find = (mode: string, size: number) => results.find((r) => r.mode === mode && r.positions === size);
  process.stdout.write('\n');
  for (const size of SIZES) {
    const copy = find('copy', size);
    const csv = find('csv', size);
    if (copy && csv)
      process.stdout.write(
        `CSV / COPY at ${size}: ${(csv.seconds / copy.seconds).toFixed(2)}× (target ≤ 1.5× at 1M)\n`,
      );
  }
  const [small, large] = [Math.min(...SIZES), Math.max(...SIZES)];
  for (const size of SIZES) {
    const xlsx = find('xlsx', size);
    const openpyxl = find('openpyxl', size);
    if (xlsx && openpyxl)
      process.stdout.write(
        `openpyxl / tixport xlsx at ${size}: ${(openpyxl.seconds / xlsx.seconds).toFixed(2)}× (target ≥ 2×)\n`,
      );
  }
  for (const mode of ['csv', 'xlsx']) {
    const a = find(mode, small);
    const b = find(mode, large);
    if (a && b && small !== large)
      process.stdout.write(
        `${mode} peak RSS ${large} vs ${small}: ${b.maxRssMb.toFixed(0)} MB vs ${a.maxRssMb.toFixed(0)} MB (+${((b.maxRssMb / a.maxRssMb - 1) * 100).toFixed(1)} %, target ≤ +15 % and < 300 MB)\n`,
      );
  }
}

if (process.argv[2] === '--child') {
  child(process.argv[3]!, Number(process.argv[4])).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
