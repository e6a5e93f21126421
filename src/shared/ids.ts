import { createHash, randomBytes, randomInt } from 'node:crypto';

const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random string from [a-z0-9] like pretix's token secrets (64 characters by default). */
export function randomToken(length = 64, alphabet = TOKEN_ALPHABET): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** URL-safe random id with `bytes` bytes of entropy. */
export function randomId(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256Hex(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}
