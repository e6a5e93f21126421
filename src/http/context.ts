import type { Response } from 'express';
import type { EventAccess, OrganizerAccess } from '../modules/access/access.service';
import type { Principal } from '../modules/access/principal';
import type { Logger } from '../platform/logger';
import { NotAuthenticated, PermissionDenied } from '../shared/errors';

declare global {
  // Express merges its per-response locals from this global namespace; augmenting it types res.locals.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      requestId: string;
      log: Logger;
      principal?: Principal;
      organizerAccess?: OrganizerAccess;
      eventAccess?: EventAccess;
    }
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method);
}

/**
 * The authenticated principal. OAuth scopes are checked here, where every endpoint obtains its caller: `read` for
 * safe methods, `write` for the others (pretix). So a `profile`-only token reaches nothing but /api/v1/me, which
 * looks at res.locals.principal itself.
 */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal;
  if (!principal) throw new NotAuthenticated();
  if (principal.kind === 'oauth_user') {
    const needed = isSafeMethod(res.req.method) ? 'read' : 'write';
    if (!principal.scopes.has(needed)) throw new PermissionDenied();
  }
  return principal;
}

export function organizerAccessOf(res: Response): OrganizerAccess {
  const access = res.locals.organizerAccess ?? res.locals.eventAccess;
  if (!access) throw new Error('organizerScope() middleware missing on this route');
  return access;
}

export function eventAccessOf(res: Response): EventAccess {
  const access = res.locals.eventAccess;
  if (!access) throw new Error('eventScope() middleware missing on this route');
  return access;
}
