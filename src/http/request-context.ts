import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../platform/logger';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * Gives every request an id (the client's X-Request-Id if sane), a child logger carrying it, and one access log
 * line, written when the response is done with, however it ended: `aborted: true` when the connection closed
 * before the whole response was handed to it (a client that went away mid-download), never no line at all.
 */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('X-Request-Id');
    const requestId = incoming && CLIENT_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.locals.log = logger.child({ reqId: requestId });
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    const socket = req.socket;
    const bytesBefore = socket.bytesWritten;
    // 'close' follows 'finish' when the response completed and comes alone when the connection went first.
    res.once('close', () => {
      // sendFile marks a body whose every byte was written although the client hung up before the end.
      const aborted = !res.writableEnded && res.locals.bodyComplete !== true;
      res.locals.log.info(
        {
          method: req.method,
          url: req.originalUrl,
          status: res.statusCode,
          durationMs: Number(process.hrtime.bigint() - started) / 1e6,
          bytesWritten: socket.bytesWritten - bytesBefore,
          principal: res.locals.principal?.key,
          ...(aborted ? { aborted } : {}),
        },
        'request',
      );
    });
    next();
  };
}
