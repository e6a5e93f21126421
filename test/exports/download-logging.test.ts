import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { requestContext } from '../../src/http/request-context';
import type { TestContext } from '../support/app';
import {
  createExportsContext,
  download,
  eventWithTicket,
  pathOf,
  startTestWorker,
  waitFor,
  type TestWorker,
} from './support';

/** Log lines as the process would write them, kept for the assertions. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );
  return { logger, lines };
}

/** GET over a raw socket that reads `untilBytes` of the body (or all of it) and then drops the connection. */
function rawGet(port: number, path: string, headers: Record<string, string>, untilBytes?: number) {
  return new Promise<{ status: number; body: number; length: number }>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
      socket.write(`GET ${path} HTTP/1.1\r\nHost: tixport.test\r\n${lines.join('')}\r\n`);
    });
    let head = Buffer.alloc(0);
    let parsed: { status: number; length: number } | undefined;
    let body = 0;
    socket.on('data', (chunk: Buffer) => {
      if (!parsed) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        const text = head.subarray(0, end).toString();
        parsed = {
          status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)![1]),
          length: Number(/content-length: (\d+)/i.exec(text)?.[1] ?? 0),
        };
        body = head.length - end - 4;
      } else body += chunk.length;
      // The client has what it wanted and hangs up at once, as curl or a browser may.
      if (body >= (untilBytes ?? parsed.length)) {
        socket.destroy();
        resolve({ status: parsed.status, body, length: parsed.length });
      }
    });
    socket.on('error', reject);
  });
}

describe('downloads are logged as what happened', () => {
  let ctx: TestContext;
  let worker: TestWorker;
  let server: Server;
  const { logger, lines } = capturingLogger();

  beforeAll(async () => {
    ctx = createExportsContext({}, { logger });
    worker = startTestWorker(ctx);
    server = ctx.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await worker.stop();
    await ctx.close();
  });

  test('a complete download whose client hangs up at the last byte has one access line and no "went away"', async () => {
    const { organizer, event, authorization, data, ticket } = await eventWithTicket(ctx.runtime.db);
    for (let i = 0; i < 30; i++)
      await data.order(event.id, { email: `b${i}@example.org`, positions: [{ itemId: ticket.id }] });
    const run = await request(ctx.app)
      .post(`/api/v1/organizers/${organizer.slug}/events/${event.slug}/exporters/orderlist/run/`)
      .set('Authorization', authorization)
      .send({ _format: 'xlsx' })
      .expect(202);
    const url = run.body.download as string;
    await download(ctx.app, url, authorization);

    const { port } = server.address() as AddressInfo;
    const times = 25;
    for (let i = 0; i < times; i++) {
      const got = await rawGet(port, pathOf(url), {
        Authorization: authorization,
        'X-Request-Id': `dl-${i}`,
      });
      expect(got).toMatchObject({ status: 200, body: got.length });
    }
    const ours = (line: Record<string, unknown>) => String(line.reqId).startsWith('dl-');
    const access = await waitFor('an access line per download', async () => {
      const found = lines.filter((line) => ours(line) && line.msg === 'request');
      return found.length === times ? found : undefined;
    });
    expect(access.every((line) => line.status === 200 && line.aborted === undefined)).toBe(true);
    expect(lines.filter((line) => ours(line) && line.msg !== 'request')).toEqual([]);
  }, 60_000);
});

describe('a client that goes away mid-response', () => {
  test('still gets its access line, marked aborted', async () => {
    const { logger, lines } = capturingLogger();
    const app = express();
    app.use(requestContext(logger));
    // Headers and a first part, then the rest never comes: the client leaves in between.
    app.get('/slow', (_req, res) => {
      res.setHeader('Content-Length', '1000');
      res.write('x'.repeat(100));
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const got = await rawGet(port, '/slow', { 'X-Request-Id': 'gone-1' }, 100);
      expect(got).toMatchObject({ status: 200, body: 100, length: 1000 });
      const line = await waitFor('the access line', async () =>
        lines.find((l) => l.reqId === 'gone-1' && l.msg === 'request'),
      );
      expect(line).toMatchObject({ method: 'GET', url: '/slow', status: 200, aborted: true });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
