/**
 * Email address syntax close to Django's EmailValidator (pretix validates recipients with it): a dot-atom local
 * part (quoted local parts are not accepted) and a domain of hostname labels with a letter TLD, `localhost` or
 * an IP literal.
 */
const LOCAL_PART = /^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*$/i;
const HOSTNAME = /^(?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+(?:[A-Z]{2,63}|xn--[A-Z0-9]{1,59})\.?$/i;
const IP_LITERAL = /^\[(?:\d{1,3}\.){3}\d{1,3}\]$/;

/** Longest address SMTP carries (RFC 5321 forward-path). */
const MAX_LENGTH = 254;

export function isEmailAddress(value: string): boolean {
  if (value.length === 0 || value.length > MAX_LENGTH || /[\r\n]/.test(value)) return false;
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (!LOCAL_PART.test(local)) return false;
  return domain.toLowerCase() === 'localhost' || HOSTNAME.test(domain) || IP_LITERAL.test(domain);
}
