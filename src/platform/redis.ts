import IORedis, { type Redis } from 'ioredis';

export type { Redis };

/**
 * BullMQ needs maxRetriesPerRequest=null on the connections its workers block on. API processes fail fast
 * instead (enableOfflineQueue=false), so that a request answers 503 rather than hanging while Redis is down.
 */
export function createRedis(url: string, role: 'api' | 'worker'): Redis {
  return new IORedis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    lazyConnect: false,
  });
}
