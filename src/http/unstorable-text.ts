import type { RequestHandler } from 'express';
import { NotFound, ValidationError, type FieldErrors } from '../shared/errors';

/** DRF's CharField messages (ProhibitNullCharactersValidator, ProhibitSurrogateCharactersValidator). */
const NULL_MESSAGE = 'Null characters are not allowed.';
const surrogateMessage = (code: number) =>
  `Surrogate characters are not allowed: U+${code.toString(16).toUpperCase()}.`;

/** A UTF-16 surrogate without its partner: JSON can carry one ("\ud800"), UTF-8 and so Postgres cannot. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why Postgres could not store `text`, or null when it can. */
function unstorable(text: string): string | null {
  if (text.includes('\u0000')) return NULL_MESSAGE;
  const surrogate = LONE_SURROGATE.exec(text);
  return surrogate ? surrogateMessage(surrogate[0].charCodeAt(0)) : null;
}

/** Field errors for every string (or key) Postgres cannot store, nested as DRF nests serializer errors. */
function textErrors(value: unknown): FieldErrors | string[] | null {
  if (typeof value === 'string') {
    const message = unstorable(value);
    return message ? [message] : null;
  }
  if (value === null || typeof value !== 'object') return null;
  const errors: FieldErrors = {};
  for (const [key, child] of Object.entries(value)) {
    const keyMessage = unstorable(key);
    const childErrors = keyMessage ? [keyMessage] : textErrors(child);
    if (childErrors) errors[key] = childErrors as FieldErrors;
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

/**
 * A path whose percent-encoding is not valid UTF-8 (`%ZZ`, the overlong `%C0%AF`) or that holds a NUL names no
 * resource: 404 for every route, before any router tries to decode its parameters (Express answers such a
 * parameter with an error of its own, which used to become a 500).
 */
export const rejectUndecodablePaths: RequestHandler = (req, _res, next) => {
  let decoded: string;
  try {
    decoded = decodeURIComponent(req.path);
  } catch {
    throw new NotFound();
  }
  if (decoded.includes('\u0000')) throw new NotFound();
  next();
};

/**
 * Postgres text and jsonb cannot store U+0000 or a lone surrogate, so either one that reached a query answered
 * 500. pretix refuses both in every CharField; here they are refused once for every endpoint: 400 keyed by the
 * parameter or field in the query string and the body.
 */
export const rejectUnstorableText: RequestHandler = (req, _res, next) => {
  const queryErrors = textErrors(req.query);
  if (queryErrors) throw new ValidationError(queryErrors);
  const bodyErrors = textErrors(req.body);
  if (bodyErrors)
    throw new ValidationError(Array.isArray(bodyErrors) ? { non_field_errors: bodyErrors } : bodyErrors);
  next();
};
