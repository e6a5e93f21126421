/**
 * `npm run bench:export`: export speed and memory at 100k and 1M order positions (not a test).
 *
 * Seeds (once, with the real `demo:seed` command) two events of organizer `bench` with about 100,000 and
 * 1,000,000 positions (40,000 and 400,000 orders) in BENCH_DATABASE_URL, then runs, each in a fresh child process
 * so that every run's peak RSS is its own:
 *   copy  – Postgres `COPY (the positions query) TO STDOUT CSV` into a file (the floor);
 *   csv   – the tixport positions CSV export through the worker code path (RunRunner: job row, COPY with
 *           formatting and formula escaping in SQL, hashing, storage write, commit);
 *   xlsx  – the positions sheet through the xlsx renderer (cursor → exceljs streaming writer) into a file;
 *   openpyxl – for scale, Python's openpyxl in write-only mode on the same rows (run when python3 can import
 *           openpyxl: `pip install openpyxl`; only its writing is timed, peak RSS is the Python process's).
 * Prints seconds, rows/s and peak RSS per run, and the ratios the issue sets as targets.
 * BENCH_SIZES (nominal positions, default 100000,1000000) and BENCH_MODES (default all) pick a subset;
 * BENCH_TRACE=1 samples each run's memory once a second.
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
import { RunRunner } from '../src/modules/exports/exports.runner';
import { exporterProducerOf } from '../src/modules/exports/exporter-producer';
import { AccessService } from '../src/modules/access/access.service';
import { TeamsService } from '../src/modules/teams/teams.service';
import { TeamInput } from '../src/modules/teams/teams.schemas';
import { writeXlsx } from '../src/modules/exports/render/xlsx';
import { tableSql } from '../src/modules/exports/render/sql';
import { connectionOf } from '../src/modules/exports/render/stream';
import { createDb, ensureDatabase, migrateLatest, type Db } from '../src/platform/db';
import { createLogger } from '../src/platform/logger';
import { FsStorage } from '../src/platform/storage';

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tixport_bench';
const SIZES = (process.env.BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
const ORGANIZER = 'bench';
/** demo:seed makes about 2.5 positions per order (seed 1: 40,000 orders → 99,824 positions). */
const POSITIONS_PER_ORDER = 2.5;
/** BENCH_TRACE=1: every child prints its memory to stderr whenever its peak RSS rises (see traceMemory). */
const TRACE = process.env.BENCH_TRACE === '1';

