import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Knex } from 'knex';
import type pg from 'pg';

/** Writes with backpressure: waits for 'drain' when the destination's buffer is full. */
export async function writeChunk(out: Writable, chunk: Buffer | string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/**
 * The pg client behind a knex transaction, for COPY and cursors (knex has neither). Inside a transaction knex
 * hands out the transaction's own connection, so the statements see the transaction's snapshot.
 */
export async function connectionOf(trx: Knex): Promise<pg.Client> {
  return (await trx.client.acquireConnection()) as pg.Client;
}

/** Progress reporting as the renderers use it; throws (e.g. ExportCanceled) to stop the export. */
export type ProgressFn = (fraction: number) => Promise<void>;
