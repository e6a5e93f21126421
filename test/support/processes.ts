import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, copyFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

export function freePort(): Promise<number> {
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

/**
 * A copy of the project a newcomer would have: its own package.json and `.env` (the real ones are left alone),
 * the code, migrations and node_modules linked from this checkout. `npm run` runs scripts in that directory.
 */
export function scratchProject(dotEnv: Record<string, string>): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tixport-project-'));
  copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  for (const entry of ['node_modules', 'src', 'migrations', 'test', 'tsconfig.json', 'jest.config.js'])
    symlinkSync(path.join(ROOT, entry), path.join(dir, entry));
  const lines = Object.entries(dotEnv).map(([key, value]) => `${key}=${value}`);
  writeFileSync(path.join(dir, '.env'), `# written by a test\n${lines.join('\n')}\n`);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The environment of the test run without the keys a test wants to come from `.env` instead. */
export function envWithout(keys: string[], extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of keys) delete env[key];
  return env;
}

export interface Started {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout+stderr; rejects when the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
}

/** `npm <args>` as a user types it, in `cwd`. */
export function npm(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Started {
  const child = spawn('npm', args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end();
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const poll = () => {
          const match = pattern.exec(out + err);
          if (match) return resolve(match);
          if (child.exitCode !== null)
            return reject(new Error(`exited ${child.exitCode} before ${pattern}: ${out}\n${err}`));
          if (Date.now() > deadline) return reject(new Error(`no ${pattern} in time: ${out}\n${err}`));
          setTimeout(poll, 50);
        };
        poll();
      });
    },
  };
}

/** The pids of `pid` and every process below it, read from ps. */
export function processTree(pid: number): number[] {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const tree = [pid];
  for (let i = 0; i < tree.length; i++)
    for (const [child, parent] of rows) if (parent === tree[i]) tree.push(child);
  return tree;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until none of `pids` exists any more; returns those still alive at the deadline. */
export async function survivorsAfter(pids: number[], timeoutMs = 10_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let living = pids.filter(alive);
  while (living.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    living = living.filter(alive);
  }
  return living;
}
