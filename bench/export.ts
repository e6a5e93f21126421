/**
 * `npm run bench:export`: export speed and memory (not a test).
 *
 * Seeds (once, with the real demo:seed code) in BENCH_DATABASE_URL, organizer `bench`: events with about 100,000
 * and 1,000,000 positions (40,000 and 400,000 orders) and `orders-1k` (1,000 orders); organizer `bench-org100`:
 * 100 events of 1,000 orders each. Later runs reuse them. Then runs, each in a fresh child process so that
 * every run's peak RSS is its own, on the positions sheet of `orderlist`:
 *   raw   – Postgres `COPY` of the raw joined rows the sheet is built from (positions, orders, product name,
 *           invoice address: `SELECT op.*, o.*, i.name, ia.* … ORDER BY …`) into a file: the floor;
 *   copy  – `COPY` of tixport's own positions query without its formatting (the floor of earlier runs);
 *   csv   – the tixport positions CSV export through the worker code path (RunRunner: job row, COPY with
 *           formatting and formula escaping in SQL, hashing, storage write, commit);
 *   xlsx  – the positions sheet through the xlsx renderer (cursor → exceljs streaming writer) into a file;
 *   openpyxl – for scale, Python's openpyxl in write-only mode on the same rows (run when python3, or
 *           BENCH_PYTHON, can import openpyxl; only its writing is timed, peak RSS is the Python process's).
 * and, unless BENCH_API=0, the 1,000-order event's orderlist xlsx end to end through the HTTP API and a worker
 * (POST run → poll → file downloaded), median of 10; unless BENCH_ORGANIZER=0, raw and csv of the
 * organizer-level positions sheet over the 100 events.
 * Prints seconds, rows/s and peak RSS per run, and the ratios the issue sets as targets.
 * BENCH_SIZES (nominal positions, default 100000,1000000) and BENCH_MODES (default all) pick a subset;
 * BENCH_TRACE=1 samples each run's memory once a second.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { to as copyTo } from 'pg-copy-streams';
import { loadConfig } from '../src/config';
import { createApp } from '../src/app';
import { composeApiServices } from '../src/main/api';
import { createRuntime } from '../src/main/runtime';
import { startWorker } from '../src/main/worker';
import { seedDemo } from '../src/modules/demo/demo.service';
import { orderlistEvent, orderlistOrganizer } from '../src/modules/exports/exporters/orderlist';
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
const SIZES = (process.env.BENCH_SIZES ?? '100000,1000000').split(',').filter(Boolean).map(Number);
const ORGANIZER = 'bench';
/** The organizer-level figure: BENCH_ORGANIZER_EVENTS events of BENCH_ORGANIZER_ORDERS orders. */
const ORG100 = 'bench-org100';
const ORG_EVENTS = 100;
const ORG_EVENT_ORDERS = 1000;
/** The size key of the organizer-level runs in results (the positions sheet over all its events). */
const ORG_SIZE = -1;
const API_EVENT = 'orders-1k';
const API_ORDERS = 1000;
const API_RUNS = 10;
const PYTHON = process.env.BENCH_PYTHON ?? 'python3';
/** demo:seed makes about 2.5 positions per order (seed 1: 40,000 orders → 99,824 positions). */
const POSITIONS_PER_ORDER = 2.5;
/** BENCH_TRACE=1: every child prints its memory to stderr whenever its peak RSS rises (see traceMemory). */
const TRACE = process.env.BENCH_TRACE === '1';

