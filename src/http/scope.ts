import type { Request, RequestHandler, Response } from 'express';
import type { AccessService } from '../modules/access/access.service';
import { requirePermission } from '../modules/access/access.service';
import type { Permission } from '../modules/access/permissions';
import type { Principal } from '../modules/access/principal';
import { isSafeMethod, principalOf } from './context';

export { isSafeMethod };

/** The authenticated principal, with OAuth scopes checked against the method (see principalOf). */
export function apiPrincipal(_req: Request, res: Response): Principal {
  return principalOf(res);
}

function paramOf(req: Request, name: string): string {
  const value = req.params[name];
  if (typeof value !== 'string') throw new Error(`route has no :${name} parameter`);
  return value;
}

/**
 * Route guards for `/organizers/:organizer/…` and `/organizers/:organizer/events/:event/…`. The permission may
 * depend on the method, as in pretix views that declare separate read and write permissions.
 */
export function createScopes(access: AccessService) {
  const permissionFor = (
    req: Request,
    permission?: Permission | { read?: Permission; write?: Permission },
  ) => {
    if (!permission || typeof permission === 'string') return permission;
    return isSafeMethod(req.method) ? permission.read : permission.write;
  };
  return {
    organizer(permission?: Permission | { read?: Permission; write?: Permission }): RequestHandler {
      return async (req, res, next) => {
        const principal = apiPrincipal(req, res);
        const organizerAccess = await access.organizerAccess(principal, paramOf(req, 'organizer'));
        const needed = permissionFor(req, permission);
        if (needed) requirePermission(organizerAccess, needed);
        res.locals.organizerAccess = organizerAccess;
        next();
      };
    },
    event(permission?: Permission | { read?: Permission; write?: Permission }): RequestHandler {
      return async (req, res, next) => {
        const principal = apiPrincipal(req, res);
        const eventAccess = await access.eventAccess(
          principal,
          paramOf(req, 'organizer'),
          paramOf(req, 'event'),
        );
        const needed = permissionFor(req, permission);
        if (needed) requirePermission(eventAccess, needed);
        res.locals.eventAccess = eventAccess;
        next();
      };
    },
  };
}

export type Scopes = ReturnType<typeof createScopes>;
