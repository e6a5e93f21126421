import { Router } from 'express';
import type { Config } from '../../config';
import { resource } from '../../http/routes';
import { PRETIX_API_VERSION } from './version.routes';

/** pretix's API reference, which tixport follows endpoint by endpoint. */
export const API_DOCS_URL = 'https://docs.pretix.eu/dev/api/';

/**
 * `/api/v1/`, the URL `npm start` prints: like DRF's router root (pretix's), links to the resources, plus where
 * the documentation is and how to authenticate, for the person who opens it in a browser. Needs no credentials
 * and shows nothing that is not public.
 */
export function apiRootRouter(deps: { config: Pick<Config, 'SITE_URL'> }): Router {
  const router = Router({ strict: true });
  const api = `${deps.config.SITE_URL}/api/v1`;
  resource(router, '/api/', {
    docs: { public: true, tag: 'docs', get: { summary: 'Redirects to /api/v1/', status: 302 } },
    get: (_req, res) => res.redirect(302, '/api/v1/'),
  });
  resource(router, '/api/v1/', {
    docs: {
      public: true,
      tag: 'docs',
      get: { summary: 'The API root: links to the resources and the docs' },
    },
    get: (_req, res) => {
      res.json({
        organizers: `${api}/organizers/`,
        me: `${api}/me`,
        version: `${api}/version`,
        oauth: {
          authorize: `${api}/oauth/authorize`,
          token: `${api}/oauth/token`,
          revoke_token: `${api}/oauth/revoke_token`,
        },
        docs: API_DOCS_URL,
        api_docs: `${deps.config.SITE_URL}/api/docs/`,
        openapi: `${api}/openapi.json`,
        pretix_api_version: PRETIX_API_VERSION,
        authentication:
          'Send "Authorization: Token <token>" (`npm run demo` or `npm run cli -- token:create` prints one) ' +
          'or an OAuth2 access token as "Authorization: Bearer <token>".',
      });
    },
  });
  return router;
}
