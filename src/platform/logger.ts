import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout; request ids are added by child loggers in the HTTP layer and in jobs. */
export function createLogger(
  level: string,
  name = 'tixport',
  destination: 'stdout' | 'stderr' = 'stdout',
): Logger {
  // The CLI's stdout is its JSON result, so its logs go to stderr.
  return pino(
    { name, level, base: { pid: process.pid } },
    pino.destination(destination === 'stdout' ? 1 : 2),
  );
}
