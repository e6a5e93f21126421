import type { Authenticator } from '../../http/authenticate';
import type { Db } from '../../platform/db';
import { NotAuthenticated } from '../../shared/errors';
import { sha256Hex } from '../../shared/ids';
import { teamTokenPrincipal } from '../access/principal';

/** `Authorization: Token <secret>`: team API tokens, looked up by the hash of the secret. */
export function teamTokenAuthenticator(db: Db): Authenticator {
  return {
    scheme: 'token',
    async authenticate(secret) {
      const row: { id: number; team_id: number; organizer_id: number; active: boolean } | undefined =
        await db('team_api_tokens')
          .join('teams', 'teams.id', 'team_api_tokens.team_id')
          .where('team_api_tokens.token_hash', sha256Hex(secret))
          .select(
            'team_api_tokens.id',
            'team_api_tokens.team_id',
            'team_api_tokens.active',
            'teams.organizer_id',
          )
          .first();
      if (!row) throw new NotAuthenticated('Invalid token.');
      if (!row.active) throw new NotAuthenticated('Token inactive or deleted.');
      return teamTokenPrincipal(row);
    },
  };
}
