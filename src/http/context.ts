import type { Response } from 'express';
import type { EventAccess, OrganizerAccess } from '../modules/access/access.service';
import type { Principal } from '../modules/access/principal';
import type { Logger } from '../platform/logger';
import { NotAuthenticated } from '../shared/errors';

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

export function principalOf(res: Response): Principal {
  const principal = res.locals.principal;
  if (!principal) throw new NotAuthenticated();
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
