import type { Logger } from './logger';

export interface Tick {
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs` (and once at once when `immediately`), never overlapping itself. Errors are
 * logged, not thrown: a periodic task must survive a database or Redis hiccup and try again next time.
 */
export function every(
  name: string,
  intervalMs: number,
  task: () => Promise<unknown>,
  logger: Logger,
  options: { immediately?: boolean } = {},
): Tick {
  let running: Promise<void> | null = null;
  const runOnce = () => {
    if (running) return;
    running = task()
      .then(
        () => undefined,
        (error: unknown) => logger.error({ err: error, tick: name }, 'periodic task failed'),
      )
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(runOnce, intervalMs);
  timer.unref();
  if (options.immediately) runOnce();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
