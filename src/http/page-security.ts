import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** What one HTML page needs to load beyond its own document; everything else is refused by its CSP. */
export interface PageSources {
  /** e.g. `'self'` for stylesheets served by us, or `'sha256-…'` for one known inline stylesheet. */
  styles?: string[];
  scripts?: string[];
  images?: string[];
  /** fetch/XHR targets, e.g. `'self'` for a page that loads the OpenAPI document. */
  connect?: string[];
}

/**
 * helmet's security headers for the HTML pages (the OAuth login and consent pages, the API docs), with a CSP
 * that starts from nothing allowed. Pages are never framed (clickjacking the Allow button) and send no
 * referrer. `form-action` stays unset on purpose: the consent form's answer redirects to the client's own
 * redirect URI, which Chromium would check against it.
 */
export function pageSecurityHeaders(sources: PageSources = {}): RequestHandler {
  const list = (values: string[] | undefined) => (values && values.length > 0 ? values : ["'none'"]);
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: list(sources.styles),
        scriptSrc: list(sources.scripts),
        imgSrc: list(sources.images),
        connectSrc: list(sources.connect),
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}
