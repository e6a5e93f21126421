import IORedis, { type Redis } from 'ioredis';

export type { Redis };

export type RedisRole = 'api' | 'worker' | 'cli';

/**
 * BullMQ needs maxRetriesPerRequest=null on the connections its workers block on. API processes fail fast
 * instead (enableOfflineQueue=false), so that a request answers 503 rather than hanging while Redis is down.
 * The CLI connects only if a command actually uses Redis.
 */
export function createRedis(url: string, role: RedisRole): Redis {
  return new IORedis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role !== 'api',
    lazyConnect: role === 'cli',
  });
}

/** Closes a connection and resolves once ioredis has really ended it (no reconnect timer left behind). */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  // Between reconnect attempts there is no socket: disconnect() only clears the timer and emits nothing.
  const waitingToReconnect = redis.status === 'reconnecting';
  const ended = new Promise<void>((resolve) => redis.once('end', () => resolve()));
  redis.disconnect(false);
  if (waitingToReconnect || (redis.status as string) === 'end') return;
  await ended;
}

/**
 * Resolves once the connection is ready (or `timeoutMs` passed: then rejects naming the URL's host). A role
 * that sends commands at start-up on a connection without an offline queue must wait for this first.
 */
export async function waitUntilReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  if (redis.status === 'wait') await redis.connect().catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new Error(
          `Redis at ${redis.options.host}:${redis.options.port} did not become ready in ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    if (redis.status === 'ready') onReady();
    else redis.on('ready', onReady);
  });
}
