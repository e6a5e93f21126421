import { readFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { freePort, npm, ROOT, survivorsAfter } from '../support/processes';

/**
 * Production runs the compiled code (`npm run build`, then `node dist/…`, as the Dockerfile and compose do):
 * no tsx at run time, migrations recorded under the same names as from the sources, SIGTERM handled by node.
 */
const outDir = path.join(ROOT, 'test-artifacts', `build-${process.pid}`);
const database = `tixport_build_${process.pid}`;
const databaseUrl = (() => {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${database}`;
  return url.toString();
})();

afterAll(async () => {
  rmSync(outDir, { recursive: true, force: true });
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await client.end();
});

/** The `node dist/…` commands the Dockerfile and docker-compose.yml run, as [script, ...args]. */
function containerCommands(): string[][] {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const compose = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)![1]!;
  const commands = [JSON.parse(cmd) as string[]];
  for (const match of compose.matchAll(/^\s+command: (\[.*\])$/gm)) {
    const command = JSON.parse(match[1]!.replace(/'/g, '"')) as string[];
    if (command[0] === 'node') commands.push(command);
  }
  return commands;
}

test('npm run build compiles what the Dockerfile and compose run, and the compiled API migrates, serves and stops on SIGTERM', async () => {
  const build = npm(['run', 'build', '--', '--outDir', outDir], { cwd: ROOT, env: process.env });
  expect(await build.exited).toBe(0);

  const commands = containerCommands();
  expect(commands.map((c) => c.slice(0, 2))).toEqual([
    ['node', 'dist/src/main/api.js'],
    ['node', 'dist/src/main/cli.js'],
    ['node', 'dist/src/main/api.js'],
    ['node', 'dist/src/main/worker.js'],
    ['node', 'dist/src/main/scheduler.js'],
  ]);
  for (const [, script] of commands)
    expect([script, existsSync(path.join(outDir, script!.replace(/^dist\//, '')))]).toEqual([script, true]);

  const port = await freePort();
  const env = { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), LOG_LEVEL: 'info' };
  const node = (script: string, args: string[] = []) =>
    spawn(process.execPath, [path.join(outDir, script), ...args], { cwd: ROOT, env, stdio: 'pipe' });

  const migrate = node('src/main/cli.js', ['db:migrate']);
  let migrated = '';
  migrate.stdout.on('data', (chunk: Buffer) => (migrated += chunk.toString()));
  expect(await new Promise((resolve) => migrate.once('exit', resolve))).toBe(0);
  expect(JSON.parse(migrated).applied).toContain('20261130000100_accounts.ts');

  const api = node('src/main/api.js');
  let out = '';
  api.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => api.once('exit', resolve));
  const deadline = Date.now() + 30_000;
  while (!out.includes('"msg":"api listening"') && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  expect((await fetch(`http://127.0.0.1:${port}/api/v1/`)).status).toBe(200);

  api.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(await survivorsAfter([api.pid!])).toEqual([]);
  expect(out.trim().split('\n').pop()).toContain('"msg":"stopped"');
}, 180_000);
