import { Queue, type ConnectionOptions, type JobsOptions, type QueueOptions } from 'bullmq';
import { ServiceUnavailable } from '../shared/errors';

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

const ENQUEUE_TIMEOUT_MS = 3000;

/**
 * Adds a job, failing fast with 503 when Redis does not answer within 3 s: callers enqueue inside their database
 * transaction, which then rolls back, so a run row never exists without its job (nor a job without its row).
 */
export async function enqueue<T>(
  queue: Queue<T>,
  name: string,
  data: T,
  options: JobsOptions,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('enqueue timed out')), ENQUEUE_TIMEOUT_MS);
  });
  try {
    // BullMQ's generic name types do not line up with a plain string name; the call is the documented one.
    await Promise.race([(queue as Queue).add(name, data, options), timeout]);
  } catch (error) {
    throw Object.assign(new ServiceUnavailable('The job queue is unavailable, try again later.'), {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}
