import type { Logger } from './logger';

export interface PeriodicTask {
  stop(): Promise<void>;
}

/**
 * Runs `task` every `everyMs`, never overlapping itself; a failure is logged and the next run still happens.
 * stop() waits for a run in progress, so shutdown never cuts a task in half.
 */
export function every(
  name: string,
  everyMs: number,
  task: () => Promise<unknown>,
  logger: Logger,
): PeriodicTask {
  let running: Promise<void> | null = null;
  let stopped = false;
  const run = () => {
    if (running || stopped) return;
    running = task()
      .then((result) => logger.debug({ task: name, result }, 'periodic task done'))
      .catch((error: unknown) => logger.error({ err: error, task: name }, 'periodic task failed'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(run, everyMs);
  run();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
