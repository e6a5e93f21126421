import knex, { type Knex } from 'knex';
import path from 'node:path';
import pg from 'pg';

export type Db = Knex;

// Postgres returns numeric (money) as strings already; keep int8 counts as JS numbers, they stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

export const MIGRATIONS_DIRECTORY = path.resolve(__dirname, '../../migrations');

/** knex logs through console by default; route its warnings into the structured log instead. */
interface KnexLogTarget {
  warn(message: string): void;
  error(message: string): void;
}

export function createDb(connectionString: string, poolMax = 10, log?: KnexLogTarget): Db {
  const toLog = (level: 'warn' | 'error') => (message: unknown) =>
    log?.[level](message instanceof Error ? message.message : String(message));
  return knex({
    client: 'pg',
    connection: connectionString,
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: 10_000,
    log: { warn: toLog('warn'), error: toLog('error'), deprecate: toLog('warn'), debug: () => undefined },
    migrations: {
      directory: MIGRATIONS_DIRECTORY,
      loadExtensions: ['.ts', '.js'],
      tableName: 'knex_migrations',
    },
  });
}

/** Creates the database named in the URL when it does not exist yet (quick start and tests). */
export async function ensureDatabase(connectionString: string): Promise<void> {
  const url = new URL(connectionString);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name))
    throw new Error(`Refusing to create database with unusual name "${name}"`);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const existing = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount === 0) await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
}

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest()) as [number, string[]];
  return applied;
}

/** Translates Postgres constraint violations so that raw driver errors never reach a client. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string };
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

export function isForeignKeyViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === '23503';
}
