import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout; request ids are added by child loggers in the HTTP layer and in jobs. */
export function createLogger(level: string, name = 'tixport'): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}
