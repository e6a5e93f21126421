import { Router } from 'express';
import { principalOf } from '../../http/context';
import { resource } from '../../http/routes';
import { PermissionDenied } from '../../shared/errors';

/** The pretix release whose API tixport speaks; clients gate features on it. */
export const PRETIX_API_VERSION = '2025.10.0';

/** major×10^10 + minor×10^7 + patch×10^4 + stage×100 + stage number, stage 50 for a release (pretix's scheme). */
export function numericVersion(version: string): number {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  return major * 1e10 + minor * 1e7 + patch * 1e4 + 50 * 100;
}

export function versionRouter(): Router {
  const router = Router({ strict: true });
  resource(router, '/api/v1/version', {
    docs: { tag: 'version', get: { summary: 'The pretix API version tixport speaks' } },
    get: (_req, res) => {
      // pretix's first authenticator here is the session one, which makes an anonymous call 403, not 401.
      if (!res.locals.principal) throw new PermissionDenied('Authentication credentials were not provided.');
      principalOf(res);
      res.json({ pretix: PRETIX_API_VERSION, pretix_numeric: numericVersion(PRETIX_API_VERSION) });
    },
  });
  return router;
}
