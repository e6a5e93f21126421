import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';

const ROOT = path.resolve(__dirname, '../..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

describe('npm start (all roles in one process)', () => {
  const database = `tixport_quickstart_${process.pid}`;
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${database}`;
  const admin = new URL(url.toString());
  admin.pathname = '/postgres';

  afterAll(async () => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await client.end();
  });

  test('creates and migrates a missing database, serves, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['src/main/all.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: url.toString(),
        PORT: String(port),
        LOG_LEVEL: 'warn',
        QUEUE_PREFIX: `qs-${process.pid}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const announced = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start line; stderr: ${stderr}`)), 45_000);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /tixport is running at (\S+)/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
    });
    expect(announced).toBe(`http://localhost:${port}/api/v1/`);

    const health = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(health.status).toBe(200);
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const migrated = await client.query(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'team_api_tokens'",
    );
    await client.end();
    expect(migrated.rows[0].n).toBe(1);

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
