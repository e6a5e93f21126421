import knex, { type Knex } from 'knex';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

export type Db = Knex;

// Postgres returns numeric (money) as strings already; keep int8 counts as JS numbers, they stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

export const MIGRATIONS_DIRECTORY = path.resolve(__dirname, '../../migrations');

/**
 * The migrations under their source names (`x.ts`), whether they run from the sources (tsx) or compiled (`npm
 * run build`, `x.js` in dist/): knex records names, so one database can be migrated by either.
 */
const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    const files = await readdir(MIGRATIONS_DIRECTORY);
    return files.filter((file) => /\.(ts|js)$/.test(file) && !file.endsWith('.d.ts')).sort();
  },
  getMigrationName: (file) => file.replace(/\.js$/, '.ts'),
  getMigration: async (file) => (await import(path.join(MIGRATIONS_DIRECTORY, file))) as Knex.Migration,
};

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
    migrations: { migrationSource, tableName: 'knex_migrations' },
  });
}

/** The URL with its password replaced by `***`, fit for a log line or an error message. */
export function maskedUrl(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(not a URL)';
  }
}

/** Postgres could not be reached (or refused the login) at DATABASE_URL; the message says where, never how. */
export class DatabaseUnreachable extends Error {
  constructor(connectionString: string, cause: unknown) {
    const reason =
      cause instanceof Error ? cause.message || (cause as { code?: string }).code : String(cause);
    super(
      `Cannot connect to Postgres at DATABASE_URL=${maskedUrl(connectionString)} (${reason}). ` +
        'Start Postgres or set DATABASE_URL (in the environment or .env).',
      { cause },
    );
  }
}

/** Connects once and runs SELECT 1, so that a role fails at start, naming DATABASE_URL, when Postgres is not there. */
export async function checkDatabase(db: Db, connectionString: string): Promise<void> {
  try {
    await db.raw('SELECT 1');
  } catch (error) {
    throw new DatabaseUnreachable(connectionString, error);
  }
}

/** Creates the database named in the URL when it does not exist yet (quick start and tests). */
export async function ensureDatabase(connectionString: string): Promise<void> {
  const url = new URL(connectionString);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name))
    throw new Error(`Refusing to create database with unusual name "${name}"`);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect().catch((error: unknown) => {
    throw new DatabaseUnreachable(connectionString, error);
  });
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
