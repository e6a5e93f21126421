import path from 'node:path';
import pg from 'pg';
import {
  alive,
  envWithout,
  freePort,
  npm,
  processTree,
  ROOT,
  scratchProject,
  survivorsAfter,
  type Started,
} from '../support/processes';

/**
 * What the README promises a newcomer, run as they would run it: the real npm scripts as child processes, in a
 * project directory of their own with a `.env`, against a database the test creates and drops.
 */
const database = `tixport_scripts_${process.pid}`;
const databaseUrl = (() => {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${database}`;
  return url.toString();
})();
const adminUrl = (() => {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
})();
const started: Started[] = [];

async function dropDatabase(): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await client.end();
}

beforeAll(dropDatabase);
afterAll(async () => {
  // A failed assertion must not leave a server behind: stop what this file started, by pid.
  for (const run of started)
    for (const pid of processTree(run.child.pid!).filter(alive)) process.kill(pid, 'SIGKILL');
  await dropDatabase();
});

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv): Started {
  const child = npm(args, { cwd, env });
  started.push(child);
  return child;
}

/** Sends `signal` to the npm process only, as `kill` from a shell or a process manager would. */
async function stop(
  run: Started,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; survivors: number[] }> {
  const tree = processTree(run.child.pid!);
  expect(tree.length).toBeGreaterThan(1);
  process.kill(run.child.pid!, signal);
  const code = await run.exited;
  const survivors = await survivorsAfter(tree);
  // Re-parented survivors are no longer below npm, so afterAll would not find them: end them here.
  for (const pid of survivors) process.kill(pid, 'SIGKILL');
  return { code, survivors };
}

const lastLogLine = (stdout: string) =>
  JSON.parse(
    stdout
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .pop() ?? '{}',
  ) as { msg?: string; signal?: string };

describe('npm run demo, then npm start (the README, configured by .env)', () => {
  let project: ReturnType<typeof scratchProject>;
  let port: number;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    port = await freePort();
    // .env says LOG_LEVEL=silent, the environment says info: the environment must win (the logs appear).
    project = scratchProject({
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      QUEUE_PREFIX: `scripts-${process.pid}`,
      LOG_LEVEL: 'silent',
    });
    env = envWithout(['DATABASE_URL', 'PORT', 'QUEUE_PREFIX', 'SITE_URL'], { LOG_LEVEL: 'info' });
  });
  afterAll(() => project.remove());

  test('the demo creates the database, seeds it and prints a token with curl lines that work once started; SIGTERM to npm stops every process with a final log line and exit 0', async () => {
    const demo = run(['run', '-s', 'demo'], project.dir, env);
    expect(await demo.exited).toBe(0);
    const printed = JSON.parse(demo.stdout()) as { token: string; curl: string[] };
    expect(printed.curl).toHaveLength(3);

    const server = run(['start'], project.dir, env);
    const [, announced] = await server.waitFor(/tixport is running at (\S+)/);
    expect(announced).toBe(`http://localhost:${port}/api/v1/`);

    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const root = await fetch(announced!);
    expect(root.status).toBe(200);
    expect(await root.json()).toMatchObject({ organizers: `http://localhost:${port}/api/v1/organizers/` });
    for (const line of printed.curl) {
      const [, header, url] = /curl -H "([^"]+)" "([^"]+)"/.exec(line)!;
      const [name, value] = header!.split(': ');
      const res = await fetch(url!, { headers: { [name!]: value! } });
      expect([url, res.status]).toEqual([url, 200]);
    }
    const orders = (await (
      await fetch(`http://localhost:${port}/api/v1/organizers/demo/events/democon/orders/`, {
        headers: { Authorization: `Token ${printed.token}` },
      })
    ).json()) as { count: number };
    expect(orders.count).toBe(1000);

    const { code, survivors } = await stop(server, 'SIGTERM');
    expect({ code, survivors }).toEqual({ code: 0, survivors: [] });
    expect(lastLogLine(server.stdout())).toMatchObject({ msg: 'stopped', signal: 'SIGTERM' });
  }, 180_000);

  test.each([
    ['start:api', /"msg":"api listening"/, 'SIGTERM'],
    ['start:worker', /"msg":"worker started"/, 'SIGTERM'],
    ['start:scheduler', /"msg":"scheduler started"/, 'SIGINT'],
  ] as const)(
    'npm run %s stops on %s with exit 0 and no process left',
    async (script, ready, signal) => {
      const role = run(['run', script], project.dir, env);
      await role.waitFor(ready);
      const { code, survivors } = await stop(role, signal);
      expect({ code, survivors }).toEqual({ code: 0, survivors: [] });
      expect(lastLogLine(role.stdout())).toMatchObject({ msg: 'stopped', signal });
    },
    90_000,
  );

  test('a bad value in .env stops the process with a message naming the key', async () => {
    const bad = scratchProject({ DATABASE_URL: databaseUrl, PORT: 'eighty' });
    try {
      const role = run(['start'], bad.dir, envWithout(['DATABASE_URL', 'PORT']));
      expect(await role.exited).toBe(1);
      expect(role.stderr()).toContain('PORT:');
    } finally {
      bad.remove();
    }
  }, 60_000);
});

test('an unreachable database stops npm start with a message naming DATABASE_URL, password masked', async () => {
  const unreachable = `postgres://postgres:s3cret-pw@127.0.0.1:${await freePort()}/tixport`;
  const role = run(['start'], ROOT, { ...process.env, DATABASE_URL: unreachable, LOG_LEVEL: 'silent' });
  expect(await role.exited).toBe(1);
  const stderr = role.stderr();
  expect(stderr).toContain(`DATABASE_URL=postgres://postgres:***@127.0.0.1:`);
  expect(stderr).toContain('ECONNREFUSED');
  expect(stderr + role.stdout()).not.toContain('s3cret-pw');
}, 60_000);

test('npm test runs jest over the test directory, this file included', async () => {
  const listing = run(['test', '--', '--listTests'], ROOT, process.env);
  expect(await listing.exited).toBe(0);
  expect(listing.stdout()).toContain(path.join('test', 'foundation', 'start-scripts.test.ts'));
}, 60_000);
