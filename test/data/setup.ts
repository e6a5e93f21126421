import request from 'supertest';
import type { Permission } from '../../src/modules/access/permissions';
import { createTestContext, type TestContext } from '../support/app';
import { makeEvent, makeOrganizer, makeTeamWithToken } from '../support/factories';

export const DENIED = { detail: 'You do not have permission to perform this action.' };

/** One organizer and event of the test file's own, with a token per permission set it asks for. */
export interface DataFixture {
  ctx: TestContext;
  organizer: { id: number; slug: string };
  event: { id: number; slug: string };
  base: string;
  /** Authorization header of a token with every permission. */
  admin: string;
  /** Authorization header of a token with exactly these permissions on the event. */
  tokenWith(permissions: Permission[]): Promise<string>;
  /** Authorization header of an all-permissions token of another organizer. */
  foreign(): Promise<string>;
  call(
    method: 'get' | 'post' | 'patch' | 'delete',
    path: string,
    body?: unknown,
    authorization?: string,
  ): request.Test;
}

export async function dataFixture(): Promise<DataFixture> {
  const ctx = createTestContext();
  const db = ctx.runtime.db;
  const organizer = await makeOrganizer(db);
  const event = await makeEvent(db, organizer.id);
  const { authorization: admin } = await makeTeamWithToken(db, organizer.id, { permissions: 'all' });
  const base = `/api/v1/organizers/${organizer.slug}/events/${event.slug}`;
  return {
    ctx,
    organizer,
    event,
    base,
    admin,
    async tokenWith(permissions) {
      return (await makeTeamWithToken(db, organizer.id, { permissions })).authorization;
    },
    async foreign() {
      const other = await makeOrganizer(db);
      return (await makeTeamWithToken(db, other.id, { permissions: 'all' })).authorization;
    },
    call(method, path, body, authorization = admin) {
      const test = request(ctx.app)[method](`${base}${path}`).set('Authorization', authorization);
      return body === undefined ? test : test.send(body as object);
    },
  };
}

/** Rows of the ticketing tables that belong to one event, to prove that a refused request wrote nothing. */
export async function orderDataCounts(fixture: DataFixture): Promise<Record<string, number>> {
  const db = fixture.ctx.runtime.db;
  const orders = db('orders').where('event_id', fixture.event.id).select('id');
  const positions = db('order_positions').whereIn('order_id', orders.clone()).select('id');
  const count = async (query: ReturnType<typeof db>) =>
    Number((await query.count({ n: '*' }).first())?.n ?? 0);
  return {
    orders: await count(db('orders').where('event_id', fixture.event.id)),
    positions: await count(db('order_positions').whereIn('order_id', orders.clone())),
    answers: await count(db('question_answers').whereIn('orderposition_id', positions.clone())),
    fees: await count(db('order_fees').whereIn('order_id', orders.clone())),
    payments: await count(db('order_payments').whereIn('order_id', orders.clone())),
    invoice_addresses: await count(db('invoice_addresses').whereIn('order_id', orders.clone())),
  };
}
