import { BulkLoader, copyValue as v, type BulkSession } from '../../platform/bulk';
import type { Db } from '../../platform/db';
import { ValidationError } from '../../shared/errors';
import { createOrganizer } from '../organizers/organizers.service';
import { createCatalog, type DemoCatalog } from './demo.catalog';
import {
  COPY_COLUMNS,
  emptyCounts,
  planBatch,
  serializeBatch,
  type BatchCounts,
  type CopyTable,
  type GeneratorContext,
} from './demo.generator';
import { buildPools, mailbox } from './demo.pools';
import { mixSeed, Random } from './demo.random';

export interface SeedOptions {
  organizer: string;
  event: string;
  orders: number;
  seed: number;
  /** Orders per transaction; each batch is planned, then loaded with COPY. */
  batchSize?: number;
  /** Batches loaded at the same time, each on its own connection. */
  concurrency?: number;
}

export interface SeedProgress {
  orders: number;
  positions: number;
  total: number;
}

export interface SeedSummary extends BatchCounts {
  organizer: string;
  event: string;
  seed: number;
  items: number;
  variations: number;
  questions: number;
  quotas: number;
  checkin_lists: number;
  waiting_list_entries: number;
  seconds: number;
}

/** Events that demo:seed creates start here, so that the same seed gives the same dates on every run. */
const DEMO_EVENT_START = Date.parse('2026-12-10T09:00:00Z');
/**
 * Tables demo:seed fills with COPY, in foreign-key order. This is the documented exception to "orders' writes go
 * through orders.repository.ts": a bulk loader of generated data, like a database restore, writes the rows whole
 * on its own connections; going through the repository's row-by-row inserts would take hours for a million
 * positions. Nothing but demo:seed (a CLI command on a fresh event) runs it.
 */
const LOAD_ORDER: CopyTable[] = [
  'orders',
  'order_positions',
  'question_answers',
  'question_answer_options',
  'order_fees',
  'invoice_addresses',
  'order_payments',
  'order_refunds',
  'checkins',
];

async function ensureOrganizer(db: Db, slug: string): Promise<{ id: number; slug: string }> {
  const existing = await db('organizers').whereRaw('lower(slug) = lower(?)', [slug]).first('id', 'slug');
  return existing ?? createOrganizer(db, { slug, name: `${slug} (demo)` });
}

/** Uses only the base columns of `events`, which the events module extends on its own. */
async function ensureEvent(db: Db, organizerId: number, slug: string) {
  const existing = await db('events')
    .where('organizer_id', organizerId)
    .whereRaw('lower(slug) = lower(?)', [slug])
    .first('id', 'slug', 'date_from');
  if (existing) return existing as { id: number; slug: string; date_from: Date };
  if (!/^[a-zA-Z0-9][a-zA-Z0-9.-]*$/.test(slug) || slug.length > 50)
    throw ValidationError.field('event', 'The slug may only contain letters, numbers, dots and dashes.');
  const [row] = await db('events')
    .insert({
      organizer_id: organizerId,
      slug,
      name: JSON.stringify({ en: `${slug} (demo)`, de: `${slug} (Demo)` }),
      currency: 'EUR',
      date_from: new Date(DEMO_EVENT_START),
      date_to: new Date(DEMO_EVENT_START + 2 * 86_400_000 + 8 * 3_600_000),
      timezone: 'Europe/Berlin',
    })
    .returning(['id', 'slug', 'date_from']);
  return row as { id: number; slug: string; date_from: Date };
}

async function allocateIds(
  session: BulkSession,
  needs: Record<'orders' | 'positions' | 'answers' | 'payments', number>,
) {
  const sequence = (name: string, n: number) =>
    `array(SELECT nextval('${name}') FROM generate_series(1, ${n}))`;
  const { rows } = await session.query<Record<string, string[]>>(
    `SELECT ${sequence('orders_id_seq', needs.orders)} AS orders,
            ${sequence('order_positions_id_seq', needs.positions)} AS positions,
            ${sequence('question_answers_id_seq', needs.answers)} AS answers,
            ${sequence('order_payments_id_seq', needs.payments)} AS payments`,
  );
  const row = rows[0]!;
  const numbers = (values: string[] | undefined) => (values ?? []).map(Number);
  return {
    orders: numbers(row.orders),
    positions: numbers(row.positions),
    answers: numbers(row.answers),
    payments: numbers(row.payments),
  };
}

