import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Config } from '../config';

/** An inclusive byte range, as in HTTP Range. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where result files live. Keys are relative, slash-separated and made of [a-z0-9._/-]. Writers put a file
 * under a temporary key and `move` it to its final key once complete, so a reader never sees a partial file.
 */
export interface Storage {
  /** Streams `body` into `key` (replacing it) and resolves once every byte is stored. */
  write(key: string, body: Readable): Promise<void>;
  move(fromKey: string, toKey: string): Promise<void>;
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** Deletes `key`; a missing key is not an error. */
  delete(key: string): Promise<void>;
}

const SAFE_KEY = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;

function checkKey(key: string): string {
  if (!SAFE_KEY.test(key)) throw new Error(`unsafe storage key ${JSON.stringify(key)}`);
  return key;
}

export class FsStorage implements Storage {
  private readonly root: string;
  constructor(root: string) {
    this.root = path.resolve(root);
  }
  private pathOf(key: string): string {
    return path.join(this.root, ...checkKey(key).split('/'));
  }
  async write(key: string, body: Readable): Promise<void> {
    const file = this.pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    await pipeline(body, createWriteStream(file));
  }
  async move(fromKey: string, toKey: string): Promise<void> {
    const target = this.pathOf(toKey);
    await mkdir(path.dirname(target), { recursive: true });
    // rename(2) within one file system is atomic: the final key holds the whole file or nothing.
    await rename(this.pathOf(fromKey), target);
  }
  async read(key: string, range?: ByteRange): Promise<Readable> {
    const stream = createReadStream(this.pathOf(key), range ? { start: range.start, end: range.end } : {});
    // Surface "missing file" here rather than as a stream error after headers went out.
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return stream;
  }
  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}

/** True for a read of a key the store does not hold (fs ENOENT, S3 NoSuchKey). */
export function isMissingFile(error: unknown): boolean {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  return code === 'ENOENT' || name === 'NoSuchKey' || name === 'NotFound';
}

export class S3Storage implements Storage {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}
  async write(key: string, body: Readable): Promise<void> {
    // Multipart upload in 8 MiB parts: memory stays bounded whatever the file size, and S3 only shows the
    // object once the upload completes.
    await new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: checkKey(key), Body: body },
      partSize: 8 * 1024 * 1024,
      queueSize: 2,
    }).done();
  }
  async move(fromKey: string, toKey: string): Promise<void> {
    await this.client.send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: checkKey(toKey),
        CopySource: `${this.bucket}/${checkKey(fromKey)}`,
      }),
    );
    await this.delete(fromKey);
  }
  async read(key: string, range?: ByteRange): Promise<Readable> {
    const result = await this.client.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: checkKey(key),
        Range: range ? `bytes=${range.start}-${range.end}` : undefined,
      }),
    );
    return result.Body as Readable;
  }
  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: checkKey(key) }));
  }
}

export function createStorage(config: Config): Storage {
  if (config.STORAGE_DRIVER === 'fs') return new FsStorage(config.STORAGE_DIR);
  const options: S3ClientConfig = {
    region: config.S3_REGION,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    // Many S3-compatible stores do not know the SDK's default CRC32 checksums; send them only where required.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
    ...(config.S3_ACCESS_KEY_ID
      ? {
          credentials: {
            accessKeyId: config.S3_ACCESS_KEY_ID,
            secretAccessKey: config.S3_SECRET_ACCESS_KEY,
          },
        }
      : {}),
  };
  return new S3Storage(new S3Client(options), config.S3_BUCKET);
}
