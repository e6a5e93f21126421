import { Queue, type ConnectionOptions, type QueueOptions } from 'bullmq';

/**
 * Every queue of one deployment shares the key prefix from QUEUE_PREFIX, so tests (and several tixport
 * installations on one Redis) never see each other's jobs.
 */
export function createQueue<T = unknown>(
  name: string,
  connection: ConnectionOptions,
  prefix: string,
  options: Partial<QueueOptions> = {},
): Queue<T> {
  return new Queue<T>(name, { connection, prefix, ...options });
}
