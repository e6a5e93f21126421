import { execFileSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';

/**
 * One fresh database per test run, created and migrated here with the real `db:migrate` command. Test files
 * share it but each creates its own organizers, events and tokens with random slugs.
 */
export default async function globalSetup(): Promise<void> {
  const base = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const name = `tixport_test_${process.pid}_${Date.now()}`;
  base.pathname = `/${name}`;
  process.env.DATABASE_URL = base.toString();
  process.env.TIXPORT_TEST_DATABASE = name;
  const root = path.resolve(__dirname, '../..');
  execFileSync(path.join(root, 'node_modules/.bin/tsx'), ['src/main/cli.ts', 'db:migrate'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // Leftovers of runs that were killed before their teardown.
  const admin = new pg.Client({ connectionString: adminUrl(base) });
  await admin.connect();
  const stale = await admin.query(
    "SELECT datname FROM pg_database WHERE datname LIKE 'tixport_test_%' AND datname <> $1",
    [name],
  );
  for (const row of stale.rows as { datname: string }[]) {
    const [, pid] = row.datname.split('_').slice(1);
    if (pid && !processAlive(Number(pid)))
      await admin.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
  }
  await admin.end();
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function adminUrl(url: URL): string {
  const admin = new URL(url.toString());
  admin.pathname = '/postgres';
  return admin.toString();
}
