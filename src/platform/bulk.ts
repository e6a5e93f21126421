import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** Escapes one value for Postgres' COPY text format; null becomes \N. */
export function copyValue(value: string | number | boolean | null): string {
  if (value === null) return '\\N';
  if (typeof value !== 'string') return String(value);
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : value;
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export interface BulkSession {
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Streams rows already in COPY text format (tab-separated, newline-terminated) into the table. */
  copy(table: string, columns: readonly string[], text: string): Promise<void>;
}

/**
 * Bulk loading over plain pg connections of its own (COPY FROM STDIN needs the raw client, which knex hides).
 * Each `transaction` holds one connection; run several at once to load in parallel.
 */
export class BulkLoader {
  private readonly pool: pg.Pool;

  constructor(connectionString: string, connections: number) {
    this.pool = new pg.Pool({ connectionString, max: connections });
  }

  async transaction<T>(work: (session: BulkSession) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const session: BulkSession = {
      query: (sql, params) => client.query(sql, params),
      async copy(table, columns, text) {
        if (text === '') return;
        const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
        await pipeline(Readable.from([text]), stream);
      },
    };
    try {
      await client.query('BEGIN');
      // Demo data can be regenerated; not waiting for the WAL flush on every batch roughly halves commit time.
      await client.query('SET LOCAL synchronous_commit = off');
      const result = await work(session);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