/** Waiting-list entries for the sold-out dinner and the business tickets, loaded in one COPY. */
async function seedWaitingList(loader: BulkLoader, ctx: GeneratorContext, count: number): Promise<number> {
  const random = new Random(mixSeed(ctx.seed, 0x7fffffff));
  const { dinner, conference } = ctx.catalog.products;
  const rows: string[] = [];
  for (let i = 0; i < count; i++) {
    const pool = random.weighted(ctx.pools);
    const first = random.pick(pool.firstNames);
    const last = random.pick(pool.lastNames);
    const business = random.chance(0.25);
    const voucher = random.chance(0.2);
    rows.push(
      [
        ctx.eventId,
        business ? conference.id : dinner.id,
        business ? conference.variations[2]!.id : null,
        `${mailbox(first, last)}${random.int(1, 999)}@example.org`,
        `${first} ${last}`,
        JSON.stringify({ _scheme: 'given_family', given_name: first, family_name: last }),
        random.chance(0.5)
          ? `${pool.phonePrefix} ${random.int(100, 999)} ${random.int(1000000, 9999999)}`
          : null,
        pool.locale,
        random.chance(0.1) ? 10 : 0,
        new Date(ctx.eventStart - random.int(1, 60) * 86_400_000).toISOString(),
        voucher ? random.string(16, 'ABCDEFGHJKLMNPQRSTUVWXYZ3789') : null,
        voucher ? random.pick(['valid', 'redeemed', 'expired']) : null,
      ]
        .map(v)
        .join('\t'),
    );
  }
  await loader.transaction((session) =>
    session.copy(
      'waiting_list_entries',
      [
        'event_id',
        'item_id',
        'variation_id',
        'email',
        'name_cached',
        'name_parts',
        'phone',
        'locale',
        'priority',
        'created',
        'voucher_code',
        'voucher_state',
      ],
      rows.length ? `${rows.join('\n')}\n` : '',
    ),
  );
  return count;
}

/**
 * Fills an event (created if missing) with a catalog and `orders` orders. Batches are planned from the seed
 * alone and loaded with COPY on `concurrency` connections at once, so memory stays flat and the same seed always
 * gives the same data.
 */
export async function seedDemo(
  db: Db,
  databaseUrl: string,
  options: SeedOptions,
  onProgress: (progress: SeedProgress) => void = () => undefined,
): Promise<SeedSummary> {
  const started = Date.now();
  if (!Number.isInteger(options.orders) || options.orders < 0)
    throw ValidationError.field('orders', 'A valid integer is required.');
  const organizer = await ensureOrganizer(db, options.organizer);
  const event = await ensureEvent(db, organizer.id, options.event);
  if (await db('items').where('event_id', event.id).first('id'))
    throw ValidationError.field(
      'event',
      'This event already has products; demo:seed fills new or empty events.',
    );
  const catalog: DemoCatalog = await db.transaction((trx) => createCatalog(trx, event.id, options.orders));

  const ctx: GeneratorContext = {
    seed: options.seed,
    eventId: event.id,
    eventStart: new Date(event.date_from).getTime(),
    catalog,
    pools: buildPools(options.seed).weights,
  };
  const batchSize = options.batchSize ?? 5000;
  const batches = Math.ceil(options.orders / batchSize);
  const concurrency = options.concurrency ?? 2;
  const loader = new BulkLoader(databaseUrl, concurrency);
  const totals = emptyCounts();
  let next = 0;
  const worker = async () => {
    while (next < batches) {
      const batch = next++;
      const first = batch * batchSize;
      const plan = planBatch(ctx, batch, first, Math.min(batchSize, options.orders - first));
      const counts = await loader.transaction(async (session) => {
        const { text, counts } = serializeBatch(ctx, plan, await allocateIds(session, plan.needs));
        for (const table of LOAD_ORDER) await session.copy(table, COPY_COLUMNS[table], text[table]);
        return counts;
      });
      for (const key of Object.keys(totals) as (keyof BatchCounts)[]) totals[key] += counts[key];
      onProgress({ orders: totals.orders, positions: totals.positions, total: options.orders });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, batches)) }, worker));
    const waiting = await seedWaitingList(loader, ctx, Math.max(3, Math.round(options.orders * 0.02)));
    await db.raw('ANALYZE orders, order_positions, question_answers, checkins');
    const products = Object.values(catalog.products);
    return {
      organizer: organizer.slug,
      event: event.slug,
      seed: options.seed,
      ...totals,
      items: products.length,
      variations: products.reduce((sum, product) => sum + product.variations.length, 0),
      questions: catalog.questionCount,
      quotas: catalog.quotaCount,
      checkin_lists: 2,
      waiting_list_entries: waiting,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    await loader.close();
  }
}
