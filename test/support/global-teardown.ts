import pg from 'pg';
import { adminUrl } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const name = process.env.TIXPORT_TEST_DATABASE;
  if (!name || process.env.KEEP_TEST_DATABASE) return;
  const admin = new pg.Client({ connectionString: adminUrl(new URL(process.env.DATABASE_URL!)) });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}