function hasOpenpyxl(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import openpyxl'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A team of the organizer with `can_view_orders` on all events, created once through the teams service. */
async function benchTeam(db: Db, organizerId: number): Promise<number> {
  const name = 'bench exporters';
  const existing = await db('teams').where({ organizer_id: organizerId, name }).first('id');
  if (existing) return Number(existing.id);
  const team = await new TeamsService(db).create(
    organizerId,
    TeamInput.parse({ name, all_events: true, can_view_orders: true }),
  );
  return team.id;
}

/** The principal key of a token of the bench team (a real credential: runs re-check it before they produce). */
async function benchTokenKey(db: Db, organizerId: number): Promise<string> {
  const teamId = await benchTeam(db, organizerId);
  const existing = await db('team_api_tokens').where({ team_id: teamId, active: true }).first('id');
  if (existing) return `token:${existing.id}`;
  const token = await new TeamsService(db).createToken(teamId, 'bench exporters');
  return `token:${token.id}`;
}

interface Result {
  mode: string;
  /** The nominal size (BENCH_SIZES), ORG_SIZE for the organizer-level runs, 0 for the API run. */
  size: number;
  positions: number;
  seconds: number;
  bytes: number;
  maxRssMb: number;
  /** The API run: every run's seconds. */
  runs?: number[];
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

/** What a run exports: one event, or (organizer level) several events of one organizer. */
interface Target {
  level: 'event' | 'organizer';
  organizerId: number;
  eventIds: number[];
  /** The positions of those events (demo:seed makes about 2.5 per order, close to, not exactly, nominal). */
  positions: number;
}

async function positionsOf(db: Db, eventIds: number[]): Promise<number> {
  const count = await db('order_positions as op')
    .join('orders as o', 'o.id', 'op.order_id')
    .whereIn('o.event_id', eventIds)
    .count<{ count: string }>({ count: '*' })
    .first();
  return Number(count?.count);
}

/** The events of `organizer` among `slugs` whose seeding finished (all their orders and, last, a waiting list). */
async function seededEvents(db: Db, organizer: string, slugs: string[], orders: number) {
  return (await db('events as e')
    .join('organizers as org', 'org.id', 'e.organizer_id')
    .where('org.slug', organizer)
    .whereIn('e.slug', slugs)
    .whereRaw('(SELECT count(*) FROM orders o WHERE o.event_id = e.id) = ?', [orders])
    .whereExists(db('waiting_list_entries as w').whereRaw('w.event_id = e.id').select(db.raw('1')))
    .orderBy('e.slug')
    .select('e.id', 'e.slug', 'e.organizer_id')) as { id: number; slug: string; organizer_id: number }[];
}

/**
 * Seeds `slugs` of `organizer` with `orders` orders each by demo:seed's own code (seed 1, so every machine gets
 * the same rows), skipping events whose seeding finished; a half-seeded one (an interrupted run) is deleted and
 * seeded again.
 */
async function ensureSeeded(db: Db, organizer: string, slugs: string[], orders: number): Promise<Target> {
  const done = new Set((await seededEvents(db, organizer, slugs, orders)).map((e) => e.slug));
  const missing = slugs.filter((slug) => !done.has(slug));
  if (missing.length > 0)
    process.stderr.write(`seeding ${organizer}: ${missing.length} event(s) of ${orders} orders (once)\n`);
  for (const slug of missing) {
    const half = await db('events as e')
      .join('organizers as org', 'org.id', 'e.organizer_id')
      .where({ 'org.slug': organizer, 'e.slug': slug })
      .first('e.id');
    if (half)
      // Orders first: deleting the event alone would cascade to its items while positions still point at them.
      await db.transaction(async (trx) => {
        await trx('orders').where('event_id', half.id).delete();
        await trx('events').where('id', half.id).delete();
      });
    await seedDemo(db, DATABASE_URL, { organizer, event: slug, orders, seed: 1 });
  }
  const events = await seededEvents(db, organizer, slugs, orders);
  if (events.length !== slugs.length) throw new Error(`seeding ${organizer} did not finish`);
  const eventIds = events.map((e) => Number(e.id));
  return {
    level: slugs.length === 1 ? 'event' : 'organizer',
    organizerId: Number(events[0]!.organizer_id),
    eventIds,
    positions: await positionsOf(db, eventIds),
  };
}

const orgSlugs = () => Array.from({ length: ORG_EVENTS }, (_, i) => `e${String(i + 1).padStart(3, '0')}`);

/** The target of a size: an event of `bench`, or (ORG_SIZE) all events of `bench-org100`. */
async function findTarget(db: Db, size: number): Promise<Target> {
  const [organizer, slugs, orders] =
    size === ORG_SIZE
      ? [ORG100, orgSlugs(), ORG_EVENT_ORDERS]
      : [ORGANIZER, [eventSlug(size)], Math.round(size / POSITIONS_PER_ORDER)];
  const events = await seededEvents(db, organizer, slugs, orders);
  if (events.length !== slugs.length) throw new Error(`${organizer} ${slugs[0]} is not seeded`);
  const eventIds = events.map((e) => Number(e.id));
  return {
    level: size === ORG_SIZE ? 'organizer' : 'event',
    organizerId: Number(events[0]!.organizer_id),
    eventIds,
    positions: await positionsOf(db, eventIds),
  };
}

/**
 * All orders and positions. Organizer level groups multiple-choice answers: the 100 demo events hold 1,300
 * questions, 500 of them options of multiple-choice questions, and one column per option would be 1,760
 * columns, more than a Postgres select list holds (1,664).
 */
const sheetInput = (target: Target) => ({
  paid_only: false,
  include_payment_amounts: false,
  group_multiple_choice: target.level === 'organizer',
  date_range: null,
  event_date_range: null,
});

/** The positions sheet of orderlist, built as the worker would (all orders, all positions). */
async function positionsTable(db: Db, target: Target): Promise<Table> {
  const exporter = target.level === 'event' ? orderlistEvent : orderlistOrganizer;
  const output = exporter.output;
  if (output.type !== 'sheets') throw new Error('orderlist has sheets');
  const sheet = output.sheets.find((s) => s.name === 'positions')!;
  const events = await db('events').whereIn('id', target.eventIds).orderBy('slug');
  const organizer = await db('organizers').where('id', target.organizerId).first();
  const ctx = {
    db,
    level: target.level,
    organizer,
    event: target.level === 'event' ? events[0] : null,
    events,
    eventIds: target.eventIds,
    slug: target.level === 'event' ? events[0].slug : organizer.slug,
    timezone: events[0].timezone,
    input: { _format: 'positions:default', ...sheetInput(target), items: [] },
    siteUrl: 'http://bench.test',
    now: new Date(),
    progress: async () => undefined,
  } as unknown as AnyExportContext;
  return (sheet as SheetSpec<AnyExportContext['input']>).build(ctx);
}

/**
 * The raw joined rows the positions sheet is built from, unformatted: every column of the position, its order
 * and invoice address and the product's name, in the sheet's order (the floor).
 */
function rawRowsSql(db: Db, eventIds: number[]): string {
  return db
    .raw(
      `SELECT op.*, o.*, i.name, ia.* FROM orders o
       JOIN order_positions op ON op.order_id = o.id
       JOIN items i ON i.id = op.item_id
       LEFT JOIN invoice_addresses ia ON ia.order_id = o.id
       WHERE o.event_id = ANY(?)
       ORDER BY o.datetime, o.id, op.positionid`,
      [eventIds],
    )
    .toQuery();
}

/** Postgres writes `select` as CSV into `file` inside a transaction in the exporter's time zone. */
async function copyToFile(db: Db, select: string, file: string): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw("SELECT set_config('TimeZone', 'Europe/Berlin', true)");
    // As in export transactions: the floor should not pay for JIT compilation either.
    await trx.raw('SET LOCAL jit = off');
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

/**
 * The API figure: the 1,000-order event's orderlist xlsx, end to end through the HTTP API (in this process,
 * on an ephemeral port) and a worker (the worker process's composition): POST run, poll the download URL
 * until it answers 200, read the file. Median of API_RUNS runs, after one warm-up run.
 */
async function apiRuns(db: Db, target: Target): Promise<number[]> {
  const queuePrefix = `bench-${randomUUID()}`;
  const out = mkdtempSync(path.join(tmpdir(), 'tixport-bench-api-'));
  const env = {
    ...process.env,
    DATABASE_URL,
    STORAGE_DIR: out,
    LOG_LEVEL: 'warn',
    QUEUE_PREFIX: queuePrefix,
  };
  const api = createRuntime(loadConfig({ ...env, PORT: '0' }), 'api');
  const app = createApp({
    config: api.config,
    db: api.db,
    redis: api.redis,
    logger: api.logger,
    services: composeApiServices(api),
  });
  const server = app.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const workerRuntime = createRuntime(loadConfig(env), 'worker');
  const worker = await startWorker(workerRuntime);
  const token = await new TeamsService(db).createToken(await benchTeam(db, target.organizerId), 'bench api');
  const headers = { Authorization: `Token ${token.token}`, 'Content-Type': 'application/json' };
  const organizer = await db('organizers').where('id', target.organizerId).first('slug');
  const event = await db('events').where('id', target.eventIds[0]).first('slug');
  const runUrl = `${base}/api/v1/organizers/${organizer.slug}/events/${event.slug}/exporters/orderlist/run/`;
  const once = async (): Promise<number> => {
    const started = process.hrtime.bigint();
    const run = await fetch(runUrl, { method: 'POST', headers, body: JSON.stringify({ _format: 'xlsx' }) });
    if (run.status !== 202) throw new Error(`POST run: ${run.status} ${await run.text()}`);
    const { download } = (await run.json()) as { download: string };
    const url = new URL(new URL(download).pathname, base);
    for (;;) {
      const res = await fetch(url, { headers });
      if (res.status === 200) {
        await res.arrayBuffer();
        break;
      }
      if (res.status !== 409) throw new Error(`download: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
      // The client's polling interval bounds what it sees: 20 ms is below any export's time.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return Number(process.hrtime.bigint() - started) / 1e9;
  };
  try {
    await once();
    const runs: number[] = [];
    for (let i = 0; i < API_RUNS; i++) runs.push(await once());
    return runs;
  } finally {
    await db('team_api_tokens').where('id', token.id).update({ active: false });
    await worker.stop();
    await workerRuntime.close();
    await new Promise((resolve) => server.close(resolve));
    await api.close();
    rmSync(out, { recursive: true, force: true });
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function child(mode: string, size: number): Promise<void> {
  const db = createDb(DATABASE_URL, 4);
  const out = mkdtempSync(path.join(tmpdir(), 'tixport-bench-'));
  const target =
    mode === 'api' ? await ensureSeeded(db, ORGANIZER, [API_EVENT], API_ORDERS) : await findTarget(db, size);
  const stopTrace = traceMemory(mode, size);
  const started = process.hrtime.bigint();
  let bytes = 0;
  let runs: number[] | undefined;
  if (mode === 'api') {
    runs = await apiRuns(db, target);
  } else if (mode === 'raw') {
    const file = path.join(out, 'raw.csv');
    await copyToFile(db, rawRowsSql(db, target.eventIds), file);
    bytes = statSync(file).size;
  } else if (mode === 'copy') {
    const table = await positionsTable(db, target);
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
    const table = await positionsTable(db, target);
    const file = path.join(out, 'rows.csv');
    await copyToFile(db, tableSql(db, table, 'csv-minimal'), file);
    const xlsx = path.join(out, 'positions.xlsx');
    const report = JSON.parse(
      execFileSync(PYTHON, [path.join(__dirname, 'openpyxl-positions.py'), file, xlsx]).toString(),
    ) as { seconds: number; max_rss_mb: number };
    const result: Result = {
      mode,
      size,
      positions: target.positions,
      seconds: report.seconds,
      bytes: statSync(xlsx).size,
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
      level: target.level,
      organizer_id: target.organizerId,
      event_id: target.level === 'event' ? target.eventIds[0] : null,
      identifier: 'orderlist',
      input: JSON.stringify({
        _format: 'positions:default',
        ...sheetInput(target),
        date_range: '/',
        event_date_range: '/',
        ...(target.level === 'event' ? { items: [] } : { all_events: true, events: [] }),
      }),
      event_ids: target.eventIds,
      principal_key: await benchTokenKey(db, target.organizerId),
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
    const file = path.join(out, 'positions.xlsx');
    const stream = createWriteStream(file);
    await db.transaction(
      async (trx) => {
        await trx.raw("SELECT set_config('TimeZone', 'Europe/Berlin', true)");
        await trx.raw('SET LOCAL jit = off');
        const table = await positionsTable(trx as unknown as Db, target);
        await writeXlsx(
          trx,
          [{ label: 'Order positions', build: () => table }],
          stream,
          async () => undefined,
        );
      },
      { isolationLevel: 'repeatable read', readOnly: true },
    );
    // exceljs ends the stream when it finalizes the zip; the file is complete once it has finished.
    if (!stream.writableFinished)
      await new Promise<void>((resolve) => stream.once('finish', () => resolve()));
    bytes = statSync(file).size;
  } else {
    throw new Error(`unknown mode ${mode} (raw, copy, csv, xlsx, openpyxl, api)`);
  }
  const seconds = runs ? median(runs) : Number(process.hrtime.bigint() - started) / 1e9;
  stopTrace();
  rmSync(out, { recursive: true, force: true });
  await db.destroy();
  const result: Result = {
    mode,
    size,
    positions: target.positions,
    seconds,
    bytes,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    ...(runs ? { runs } : {}),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const percent = (ratio: number) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)} %`;

function runChild(mode: string, size: number): Result {
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', __filename, '--child', mode, String(size)],
    {
      env: process.env,
      maxBuffer: 1 << 20,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  ).toString();
  const result = JSON.parse(output.trim().split('\n').at(-1)!) as Result;
  const label = size === ORG_SIZE ? `org ${mode}` : mode;
  process.stdout.write(
    `${label.padEnd(12)} ${result.positions.toLocaleString('en').padStart(9)} positions: ` +
      `${result.seconds.toFixed(2).padStart(7)} s${result.runs ? ' (median)' : ''}, ` +
      `${Math.round(result.positions / result.seconds).toLocaleString('en')} rows/s, ` +
      `${(result.bytes / 1e6).toFixed(1)} MB, peak RSS ${result.maxRssMb.toFixed(0)} MB\n`,
  );
  if (result.runs)
    process.stdout.write(`             runs: ${result.runs.map((r) => r.toFixed(2)).join(' ')} s\n`);
  return result;
}

async function main(): Promise<void> {
  const openpyxl = process.env.BENCH_MODES === undefined && hasOpenpyxl();
  const modes = (process.env.BENCH_MODES ?? `raw,copy,csv,xlsx${openpyxl ? ',openpyxl' : ''}`).split(',');
  const withApi = process.env.BENCH_API !== '0';
  const withOrganizer = process.env.BENCH_ORGANIZER !== '0';
  await ensureDatabase(DATABASE_URL);
  const db = createDb(DATABASE_URL, 4);
  await migrateLatest(db);
  for (const size of SIZES)
    await ensureSeeded(db, ORGANIZER, [eventSlug(size)], Math.round(size / POSITIONS_PER_ORDER));
  if (withApi) await ensureSeeded(db, ORGANIZER, [API_EVENT], API_ORDERS);
  if (withOrganizer) await ensureSeeded(db, ORG100, orgSlugs(), ORG_EVENT_ORDERS);
  await db.destroy();
  if (process.env.BENCH_MODES === undefined && !openpyxl)
    process.stdout.write(`(openpyxl comparison skipped: ${PYTHON} cannot import openpyxl)\n`);
  process.stdout.write(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );

  const results: Result[] = [];
  for (const size of SIZES) for (const mode of modes) results.push(runChild(mode, size));
  if (withOrganizer)
    // No xlsx: the sheet has 1,360 columns (a column per question of every event), some 340 million cells,
    // a quarter of an hour of exceljs on this machine; the CSV shows what the organizer level costs.
    for (const mode of modes.filter((m) => ['raw', 'csv'].includes(m)))
      results.push(runChild(mode, ORG_SIZE));
  const api = withApi ? runChild('api', 0) : undefined;
  process.stdout.write(
    `load average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n\n`,
  );

  const find = (mode: string, size: number) => results.find((r) => r.mode === mode && r.size === size);
  const ratio = (label: string, a: Result | undefined, b: Result | undefined, target: string) => {
    if (a && b) process.stdout.write(`${label}: ${(a.seconds / b.seconds).toFixed(2)}× (${target})\n`);
  };
  const at = (r: Result | undefined) => (r ? r.positions.toLocaleString('en') : '');
  for (const size of [...SIZES, ...(withOrganizer ? [ORG_SIZE] : [])]) {
    const where = size === ORG_SIZE ? `organizer level, ${at(find('raw', size))}` : at(find('raw', size));
    ratio(`CSV / COPY of raw rows at ${where}`, find('csv', size), find('raw', size), 'target ≤ 1.5× at 1M');
    ratio(`CSV / COPY of its own query at ${where}`, find('csv', size), find('copy', size), 'earlier floor');
    ratio(`xlsx / COPY of raw rows at ${where}`, find('xlsx', size), find('raw', size), 'for scale');
    ratio(`xlsx / openpyxl at ${where}`, find('xlsx', size), find('openpyxl', size), 'target ≤ 0.33');
  }
  if (api)
    process.stdout.write(
      `1,000-order event, POST run → file downloaded: ${api.seconds.toFixed(2)} s median (target ≤ 1 s)\n`,
    );
  const [small, large] = [Math.min(...SIZES), Math.max(...SIZES)];
  for (const mode of ['raw', 'copy', 'csv', 'xlsx']) {
    const a = find(mode, small);
    const b = find(mode, large);
    if (a && b && small !== large)
      process.stdout.write(
        `${mode} peak RSS ${b.positions.toLocaleString('en')} vs ${a.positions.toLocaleString('en')}: ` +
          `${b.maxRssMb.toFixed(0)} MB vs ${a.maxRssMb.toFixed(0)} MB (${percent(b.maxRssMb / a.maxRssMb)}` +
          `${mode === 'csv' || mode === 'xlsx' ? ', target ≤ +15 % and ≤ 300 MB' : ''})\n`,
      );
  }
}

if (process.argv[2] === '--child') {
  child(process.argv[3]!, Number(process.argv[4])).then(
    // The API run's Redis and pools are closed; anything left (a keep-alive socket) must not hold the child.
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
} else {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