function hasOpenpyxl(): boolean {
  try {
    execFileSync('python3', ['-c', 'import openpyxl'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The principal key of a token of an all-events team with `can_view_orders` in the bench organizer (created once,
 * through the teams service as the CLI does).
 */
async function benchTokenKey(db: Db, organizerId: number): Promise<string> {
  const name = 'bench exporters';
  const existing = await db('team_api_tokens as t')
    .join('teams', 'teams.id', 't.team_id')
    .where({ 'teams.organizer_id': organizerId, 't.name': name, 't.active': true })
    .first('t.id');
  if (existing) return `token:${existing.id}`;
  const teams = new TeamsService(db);
  const team = await teams.create(
    organizerId,
    TeamInput.parse({ name, all_events: true, can_view_orders: true }),
  );
  const token = await teams.createToken(team.id, name);
  return `token:${token.id}`;
}

interface Result {
  mode: string;
  /** The nominal size (BENCH_SIZES) and the positions the event really has. */
  size: number;
  positions: number;
  seconds: number;
  bytes: number;
  maxRssMb: number;
}

/** Nominal sizes get readable event slugs: 100000 → positions-100k, 1000000 → positions-1m. */
function eventSlug(positions: number): string {
  const label =
    positions % 1_000_000 === 0
      ? `${positions / 1_000_000}m`
      : positions % 1000 === 0
        ? `${positions / 1000}k`
        : String(positions);
  return `positions-${label}`;
}

interface BenchEvent {
  eventId: number;
  organizerId: number;
  /** The positions demo:seed actually made (about 2.5 per order, so close to, not exactly, the nominal size). */
  positions: number;
}

async function findEvent(db: Db, size: number): Promise<BenchEvent | undefined> {
  const event = await db('events as e')
    .join('organizers as o', 'o.id', 'e.organizer_id')
    .where({ 'o.slug': ORGANIZER, 'e.slug': eventSlug(size) })
    .first('e.id', 'e.organizer_id');
  if (!event) return undefined;
  const count = await db('order_positions as op')
    .join('orders as o', 'o.id', 'op.order_id')
    .where('o.event_id', event.id)
    .count<{ count: string }>({ count: '*' })
    .first();
  return {
    eventId: Number(event.id),
    organizerId: Number(event.organizer_id),
    positions: Number(count?.count),
  };
}

/**
 * One event of `size` nominal positions, filled by the real `demo:seed` command (seed 1, so every machine gets
 * the same rows). Seeded once: an event whose seeding finished (all its orders and, written last, its waiting
 * list) is reused; a half-seeded one (an interrupted run) is deleted and seeded again.
 */
async function ensureSeeded(db: Db, size: number): Promise<BenchEvent> {
  const orders = Math.round(size / POSITIONS_PER_ORDER);
  const existing = await findEvent(db, size);
  if (existing) {
    const orderCount = await db('orders')
      .where('event_id', existing.eventId)
      .count<{ count: string }>({ count: '*' })
      .first();
    const waiting = await db('waiting_list_entries').where('event_id', existing.eventId).first('id');
    if (Number(orderCount?.count) === orders && waiting) return existing;
    // Orders first: deleting the event alone would cascade to its items while positions still point at them.
    await db.transaction(async (trx) => {
      await trx('orders').where('event_id', existing.eventId).delete();
      await trx('events').where('id', existing.eventId).delete();
    });
  }
  process.stderr.write(`seeding ${eventSlug(size)}: demo:seed --orders ${orders} (once)\n`);
  execFileSync(
    'npm',
    [
      'run',
      '-s',
      'cli',
      '--',
      'demo:seed',
      '--organizer',
      ORGANIZER,
      '--event',
      eventSlug(size),
      '--orders',
      String(orders),
      '--seed',
      '1',
    ],
    {
      cwd: path.join(__dirname, '..'),
      env: { ...process.env, DATABASE_URL },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const seeded = await findEvent(db, size);
  if (!seeded) throw new Error(`demo:seed did not create ${eventSlug(size)}`);
  return seeded;
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

/** Postgres writes `select` as CSV into `file` inside a transaction in the exporter's time zone. */
async function copyToFile(db: Db, select: string, file: string): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw("SELECT set_config('TimeZone', 'Europe/Berlin', true)");
    const connection = await connectionOf(trx);
    await pipeline(
      connection.query(copyTo(`COPY (${select}) TO STDOUT WITH (FORMAT csv, HEADER)`)),
      createWriteStream(file),
    );
  });
}

/**
 * BENCH_TRACE=1: this run's memory to stderr, a line whenever the peak RSS rises (to see when a peak happens
 * and what it is made of: V8 heap or buffers) and at least once a second.
 */
function traceMemory(mode: string, size: number): () => void {
  if (!TRACE) return () => undefined;
  const started = Date.now();
  const mb = (bytes: number) => Math.round(bytes / 1048576);
  let peak = 0;
  let last = 0;
  const timer = setInterval(() => {
    const maxRss = process.resourceUsage().maxRSS * 1024;
    if (maxRss <= peak && Date.now() - last < 1000) return;
    const rose = maxRss > peak;
    [peak, last] = [maxRss, Date.now()];
    const m = process.memoryUsage();
    process.stderr.write(
      `trace ${mode} ${size} t=${((Date.now() - started) / 1000).toFixed(1)}s ${rose ? 'PEAK' : 'rss'}=${mb(maxRss)} rss=${mb(m.rss)} ` +
        `heapUsed=${mb(m.heapUsed)} heapTotal=${mb(m.heapTotal)} external=${mb(m.external)} ` +
        `arrayBuffers=${mb(m.arrayBuffers)}\n`,
    );
  }, 100);
  timer.unref();
  return () => clearInterval(timer);
}

async function child(mode: string, size: number): Promise<void> {
  const db = createDb(DATABASE_URL, 4);
  const out = mkdtempSync(path.join(tmpdir(), 'tixport-bench-'));
  const bench = await findEvent(db, size);
  if (!bench) throw new Error(`${eventSlug(size)} is not seeded`);
  const { eventId, organizerId, positions } = bench;
  const stopTrace = traceMemory(mode, size);
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
    await copyToFile(db, select, file);
    bytes = statSync(file).size;
  } else if (mode === 'openpyxl') {
    // The same rows as tixport's CSV (not timed), then openpyxl's write-only workbook on them. The script
    // streams the file and reports its writing time alone (a pass that only parses is subtracted).
    const { table } = await positionsTable(db, eventId);
    const file = path.join(out, 'rows.csv');
    await copyToFile(db, tableSql(db, table, 'csv-minimal'), file);
    const target = path.join(out, 'positions.xlsx');
    const report = JSON.parse(
      execFileSync('python3', [path.join(__dirname, 'openpyxl-positions.py'), file, target]).toString(),
    ) as { seconds: number; max_rss_mb: number };
    const result: Result = {
      mode,
      size,
      positions,
      seconds: report.seconds,
      bytes: statSync(target).size,
      maxRssMb: report.max_rss_mb,
    };
    stopTrace();
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
      kind: 'export',
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
      // A real credential: the run engine re-checks it like any export's before it produces.
      principal_key: await benchTokenKey(db, organizerId),
      queue_prefix: 'bench',
      expires_at: new Date(Date.now() + 3600_000),
    });
    const runner = new RunRunner({
      config,
      logger: createLogger('warn'),
      storage: new FsStorage(out),
      repository,
      access: new AccessService(db),
      producerOf: exporterProducerOf({ db, siteUrl: config.SITE_URL }),
    });
    const outcome = await runner.run(id);
    if (outcome !== 'done') throw new Error(`export ${outcome}`);
    bytes = Number((await db('exports').where('id', id).first()).file_size);
    await db('exports').where('id', id).delete();
  } else if (mode === 'xlsx') {
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
  } else {
    throw new Error(`unknown mode ${mode} (copy, csv, xlsx, openpyxl)`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  stopTrace();
  rmSync(out, { recursive: true, force: true });
  await db.destroy();
  const result: Result = {
    mode,
    size,
    positions,
    seconds,
    bytes,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const percent = (ratio: number) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)} %`;

async function main(): Promise<void> {
  const openpyxl = process.env.BENCH_MODES === undefined && hasOpenpyxl();
  const modes = (process.env.BENCH_MODES ?? `copy,csv,xlsx${openpyxl ? ',openpyxl' : ''}`).split(',');
  await ensureDatabase(DATABASE_URL);
  const db = createDb(DATABASE_URL, 2);
  await migrateLatest(db);
  for (const size of SIZES) await ensureSeeded(db, size);
  await db.destroy();
  if (process.env.BENCH_MODES === undefined && !openpyxl)
    process.stdout.write('(openpyxl comparison skipped: python3 cannot import openpyxl)\n');

  const results: Result[] = [];
  for (const size of SIZES) {
    for (const mode of modes) {
      const output = execFileSync(
        process.execPath,
        ['--import', 'tsx', __filename, '--child', mode, String(size)],
        { env: process.env, maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'] },
      ).toString();
      const result = JSON.parse(output.trim().split('\n').at(-1)!) as Result;
      results.push(result);
      process.stdout.write(
        `${mode.padEnd(8)} ${result.positions.toLocaleString('en').padStart(9)} positions: ` +
          `${result.seconds.toFixed(2).padStart(7)} s, ` +
          `${Math.round(result.positions / result.seconds).toLocaleString('en')} rows/s, ` +
          `${(result.bytes / 1e6).toFixed(1)} MB, peak RSS ${result.maxRssMb.toFixed(0)} MB\n`,
      );
    }
  }
  const find = (mode: string, size: number) => results.find((r) => r.mode === mode && r.size === size);
  process.stdout.write('\n');
  for (const size of SIZES) {
    const copy = find('copy', size);
    const csv = find('csv', size);
    if (copy && csv)
      process.stdout.write(
        `CSV / COPY at ${copy.positions.toLocaleString('en')}: ${(csv.seconds / copy.seconds).toFixed(2)}× (target ≤ 1.5× at 1M)\n`,
      );
  }
  for (const size of SIZES) {
    const xlsx = find('xlsx', size);
    const openpyxl = find('openpyxl', size);
    if (xlsx && openpyxl)
      process.stdout.write(
        `openpyxl / tixport xlsx at ${xlsx.positions.toLocaleString('en')}: ${(openpyxl.seconds / xlsx.seconds).toFixed(2)}× (target ≥ 2×)\n`,
      );
  }
  const [small, large] = [Math.min(...SIZES), Math.max(...SIZES)];
  for (const mode of ['copy', 'csv', 'xlsx']) {
    const a = find(mode, small);
    const b = find(mode, large);
    if (a && b && small !== large)
      process.stdout.write(
        `${mode} peak RSS ${b.positions.toLocaleString('en')} vs ${a.positions.toLocaleString('en')}: ` +
          `${b.maxRssMb.toFixed(0)} MB vs ${a.maxRssMb.toFixed(0)} MB (${percent(b.maxRssMb / a.maxRssMb)}` +
          `${mode === 'copy' ? '' : ', target ≤ +15 % and < 300 MB'})\n`,
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
