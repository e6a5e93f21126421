import path from 'node:path';
import express, { Router, type Express } from 'express';
import { buildOpenApiDocument } from '../../http/openapi';
import { pageSecurityHeaders } from '../../http/page-security';
import { undocumented } from '../../http/route-docs';
import { resource } from '../../http/routes';
import { PRETIX_API_VERSION } from '../health/version.routes';

export const OPENAPI_PATH = '/api/v1/openapi.json';
const DOCS_PATH = '/api/docs/';

/** Swagger UI's files ship in the npm package; the page loads them from us, never from a CDN. */
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const DOCS_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>tixport API</title>
    <link rel="stylesheet" href="assets/swagger-ui.css" />
    <link rel="icon" type="image/png" href="assets/favicon-32x32.png" />
  </head>
  <body>
    <main id="swagger-ui"></main>
    <script src="assets/swagger-ui-bundle.js"></script>
    <script src="init.js"></script>
  </body>
</html>
`;

/** A separate file rather than an inline script, so that the page's CSP allows scripts from 'self' only. */
const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(OPENAPI_PATH)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  // Tags start collapsed: rendering every operation of every tag up front takes Swagger UI tens of seconds for
  // a document of this size, and a reader looks for one resource at a time.
  docExpansion: 'none',
  // "Authorize" with OAuth2 returns here; the page ships in swagger-ui-dist and loads its script from 'self'.
  oauth2RedirectUrl: new URL('assets/oauth2-redirect.html', window.location.href).href,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

const DESCRIPTION =
  'A pretix-compatible back-office data API: exporters, scheduled exports and data shredders. ' +
  'Requests and errors follow pretix (Django REST framework): field errors as `{"field": ["message"]}`, ' +
  'everything else as `{"detail": "…"}`.';

/**
 * GET /api/v1/openapi.json (the document, built once from the app's routes on first request) and the docs
 * page at /api/docs/ (Swagger UI from swagger-ui-dist).
 */
export function docsRouter(deps: { siteUrl: string }): Router {
  const router = Router({ strict: true });
  let document: Record<string, unknown> | undefined;
  const page = pageSecurityHeaders({
    styles: ["'self'"],
    scripts: ["'self'"],
    // Swagger UI's stylesheet draws its icons as data: SVGs.
    images: ["'self'", 'data:'],
    connect: ["'self'"],
  });

  resource(router, OPENAPI_PATH, {
    docs: { public: true, tag: 'docs', get: { summary: 'This OpenAPI 3.1 document' } },
    get: (req, res) => {
      document ??= buildOpenApiDocument(req.app as Express, {
        title: 'tixport API',
        version: PRETIX_API_VERSION,
        description: DESCRIPTION,
        siteUrl: deps.siteUrl,
      });
      res.json(document);
    },
  });
  resource(router, DOCS_PATH, {
    docs: {
      public: true,
      tag: 'docs',
      get: { summary: 'This API reference (Swagger UI)', contentType: 'text/html' },
    },
    get: [page, (_req, res) => void res.type('html').send(DOCS_PAGE)],
  });
  resource(router, `${DOCS_PATH}init.js`, {
    docs: { hidden: true },
    get: [page, (_req, res) => void res.type('js').send(INIT_SCRIPT)],
  });
  router.use(`${DOCS_PATH}assets`, page, undocumented(express.static(SWAGGER_UI_DIR, { index: false })));
  return router;
}
