import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { loadConfig, type Config } from '../../src/config';
import { createRuntime } from '../../src/main/runtime';
import { startWorker } from '../../src/main/worker';
import type { Db } from '../../src/platform/db';
import { createTestContext, type TestContext } from '../support/app';
import { makeEvent, makeOrganizer, makeTeamWithToken } from '../support/factories';

/** A test context whose files go to a fresh temporary STORAGE_DIR. */
export function createExportsContext(env: Record<string, string> = {}): TestContext {
  return createTestContext({
    STORAGE_DIR: mkdtempSync(path.join(tmpdir(), 'tixport-exports-')),
    ...env,
  });
}

export interface TestWorker {
  config: Config;
  stop(): Promise<void>;
}

/** A real exports worker on the context's queue prefix, with its own connections (as a worker process has). */
export function startTestWorker(ctx: TestContext, env: Record<string, string> = {}): TestWorker {
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    QUEUE_PREFIX: ctx.queuePrefix,
    STORAGE_DIR: ctx.config.STORAGE_DIR,
    STORAGE_DRIVER: ctx.config.STORAGE_DRIVER,
    S3_BUCKET: ctx.config.S3_BUCKET,
    S3_ENDPOINT: ctx.config.S3_ENDPOINT,
    S3_ACCESS_KEY_ID: ctx.config.S3_ACCESS_KEY_ID,
    S3_SECRET_ACCESS_KEY: ctx.config.S3_SECRET_ACCESS_KEY,
    SITE_URL: ctx.config.SITE_URL,
    DATABASE_POOL_MAX: '4',
    ...env,
  });
  // The worker process's own composition (main/worker.ts), so every kind of run and hook is wired as in production.
  const runtime = createRuntime(config, 'worker');
  const running = startWorker(runtime);
  return {
    config,
    async stop() {
      await (await running).stop();
      await runtime.close();
    },
  };
}

/** Polls until `check` returns a value (not undefined), failing after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The path part of an absolute download URL. */
export function pathOf(url: string): string {
  return new URL(url).pathname;
}

/** Polls a download URL until it stops answering 409, with a binary body parser. */
export async function download(app: Express, url: string, authorization: string, timeoutMs = 30000) {
  return waitFor(
    `download of ${url}`,
    async () => {
      const res = await request(app)
        .get(pathOf(url))
        .set('Authorization', authorization)
        .buffer(true)
        .parse(binaryParser);
      return res.status === 409 ? undefined : res;
    },
    timeoutMs,
  );
}

export function binaryParser(
  res: request.Response,
  callback: (error: Error | null, body: Buffer) => void,
): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

export function uniqueCode(): string {
  return randomBytes(4).toString('hex').toUpperCase().slice(0, 5);
}

export interface OrderSpec {
  code?: string;
  status?: 'n' | 'p' | 'e' | 'c';
  email?: string | null;
  phone?: string | null;
  datetime?: string;
  total?: string;
  comment?: string;
  locale?: string;
  positions?: PositionSpec[];
  fees?: FeeSpec[];
  invoiceAddress?: Record<string, unknown>;
  payments?: { provider: string; state: string; amount: string; payment_date?: string }[];
}

export interface PositionSpec {
  itemId: number;
  variationId?: number | null;
  price?: string;
  tax_rate?: string;
  tax_value?: string;
  attendee_name?: string | null;
  attendee_email?: string | null;
  company?: string | null;
  canceled?: boolean;
  secret?: string;
  addonTo?: number;
}

export interface FeeSpec {
  fee_type: string;
  value: string;
  description?: string;
  tax_rate?: string;
  tax_value?: string;
  canceled?: boolean;
}

/** Test data written straight into the ticketing tables (the orders API is built elsewhere). */
export class TicketingData {
  constructor(private readonly db: Db) {}

  async item(eventId: number, name: string, price = '10.00', extra: Record<string, unknown> = {}) {
    const [row] = await this.db('items')
      .insert({ event_id: eventId, name: JSON.stringify({ en: name }), default_price: price, ...extra })
      .returning('*');
    return row as { id: number };
  }

  async variation(itemId: number, value: string) {
    const [row] = await this.db('item_variations')
      .insert({ item_id: itemId, value: JSON.stringify({ en: value }) })
      .returning('*');
    return row as { id: number };
  }

  async order(eventId: number, spec: OrderSpec = {}) {
    const code = spec.code ?? uniqueCode();
    const [order] = await this.db('orders')
      .insert({
        event_id: eventId,
        code,
        status: spec.status ?? 'p',
        secret: randomBytes(8).toString('hex'),
        email: spec.email === undefined ? `${code.toLowerCase()}@example.org` : spec.email,
        phone: spec.phone ?? null,
        locale: spec.locale ?? 'en',
        datetime: spec.datetime ?? '2030-01-15T09:30:00Z',
        expires: '2030-02-15T09:30:00Z',
        total: spec.total ?? '0.00',
        comment: spec.comment ?? '',
      })
      .returning('*');
    const positions: { id: number; positionid: number }[] = [];
    for (const [index, position] of (spec.positions ?? []).entries()) {
      const [row] = await this.db('order_positions')
        .insert({
          order_id: order.id,
          positionid: index + 1,
          item_id: position.itemId,
          variation_id: position.variationId ?? null,
          price: position.price ?? '10.00',
          tax_rate: position.tax_rate ?? '0.00',
          tax_value: position.tax_value ?? '0.00',
          attendee_name_cached: position.attendee_name ?? null,
          attendee_email: position.attendee_email ?? null,
          company: position.company ?? null,
          canceled: position.canceled ?? false,
          secret: position.secret ?? randomBytes(12).toString('hex'),
          pseudonymization_id: randomBytes(5).toString('hex').toUpperCase(),
          addon_to_id: position.addonTo ?? null,
        })
        .returning(['id', 'positionid']);
      positions.push(row);
    }
    for (const fee of spec.fees ?? []) {
      await this.db('order_fees').insert({
        order_id: order.id,
        fee_type: fee.fee_type,
        value: fee.value,
        description: fee.description ?? '',
        tax_rate: fee.tax_rate ?? '0.00',
        tax_value: fee.tax_value ?? '0.00',
        canceled: fee.canceled ?? false,
      });
    }
    if (spec.invoiceAddress) {
      await this.db('invoice_addresses').insert({ order_id: order.id, ...spec.invoiceAddress });
    }
    for (const [index, payment] of (spec.payments ?? []).entries()) {
      await this.db('order_payments').insert({
        order_id: order.id,
        local_id: index + 1,
        provider: payment.provider,
        state: payment.state,
        amount: payment.amount,
        payment_date: payment.payment_date ?? null,
      });
    }
    return { ...(order as { id: number; code: string; secret: string }), positions };
  }
}

/** An organizer, an event with a product "Ticket", and a token that may view orders. */
export async function eventWithTicket(db: Db) {
  const organizer = await makeOrganizer(db);
  const event = await makeEvent(db, organizer.id);
  const team = await makeTeamWithToken(db, organizer.id, { permissions: ['can_view_orders'] });
  const data = new TicketingData(db);
  const ticket = await data.item(event.id, 'Ticket');
  return { organizer, event, team, authorization: team.authorization, data, ticket };
}

/** A free-text question, so that the positions sheet reads question_answers (tests lock that table). */
export async function addTextQuestion(db: Db, eventId: number, text = 'Diet'): Promise<void> {
  await db('questions').insert({
    event_id: eventId,
    question: JSON.stringify({ en: text }),
    identifier: text.toLowerCase(),
    type: 'S',
  });
}
