import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import request from 'supertest';
import { createStorage, type Storage } from '../../src/platform/storage';
import type { TestContext } from '../support/app';
import { readXlsx } from './files';
import {
  createExportsContext,
  download,
  eventWithTicket,
  pathOf,
  startTestWorker,
  type TestWorker,
} from './support';

const BUCKET = 'tixport-exports';
let server: S3rver;
let endpoint: string;
let ctx: TestContext;
let worker: TestWorker;

async function streamToBuffer(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: mkdtempSync(path.join(tmpdir(), 'tixport-s3rver-')),
    configureBuckets: [{ name: BUCKET }],
  });
  const address: AddressInfo = await server.run();
  endpoint = `http://127.0.0.1:${address.port}`;
  ctx = createExportsContext({
    STORAGE_DRIVER: 's3',
    S3_BUCKET: BUCKET,
    S3_ENDPOINT: endpoint,
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
  });
  worker = startTestWorker(ctx);
});
afterAll(async () => {
  await worker.stop();
  await ctx.close();
  await server.close();
});

describe('S3 storage driver (against an in-process S3 server)', () => {
  let storage: Storage;
  beforeAll(() => {
    storage = createStorage(ctx.config);
  });

  test('writes a large file in parts, moves it, reads it whole and by range, deletes it', async () => {
    const body = randomBytes(11 * 1024 * 1024);
    await storage.write('tmp/big-1', Readable.from([body.subarray(0, 5_000_000), body.subarray(5_000_000)]));
    await storage.move('tmp/big-1', 'final/big-1');
    expect((await streamToBuffer(await storage.read('final/big-1'))).equals(body)).toBe(true);
    const slice = await streamToBuffer(await storage.read('final/big-1', { start: 100, end: 199 }));
    expect(slice.equals(body.subarray(100, 200))).toBe(true);
    await storage.delete('final/big-1');
    await expect(storage.read('final/big-1')).rejects.toThrow();
    await storage.delete('final/never-existed');
  });

  test('an export runs into the bucket and downloads with ranges through the API', async () => {
    const { organizer, event, authorization, data, ticket } = await eventWithTicket(ctx.runtime.db);
    await data.order(event.id, { code: 'S3ORD', positions: [{ itemId: ticket.id }] });
    const run = await request(ctx.app)
      .post(`/api/v1/organizers/${organizer.slug}/events/${event.slug}/exporters/orderlist/run/`)
      .set('Authorization', authorization)
      .send({ _format: 'xlsx' });
    expect(run.status).toBe(202);
    const res = await download(ctx.app, run.body.download, authorization);
    expect(res.status).toBe(200);
    const sheets = await readXlsx(res.body);
    expect(sheets.get('Orders')![1]![2]).toBe('S3ORD');

    const part = await request(ctx.app)
      .get(pathOf(run.body.download))
      .set('Authorization', authorization)
      .set('Range', 'bytes=0-3');
    expect(part.status).toBe(206);

    const client = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const id = run.body.download.split('/').at(-2);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    const keys = (listed.Contents ?? []).map((o) => o.Key);
    expect(keys).toContain(`exports/${id}-1`);
    expect(keys.filter((k) => k?.startsWith('tmp/'))).toEqual([]);
  });
});
