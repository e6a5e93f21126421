import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, NotFound } from '../shared/errors';

/** Unknown routes answer JSON too, so API clients never have to parse an HTML page. */
export const notFoundHandler: RequestHandler = () => {
  throw new NotFound();
};

export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  if (res.headersSent) {
    // Mid-stream (a download): the status is gone already. A client that hung up before the end is routine
    // (the access log line says aborted), anything else is logged as an error; either way the connection is
    // closed so the client sees a truncated, not a "complete", body.
    const aborted = (error as { code?: string })?.code === 'ERR_STREAM_PREMATURE_CLOSE';
    if (aborted) res.locals.log?.info({ url: req.originalUrl }, 'client went away before the response ended');
    else res.locals.log?.error({ err: error, url: req.originalUrl }, 'error after headers were sent');
    res.destroy();
    return;
  }
  if (error instanceof AppError) {
    res.status(error.status).set(error.headers).json(error.body());
    return;
  }
  const log = res.locals.log;
  log?.error({ err: error, method: req.method, url: req.originalUrl }, 'unhandled error');
  res.status(500).json({ detail: 'Internal server error.' });
};
