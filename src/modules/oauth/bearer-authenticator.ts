import type { Authenticator } from '../../http/authenticate';
import type { OAuthService } from './oauth.service';

/**
 * `Authorization: Bearer <access token>` from "Connect with tixport". An unknown, expired or revoked token, or
 * one of a deactivated user, gives null: pretix ignores such a header and treats the request as anonymous.
 */
export function bearerAuthenticator(oauth: OAuthService): Authenticator {
  return {
    scheme: 'bearer',
    authenticate: (accessToken) => oauth.principalForBearer(accessToken),
  };
}
