import { createHash } from 'node:crypto';
import { Transform, type Writable } from 'node:stream';
import type { Storage } from '../../../platform/storage';

export interface CommittedFile {
  key: string;
  size: number;
  sha256: string;
}

/**
 * The one way a run's output reaches storage: streamed under `temporaryKey` while its size and SHA-256 are
 * counted, then moved to `finalKey` in one atomic step, so a reader never sees a partial file. `write` streams
 * into the writable it is given (respecting backpressure) and may resolve with a value; the file is committed
 * only when `write` succeeds and `keep` approves the result (an empty export is no file). On any failure the
 * temporary file is removed and the error rethrown.
 */
export async function writeRunFile<T>(
  storage: Storage,
  keys: { temporaryKey: string; finalKey: string },
  write: (out: Writable) => Promise<T>,
  keep: (result: T, size: number) => boolean = () => true,
): Promise<{ result: T; file: CommittedFile | null }> {
  const hash = createHash('sha256');
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const upload = storage.write(keys.temporaryKey, measure);
  let result: T;
  try {
    result = await write(measure);
    if (!measure.writableEnded) measure.end();
    await upload;
  } catch (error) {
    measure.destroy();
    await upload.catch(() => undefined);
    await storage.delete(keys.temporaryKey);
    throw error;
  }
  if (!keep(result, size)) {
    await storage.delete(keys.temporaryKey);
    return { result, file: null };
  }
  await storage.move(keys.temporaryKey, keys.finalKey);
  return { result, file: { key: keys.finalKey, size, sha256: hash.digest('hex') } };
}
