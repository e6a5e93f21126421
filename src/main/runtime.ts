import { loadConfig, ConfigError, type Config } from '../config';
import { createDb, type Db } from '../platform/db';
import { createLogger, type Logger } from '../platform/logger';
import { closeRedis, createRedis, type Redis, type RedisRole } from '../platform/redis';

/** The connections every process role needs, built once per process. */
export interface Runtime {
  config: Config;
  logger: Logger;
  db: Db;
  /** Connection for commands (API, scheduler). */
  redis: Redis;
  close(): Promise<void>;
}

export function createRuntime(config: Config, role: RedisRole = 'api'): Runtime {
  const logger = createLogger(config.LOG_LEVEL, 'tixport', role === 'cli' ? 'stderr' : 'stdout');
  const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_MAX, {
    warn: (message) => logger.warn(message),
    error: (message) => logger.error(message),
  });
  const redis = createRedis(config.REDIS_URL, role);
  // ioredis emits 'error' on every failed reconnect; without a listener Node would crash the process.
  redis.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis connection error'));
  return {
    config,
    logger,
    db,
    redis,
    async close() {
      await Promise.all([closeRedis(redis), db.destroy()]);
    },
  };
}

export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Runs a process role: loads the config (exit 1 with a clear message when it is bad), starts the role, and
 * stops it gracefully on SIGTERM/SIGINT (stop intake, drain, close pools). A second signal forces the exit.
 */
export function runMain(name: string, start: (config: Config) => Promise<Stoppable>): void {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.LOG_LEVEL, name);
  const starting = start(config);
  // Listening from the first moment: a signal that arrives while the role starts stops it once it has started,
  // instead of killing it half-started (Node's default for SIGTERM).
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    starting
      .then((running) => running.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'unclean shutdown');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  starting.catch((error: unknown) => {
    logger.fatal({ err: error }, 'failed to start');
    process.exit(1);
  });
}
