import { Router, type Request, type Response } from 'express';
import type { Config } from '../../config';
import { pageSecurityHeaders } from '../../http/page-security';
import { resource } from '../../http/routes';
import type { Db } from '../../platform/db';
import { PermissionDenied } from '../../shared/errors';
import { findUser } from '../users/users.service';
import type { LoginThrottle } from './login-throttle';
import { AuthorizeParams, ConsentForm, LoginForm, RevokeForm } from './oauth.schemas';
import {
  OAuthService,
  PAGE_SESSION_SECONDS,
  type AuthorizeCheck,
  type OAuthReply,
  type ValidAuthorizeRequest,
} from './oauth.service';
import {
  connectedApplicationsPage,
  consentPage,
  loginPage,
  messagePage,
  STYLESHEET_SOURCE,
} from './oauth.views';
import { createPageCookies } from './page-session';

const AUTHORIZE_PATH = '/api/v1/oauth/authorize';
const LOGIN_PATH = '/api/v1/oauth/login/';
const APPLICATIONS_PATH = '/api/v1/oauth/applications/';
const LOGOUT_PATH = '/api/v1/oauth/logout/';
const FORM = 'application/x-www-form-urlencoded';
const PAGE_DOCS = { public: true, tag: 'oauth' };

/** HTML pages are never cached; their security headers come from pageSecurityHeaders() on their paths. */
function sendPage(res: Response, status: number, body: string): void {
  res
    .status(status)
    .set({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
    .send(body);
}

function sendReply(res: Response, reply: OAuthReply): void {
  res.status(reply.status).set(reply.headers).json(reply.body);
}

/** Only our own pages may be the target after login, so the login page is no open redirector. */
function safeNext(value: unknown): string {
  if (typeof value !== 'string') return '';
  return value.startsWith(`${AUTHORIZE_PATH}?`) || value === APPLICATIONS_PATH ? value : '';
}

const loginUrl = (next: string) => `${LOGIN_PATH}?next=${encodeURIComponent(next)}`;
const authorizeUrl = (params: Record<string, string | undefined>) =>
  `${AUTHORIZE_PATH}?${new URLSearchParams(
    Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ).toString()}`;

/**
 * "Connect with tixport": the authorize pages (login, consent), the token and revocation endpoints, and
 * GET /api/v1/me. Paths are absolute because pretix gives these endpoints no trailing slash.
 */
export function oauthRouter(deps: {
  config: Config;
  db: Db;
  oauth: OAuthService;
  loginThrottle: LoginThrottle;
}): Router {
  const { db, oauth } = deps;
  const throttle = deps.loginThrottle;
  const pages = createPageCookies(deps.config.SITE_URL.startsWith('https:'), PAGE_SESSION_SECONDS);
  const router = Router({ strict: true });
  router.use(
    [AUTHORIZE_PATH, LOGIN_PATH, APPLICATIONS_PATH, LOGOUT_PATH],
    pageSecurityHeaders({ styles: [STYLESHEET_SOURCE] }),
  );

  const answerFailedCheck = (res: Response, check: Exclude<AuthorizeCheck, { kind: 'ok' }>) => {
    if (check.kind === 'redirect') res.redirect(302, check.location);
    else sendPage(res, 400, messagePage('Authorization failed', check.message));
  };

  const csrfFailure = (res: Response) =>
    sendPage(
      res,
      403,
      messagePage(
        'Forbidden',
        'CSRF verification failed. Request aborted. Go back, reload the page and try again.',
      ),
    );

  const renderConsent = async (
    req: Request,
    res: Response,
    request: ValidAuthorizeRequest,
    user: { id: number; email: string },
    view: { error?: string } = {},
  ) => {
    sendPage(
      res,
      200,
      consentPage({
        appName: request.client.name,
        redirectUri: request.redirectUri,
        userEmail: user.email,
        scopes: request.scopes,
        organizers: await oauth.organizersOf(user.id),
        params: request.params,
        csrfToken: pages.csrfToken(req, res),
        logoutNext: authorizeUrl(request.params),
        ...view,
      }),
    );
  };

  const renderLogin = async (
    req: Request,
    res: Response,
    next: string,
    view: { email: string; error?: string; status?: number },
  ) => {
    const clientId = new URLSearchParams(next.slice(next.indexOf('?') + 1)).get('client_id');
    const appName = clientId ? await oauth.applicationName(clientId) : undefined;
    const { status = 200, ...fields } = view;
    sendPage(res, status, loginPage({ appName, next, csrfToken: pages.csrfToken(req, res), ...fields }));
  };

  resource(router, AUTHORIZE_PATH, {
    docs: {
      ...PAGE_DOCS,
      get: {
        summary: 'Authorization page: login, then consent (OAuth2 authorization code flow)',
        query: AuthorizeParams,
        contentType: 'text/html',
      },
      post: { summary: 'The consent form', body: ConsentForm, bodyType: FORM, status: 302 },
    },
    get: async (req, res) => {
      const check = await oauth.checkAuthorizeRequest(req.query);
      if (check.kind !== 'ok') return answerFailedCheck(res, check);
      const user = await oauth.sessionUser(pages.session(req));
      if (!user) return res.redirect(302, loginUrl(req.originalUrl));
      if (await oauth.mayAutoApprove(check.request, user.id))
        return res.redirect(302, await oauth.approve(check.request, user.id, []));
      await renderConsent(req, res, check.request, user);
    },
    post: async (req, res) => {
      const body: Record<string, unknown> = req.body ?? {};
      if (!pages.csrfValid(req, body.csrf_token)) return csrfFailure(res);
      const check = await oauth.checkAuthorizeRequest(body);
      if (check.kind !== 'ok') return answerFailedCheck(res, check);
      const request = check.request;
      const user = await oauth.sessionUser(pages.session(req));
      if (!user) return res.redirect(303, loginUrl(authorizeUrl(request.params)));
      if (!body.allow) return res.redirect(302, oauth.deniedLocation(request));

      const choices = new Set((await oauth.organizersOf(user.id)).map((o) => o.id));
      const chosen = (ConsentForm.safeParse(body).data?.organizers ?? []).filter((id) => choices.has(id));
      if (chosen.length === 0 && request.scopes.some((scope) => scope !== 'profile')) {
        return renderConsent(req, res, request, user, { error: 'Please select at least one organizer.' });
      }
      res.redirect(302, await oauth.approve(request, user.id, chosen));
    },
  });

  resource(router, LOGIN_PATH, {
    docs: {
      ...PAGE_DOCS,
      get: { summary: 'Login page', contentType: 'text/html' },
      post: { summary: 'The login form', body: LoginForm, bodyType: FORM, status: 303 },
    },
    get: async (req, res) => {
      const next = safeNext(req.query.next);
      if (next && (await oauth.sessionUser(pages.session(req)))) return res.redirect(302, next);
      await renderLogin(req, res, next, { email: '' });
    },
    post: async (req, res) => {
      const body: Record<string, unknown> = req.body ?? {};
      if (!pages.csrfValid(req, body.csrf_token)) return csrfFailure(res);
      const form = LoginForm.safeParse(body).data ?? { email: '', password: '', next: '' };
      const next = safeNext(form.next);
      if (await throttle.blocked(form.email)) {
        return renderLogin(req, res, next, {
          status: 429,
          email: form.email,
          error: 'Too many failed login attempts. Please try again in 15 minutes.',
        });
      }
      const session = await oauth.login(form.email, form.password);
      if (!session) {
        await throttle.failed(form.email);
        return renderLogin(req, res, next, {
          email: form.email,
          error: 'Please enter a correct email address and password.',
        });
      }
      await throttle.succeeded(form.email);
      await oauth.logout(pages.session(req));
      pages.setSession(res, session);
      // A fresh CSRF token after login, as Django does, so that a token planted before login is worthless.
      pages.csrfToken(req, res, true);
      if (next) return res.redirect(303, next);
      sendPage(
        res,
        200,
        messagePage('Logged in', 'You are logged in. Go back to the application to connect it.', {
          href: APPLICATIONS_PATH,
          text: 'Manage your connected applications',
        }),
      );
    },
  });

  resource(router, APPLICATIONS_PATH, {
    docs: {
      ...PAGE_DOCS,
      get: { summary: 'Connected applications page', contentType: 'text/html' },
      post: { summary: 'Disconnect an application', bodyType: FORM, status: 303 },
    },
    get: async (req, res) => {
      const user = await oauth.sessionUser(pages.session(req));
      if (!user) return res.redirect(302, loginUrl(APPLICATIONS_PATH));
      sendPage(
        res,
        200,
        connectedApplicationsPage({
          userEmail: user.email,
          applications: await oauth.connectedApplications(user.id),
          csrfToken: pages.csrfToken(req, res),
          notice: req.query.disconnected === '1' ? 'The application was disconnected.' : undefined,
        }),
      );
    },
    post: async (req, res) => {
      const body: Record<string, unknown> = req.body ?? {};
      if (!pages.csrfValid(req, body.csrf_token)) return csrfFailure(res);
      const user = await oauth.sessionUser(pages.session(req));
      if (!user) return res.redirect(303, loginUrl(APPLICATIONS_PATH));
      const applicationId = Number(body.application);
      if (Number.isSafeInteger(applicationId) && applicationId > 0)
        await oauth.disconnect(user.id, applicationId);
      res.redirect(303, `${APPLICATIONS_PATH}?disconnected=1`);
    },
  });

  resource(router, LOGOUT_PATH, {
    docs: { ...PAGE_DOCS, post: { summary: 'Log out of the OAuth pages', status: 303 } },
    post: async (req, res) => {
      const body: Record<string, unknown> = req.body ?? {};
      if (!pages.csrfValid(req, body.csrf_token)) return csrfFailure(res);
      await oauth.logout(pages.session(req));
      pages.clearSession(res);
      res.redirect(303, safeNext(body.next) ? loginUrl(safeNext(body.next)) : LOGIN_PATH);
    },
  });

  resource(router, '/api/v1/oauth/token', {
    docs: {
      ...PAGE_DOCS,
      post: { summary: 'Exchange an authorization code or refresh token (form-encoded)', status: 200 },
    },
    post: async (req, res) => sendReply(res, await oauth.token(req)),
  });

  resource(router, '/api/v1/oauth/revoke_token', {
    docs: {
      ...PAGE_DOCS,
      post: { summary: 'Revoke an access or refresh token', body: RevokeForm, bodyType: FORM, status: 200 },
    },
    post: async (req, res) => sendReply(res, await oauth.revoke(req)),
  });

  resource(router, '/api/v1/me', {
    docs: {
      tag: 'oauth',
      get: {
        summary: 'The user an OAuth token acts for',
        security: [{ OAuth2: ['profile'] }, { OAuth2: ['read'] }],
      },
    },
    get: async (_req, res) => {
      const principal = res.locals.principal;
      // pretix authenticates /me by session or OAuth only: a team token counts as no credentials, and the
      // session authenticator coming first makes that a 403.
      if (principal?.kind !== 'oauth_user')
        throw new PermissionDenied('Authentication credentials were not provided.');
      if (!principal.scopes.has('read') && !principal.scopes.has('profile')) throw new PermissionDenied();
      const user = await findUser(db, principal.userId);
      if (!user) throw new PermissionDenied('Authentication credentials were not provided.');
      res.json({
        email: user.email,
        fullname: user.fullname,
        locale: user.locale,
        is_staff: user.is_staff,
        timezone: user.timezone,
      });
    },
  });

  return router;
}
