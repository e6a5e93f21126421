import {
  insertApplication,
  insertGrant,
  insertTokenPair,
  markCodeUsed,
} from '../../src/modules/oauth/oauth.repository';
import type { Db } from '../../src/platform/db';
import { randomToken, sha256Hex } from '../../src/shared/ids';

/**
 * A real OAuth access token for a user, stored exactly as the token endpoint stores one (application, used
 * grant, hashed token pair), for tests of other modules that need a user principal without clicking through
 * the consent pages. The OAuth flow itself is tested end to end in test/oauth/.
 */
export async function issueAccessToken(
  db: Db,
  userId: number,
  organizerIds: number[],
  scope = 'read write',
): Promise<string> {
  const application = await insertApplication(db, {
    name: 'Test client',
    client_id: randomToken(40),
    client_secret_hash: sha256Hex(randomToken(64)),
    client_type: 'confidential',
    redirect_uris: ['https://client.example/callback'],
  });
  const grantId = await insertGrant(
    db,
    {
      application_id: application.id,
      user_id: userId,
      scope,
      redirect_uri: 'https://client.example/callback',
      code_hash: sha256Hex(randomToken(40)),
      code_expires_at: new Date(Date.now() + 60_000),
      code_challenge: null,
      code_challenge_method: null,
    },
    organizerIds,
  );
  await markCodeUsed(db, grantId);
  const accessToken = randomToken(40);
  const stored = await insertTokenPair(
    db,
    grantId,
    { token_hash: sha256Hex(accessToken), scope, expires_at: new Date(Date.now() + 86_400_000) },
    sha256Hex(randomToken(40)),
  );
  if (!stored) throw new Error('grant was revoked while issuing a test token');
  return `Bearer ${accessToken}`;
}
