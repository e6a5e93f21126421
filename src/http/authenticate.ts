import type { RequestHandler } from 'express';
import type { Principal } from '../modules/access/principal';
import { NotAuthenticated } from '../shared/errors';

/**
 * One credential scheme. `authenticate` resolves the credentials to a principal, throws NotAuthenticated with
 * the scheme's own message for bad ones, or returns null to treat the request as anonymous (pretix ignores an
 * unknown Bearer token rather than rejecting it).
 */
export interface Authenticator {
  /** The lower-case keyword of the Authorization header, e.g. "token" or "bearer". */
  scheme: string;
  authenticate(credentials: string): Promise<Principal | null>;
}

const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/** Parses `Authorization` like DRF's TokenAuthentication; schemes nobody registered are ignored. */
export function authenticate(authenticators: readonly Authenticator[]): RequestHandler {
  const byScheme = new Map(authenticators.map((a) => [a.scheme, a]));
  return async (req, res, next) => {
    const header = req.get('Authorization');
    if (!header) return next();
    const parts = header.trim().split(/\s+/);
    const authenticator = byScheme.get((parts[0] ?? '').toLowerCase());
    if (!authenticator) return next();
    if (parts.length === 1) throw new NotAuthenticated('Invalid token header. No credentials provided.');
    if (parts.length > 2)
      throw new NotAuthenticated('Invalid token header. Token string should not contain spaces.');
    const credentials = parts[1]!;
    if (!PRINTABLE_ASCII.test(credentials)) {
      throw new NotAuthenticated('Invalid token header. Token string should not contain invalid characters.');
    }
    const principal = await authenticator.authenticate(credentials);
    if (principal) res.locals.principal = principal;
    next();
  };
}
