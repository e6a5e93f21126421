import { timingSafeEqual } from 'node:crypto';
import type { CookieOptions, Request, Response } from 'express';
import { randomId } from '../../shared/ids';

/**
 * Cookies of the login and consent pages. Their path keeps them off every other API URL, so the API itself stays
 * cookie-free (and free of CSRF concerns); only these pages ever see a session.
 */
export const PAGES_PATH = '/api/v1/oauth/';
const SESSION_COOKIE = 'tixport_oauth_session';
const CSRF_COOKIE = 'tixport_oauth_csrf';

export function readCookies(req: Request): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (req.get('Cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    try {
      if (!cookies.has(name)) cookies.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // A cookie that is not valid percent-encoding was not set by us; ignore it.
    }
  }
  return cookies;
}

export function createPageCookies(secure: boolean, sessionSeconds: number) {
  const base: CookieOptions = { path: PAGES_PATH, httpOnly: true, sameSite: 'lax', secure };
  return {
    session(req: Request): string | undefined {
      return readCookies(req).get(SESSION_COOKIE);
    },
    setSession(res: Response, token: string): void {
      res.cookie(SESSION_COOKIE, token, { ...base, maxAge: sessionSeconds * 1000 });
    },
    clearSession(res: Response): void {
      res.clearCookie(SESSION_COOKIE, base);
    },
    /**
     * The CSRF token for a form (Django's double-submit scheme): a random value in a cookie that the form
     * repeats. Another site can make the browser send the cookie but cannot read it to fill the form.
     */
    csrfToken(req: Request, res: Response, rotate = false): string {
      const existing = readCookies(req).get(CSRF_COOKIE);
      if (existing && !rotate && /^[A-Za-z0-9_-]{32,}$/.test(existing)) return existing;
      const token = randomId(32);
      res.cookie(CSRF_COOKIE, token, { ...base, maxAge: 365 * 86400 * 1000 });
      return token;
    },
    csrfValid(req: Request, submitted: unknown): boolean {
      const expected = readCookies(req).get(CSRF_COOKIE);
      if (!expected || typeof submitted !== 'string') return false;
      const a = Buffer.from(expected);
      const b = Buffer.from(submitted);
      return a.length === b.length && timingSafeEqual(a, b);
    },
  };
}

export type PageCookies = ReturnType<typeof createPageCookies>;
