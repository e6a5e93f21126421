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
