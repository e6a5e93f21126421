import { loadConfig } from './src/config';

// Used by the knex CLI only; the application builds its own knex instance in src/platform/db.ts.
const config = loadConfig();

export default {
  client: 'pg',
  connection: config.DATABASE_URL,
  migrations: { directory: './migrations', loadExtensions: ['.ts'], tableName: 'knex_migrations' },
};
