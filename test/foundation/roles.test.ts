import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Waits until the child's stdout has a log line with `msg`, failing if it exits first or after 30 s. */
function lineWith(child: ChildProcess, msg: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`no "${msg}" line; stderr: ${stderr}`)), 30_000);
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.split('\n').some((line) => line.includes(`"msg":"${msg}"`))) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before "${msg}": ${stderr}${stdout}`));
    });
  });
}

const exitCode = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

describe('each role runs alone as its own process (start:api, start:worker, start:scheduler)', () => {
  test.each([
    ['api', 'src/main/api.ts', 'api listening'],
    ['worker', 'src/main/worker.ts', 'worker started'],
    ['scheduler', 'src/main/scheduler.ts', 'scheduler started'],
  ])('%s starts, stays up until SIGTERM, and then exits 0', async (_role, script, started) => {
    // node with tsx's loader (not the tsx wrapper): the signal reaches the role itself.
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'info', PORT: '0', QUEUE_PREFIX: `roles-${process.pid}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await lineWith(child, started);
      expect(child.exitCode).toBeNull();
      const exited = exitCode(child);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
