import { z } from 'zod';

/** pretix's scopes: `read` for safe methods, `write` for the others, `profile` for /api/v1/me only. */
export const SCOPES = ['read', 'write', 'profile'] as const;
export type Scope = (typeof SCOPES)[number];
export const DEFAULT_SCOPE = 'read write';

/** Lifetimes as in pretix (django-oauth-toolkit defaults there): codes 60 s, access tokens one day. */
export const AUTHORIZATION_CODE_LIFETIME = 60;
export const ACCESS_TOKEN_LIFETIME = 86400;

const single = z.string().optional();

/**
 * Parameters of GET/POST /oauth/authorize. A repeated parameter fails here (oauthlib refuses duplicates too);
 * the meaning of each value is checked by the service, which knows pretix's error for each case.
 */
export const AuthorizeParams = z.object({
  client_id: single,
  response_type: single,
  redirect_uri: single,
  scope: single,
  state: single,
  code_challenge: single,
  code_challenge_method: single,
  approval_prompt: single,
});
export type AuthorizeParams = z.infer<typeof AuthorizeParams>;

/** The consent form: the authorize parameters as hidden fields plus the user's answer. */
export const ConsentForm = AuthorizeParams.extend({
  allow: z.string().optional(),
  organizers: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value) =>
      (value === undefined ? [] : Array.isArray(value) ? value : [value])
        .map(Number)
        .filter((id) => Number.isSafeInteger(id) && id > 0),
    ),
});
export type ConsentForm = z.infer<typeof ConsentForm>;

export const LoginForm = z.object({
  email: z.string().trim().max(190).default(''),
  password: z.string().max(4096).default(''),
  next: z.string().max(8000).default(''),
});
export type LoginForm = z.infer<typeof LoginForm>;

export const RevokeForm = z.object({
  token: z.string().min(1).max(255),
  token_type_hint: z.enum(['access_token', 'refresh_token']).optional(),
});
export type RevokeForm = z.infer<typeof RevokeForm>;

/** Input of `oauth:app:create`. Redirect URIs must match exactly later, so they are checked strictly here. */
export function applicationInput(siteUrl: string) {
  const allowHttp = siteUrl.startsWith('http://');
  const redirectUri = z.string().refine(
    (value) => {
      try {
        const url = new URL(value);
        if (url.hash || value.includes('#')) return false;
        return url.protocol === 'https:' || (allowHttp && url.protocol === 'http:');
      } catch {
        return false;
      }
    },
    {
      message: allowHttp
        ? 'Enter absolute http(s) URIs without a fragment.'
        : 'Enter absolute https URIs without a fragment (http is only allowed when SITE_URL is http).',
    },
  );
  return z.object({
    name: z.string().trim().min(1).max(255),
    redirect_uris: z.array(redirectUri).min(1, 'Enter at least one redirect URI.'),
    client_type: z.enum(['confidential', 'public']).default('confidential'),
  });
}
export type ApplicationInput = z.infer<ReturnType<typeof applicationInput>>;
