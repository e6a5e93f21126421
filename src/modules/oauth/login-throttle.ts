import type { Redis } from '../../platform/redis';
import { sha256Hex } from '../../shared/ids';

const MAX_FAILURES = 10;
const WINDOW_SECONDS = 15 * 60;

/**
 * Slows down password guessing on the login page: after 10 failed logins for one email address within
 * 15 minutes, further attempts are refused until the window has passed. Counted in Redis so that every API
 * process sees the same count; the key holds a hash, never the address.
 */
export class LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(email: string): string {
    return `${this.prefix}:oauth:login-failures:${sha256Hex(email.trim().toLowerCase())}`;
  }

  async blocked(email: string): Promise<boolean> {
    return Number(await this.redis.get(this.key(email))) >= MAX_FAILURES;
  }

  async failed(email: string): Promise<void> {
    const key = this.key(email);
    // The window starts with the first failure and is not extended by later ones.
    const count = await this.redis.incr(key);
    if (count === 1) await this.redis.expire(key, WINDOW_SECONDS);
  }

  async succeeded(email: string): Promise<void> {
    await this.redis.del(this.key(email));
  }
}
