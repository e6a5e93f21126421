import express, { type RequestHandler } from 'express';
import { UnsupportedMediaType } from '../shared/errors';

const json = express.json({ limit: '5mb', type: ['application/json', 'application/*+json'] });
const form = express.urlencoded({ extended: true, limit: '1mb' });

function hasBody(req: Parameters<RequestHandler>[0]): boolean {
  return Number(req.get('Content-Length') ?? 0) > 0 || req.get('Transfer-Encoding') !== undefined;
}

/** JSON and form bodies, as pretix accepts them; any other type of non-empty body is refused with 415. */
export const parseBody: RequestHandler = (req, res, next) => {
  if (!hasBody(req)) return next();
  if (req.is(['application/json', 'application/*+json'])) return json(req, res, next);
  if (req.is('application/x-www-form-urlencoded')) return form(req, res, next);
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'DELETE') return next();
  throw new UnsupportedMediaType(req.get('Content-Type') ?? '');
};
