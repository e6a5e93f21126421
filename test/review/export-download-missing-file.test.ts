import request from 'supertest';
import { createStorage } from '../../src/platform/storage';
import type { TestContext } from '../support/app';
import {
  binaryParser,
  createExportsContext,
  download,
  eventWithTicket,
  pathOf,
  startTestWorker,
} from '../exports/support';

let ctx: TestContext;
afterEach(() => ctx?.close());

const idOf = (url: string) => url.split('/').at(-2)!;

describe('a download whose stored file has gone missing', () => {
  test('answers 410 "Internal error" (not 500), also on HEAD and on later requests', async () => {
    ctx = createExportsContext();
    const { organizer, event, authorization } = await eventWithTicket(ctx.runtime.db);
    const worker = startTestWorker(ctx);
    try {
      const run = await request(ctx.app)
        .post(`/api/v1/organizers/${organizer.slug}/events/${event.slug}/exporters/json/run/`)
        .set('Authorization', authorization)
        .send({});
      expect(run.status).toBe(202);
      const url = run.body.download as string;
      expect((await download(ctx.app, url, authorization)).status).toBe(200);

      // The storage lost the file (an operator cleaned the directory, a bucket lifecycle rule, …).
      const row = await ctx.runtime.db('exports').where('id', idOf(url)).first();
      await createStorage(ctx.config).delete(row.file_key);

      const head = await request(ctx.app).head(pathOf(url)).set('Authorization', authorization);
      expect(head.status).toBe(410);
      for (let i = 0; i < 2; i++) {
        const res = await request(ctx.app)
          .get(pathOf(url))
          .set('Authorization', authorization)
          .buffer(true)
          .parse(binaryParser);
        expect(res.status).toBe(410);
        expect(res.headers['content-disposition']).toBeUndefined();
        expect(JSON.parse(res.body.toString())).toEqual({ status: 'failed', message: 'Internal error' });
      }
      const failed = await ctx.runtime.db('exports').where('id', idOf(url)).first();
      expect(failed).toMatchObject({ status: 'failed', message: 'Internal error' });
    } finally {
      await worker.stop();
    }
  });
});
