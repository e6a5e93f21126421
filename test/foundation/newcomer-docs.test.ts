import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { CONFIG_KEYS, loadConfig } from '../../src/config';
import { createTestContext, type TestContext } from '../support/app';
import { registeredRoutes } from '../support/routes';

/** What a newcomer reads first must be true: .env.example, package.json's description, the README's scripts. */
const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
let ctx: TestContext;

beforeAll(() => {
  ctx = createTestContext();
});
afterAll(() => ctx.close());

describe('.env.example', () => {
  const example = parseEnv(read('.env.example'));

  test('lists every key the configuration validates, and no other', () => {
    expect(Object.keys(example).sort()).toEqual([...CONFIG_KEYS].sort());
  });

  test('copied to .env as it is, is a valid configuration', () => {
    expect(() => loadConfig(example)).not.toThrow();
  });
});

describe("package.json's description", () => {
  /** Capabilities a description might claim, and the route that shows one is there. */
  const CLAIMS: [RegExp, RegExp][] = [
    [/exporters/i, /\/exporters\/:identifier\/run\/$/],
    [/scheduled exports/i, /\/scheduled_exports\//],
    [/shredders/i, /\/shredders\//],
    [/OAuth/, /\/oauth\/authorize$/],
  ];

  test('claims only what the router serves', () => {
    const { description } = JSON.parse(read('package.json')) as { description: string };
    const paths = registeredRoutes(ctx.app).map((route) => route.path);
    for (const [claim, route] of CLAIMS)
      if (claim.test(description))
        expect([claim.source, paths.some((p) => route.test(p))]).toEqual([claim.source, true]);
  });
});

describe('README', () => {
  test('every `npm run <script>` and `npm start`/`npm test` it names exists in package.json', () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    const readme = read('README.md');
    const named = [...readme.matchAll(/npm run (?:-s )?([a-z][\w:-]*)/g)].map((m) => m[1]!);
    named.push(...[...readme.matchAll(/\/ `(start:\w+)`/g)].map((m) => m[1]!), 'start', 'test');
    for (const script of new Set(named))
      expect([script, scripts[script] !== undefined]).toEqual([script, true]);
  });

  test('the start scripts run node directly, so a signal to npm reaches the server', () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    for (const name of ['start', 'start:api', 'start:worker', 'start:scheduler'])
      expect([name, scripts[name]]).toEqual([name, expect.stringMatching(/^exec node /)]);
  });
});
