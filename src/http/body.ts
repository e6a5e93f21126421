import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { BadRequest, CustomBodyError, UnsupportedMediaType } from '../shared/errors';

/**
 * Bodies are read by body-parser, which inflates `gzip`, `deflate` and `br`; its `limit` counts the inflated
 * bytes, so a small compressed body cannot grow past it (a "zip bomb" is a 413 like any other large body).
 */
const JSON_LIMIT = '5mb';
const json = express.json({ limit: JSON_LIMIT, type: ['application/json', 'application/*+json'] });
const form = express.urlencoded({ extended: true, limit: '1mb' });

/** What body-parser (through http-errors) attaches to the errors it passes on. */
interface BodyParserError {
  type?: string;
  status?: number;
  message?: string;
  charset?: string;
  encoding?: string;
}

/**
 * Every failure of reading a body is the client's: an unknown charset or Content-Encoding (415), a body that
 * is not what its Content-Encoding says or that ended early (400), one too large once inflated (413).
 */
function bodyParserErrorToAppError(error: unknown, req: Request): Error {
  const parserError = error as BodyParserError;
  switch (parserError?.type) {
    case 'entity.parse.failed':
      return new BadRequest(`JSON parse error - ${parserError.message ?? 'invalid JSON'}`);
    case 'entity.too.large':
      return new CustomBodyError(413, { detail: 'Request body too large.' });
    case 'charset.unsupported':
      return new UnsupportedMediaType(req.get('Content-Type') ?? '');
    case 'encoding.unsupported':
      return new CustomBodyError(415, {
        detail: `Unsupported content encoding "${req.get('Content-Encoding') ?? ''}" in request.`,
      });
    case 'parameters.too.many':
      return new CustomBodyError(413, { detail: 'Too many parameters in request body.' });
  }
  const status = parserError?.status;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new BadRequest(`Malformed request body - ${parserError.message ?? 'could not be read'}`);
  return error instanceof Error ? error : new Error(String(error));
}

function hasBody(req: Request): boolean {
  return Number(req.get('Content-Length') ?? 0) > 0 || req.get('Transfer-Encoding') !== undefined;
}

function parseWith(parser: RequestHandler, req: Request, res: Response, next: NextFunction): void {
  void parser(req, res, (error?: unknown) => next(error ? bodyParserErrorToAppError(error, req) : undefined));
}

/** JSON and form bodies, as pretix accepts them; any other type of non-empty body is refused with 415. */
export const parseBody: RequestHandler = (req, res, next) => {
  if (!hasBody(req)) return next();
  if (req.is(['application/json', 'application/*+json'])) return parseWith(json, req, res, next);
  if (req.is('application/x-www-form-urlencoded')) return parseWith(form, req, res, next);
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'DELETE') return next();
  throw new UnsupportedMediaType(req.get('Content-Type') ?? '');
};
