import type { RequestHandler } from 'express';
import { NotFound } from '../shared/errors';

/** pretix endpoints that deliberately have no trailing slash. */
const WITHOUT_SLASH = [
  /^\/api\/v1\/me$/,
  /^\/api\/v1\/version$/,
  /^\/api\/v1\/idempotency_query$/,
  /^\/api\/v1\/oauth\/(authorize|token|revoke_token)(\/.*)?$/,
  /^\/api\/v1\/upload$/,
];

/**
 * Django's APPEND_SLASH as pretix clients know it: safe requests to a resource URL without its slash are
 * redirected permanently, unsafe ones get 404 (a redirect would silently drop their body).
 */
export const trailingSlash: RequestHandler = (req, res, next) => {
  const path = req.path;
  if (!path.startsWith('/api/') || path.endsWith('/') || WITHOUT_SLASH.some((re) => re.test(path)))
    return next();
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'DELETE') {
    const query = req.originalUrl.slice(
      req.originalUrl.indexOf('?') === -1 ? req.originalUrl.length : req.originalUrl.indexOf('?'),
    );
    res.redirect(301, `${path}/${query}`);
    return;
  }
  throw new NotFound('Please append a / at the end of the URL.');
};
