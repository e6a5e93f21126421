import type { RequestHandler } from 'express';
import { NotFound, ValidationError, type FieldErrors } from '../shared/errors';

/** DRF's CharField message (ProhibitNullCharactersValidator). */
const MESSAGE = 'Null characters are not allowed.';

/** Field errors for every string (or key) holding a NUL, nested as DRF nests serializer errors; null if none. */
function nulErrors(value: unknown): FieldErrors | string[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? [MESSAGE] : null;
  if (value === null || typeof value !== 'object') return null;
  const errors: FieldErrors = {};
  for (const [key, child] of Object.entries(value)) {
    const childErrors = key.includes('\u0000') ? [MESSAGE] : nulErrors(child);
    if (childErrors) errors[key] = childErrors as FieldErrors;
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

/**
 * Postgres text and jsonb cannot store U+0000, so a NUL that reached a query answered 500. pretix refuses it in
 * every CharField; here it is refused once for all endpoints: 404 in the path (no slug or id contains one),
 * 400 keyed by the parameter or field in the query string and the body.
 */
export const rejectNullCharacters: RequestHandler = (req, _res, next) => {
  if (/%00/.test(req.path)) throw new NotFound();
  const queryErrors = nulErrors(req.query);
  if (queryErrors) throw new ValidationError(queryErrors);
  const bodyErrors = nulErrors(req.body);
  if (bodyErrors)
    throw new ValidationError(Array.isArray(bodyErrors) ? { non_field_errors: bodyErrors } : bodyErrors);
  next();
};
