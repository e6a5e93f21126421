import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Recipients, ScheduleRow } from './scheduled-exports.repository';

/** pretix's reasons, as the owner reads them in the failure mail. */
export const REASONS = {
  notPermitted: 'Export type not found or permission denied.',
  ownerInactive: 'Permission denied.',
  internal: 'Internal error',
  mailFailed: 'The mail could not be delivered.',
} as const;

/** How long the download link of a result too large to attach stays valid. */
export const LINK_VALID_DAYS = 7;
export const LINK_VALID_MS = LINK_VALID_DAYS * 24 * 3600 * 1000;

const split = (list: string) => list.split(',').filter((address) => address !== '');

/**
 * pretix's recipients: To = the additional recipients, Cc = the cc list plus the owner when To is not empty
 * (otherwise the owner is the only To), Bcc = the bcc list.
 */
export function recipientsOf(schedule: ScheduleRow, ownerEmail: string): Recipients {
  const to = split(schedule.mail_additional_recipients);
  const cc = split(schedule.mail_additional_recipients_cc);
  const bcc = split(schedule.mail_additional_recipients_bcc);
  if (to.length > 0) cc.push(ownerEmail);
  else to.push(ownerEmail);
  return { to, cc, bcc };
}

export function failureText(reason: string, hard: boolean, configUrl: string): string {
  return [
    'Your export failed.',
    '',
    `Reason: ${reason}`,
    ...(hard ? ['', 'If your export fails five times in a row, it will no longer be sent.'] : []),
    '',
    'Configuration link:',
    configUrl,
    '',
  ].join('\n');
}

export function linkText(template: string, fileName: string, size: number, url: string, until: Date): string {
  const megabytes = (size / (1024 * 1024)).toFixed(1);
  return [
    template,
    '',
    `The export (${fileName}, ${megabytes} MiB) is too large to be attached. Download it here until ${until.toISOString().slice(0, 16).replace('T', ' ')} UTC:`,
    url,
    '',
  ].join('\n');
}

/** A download link secret: 256 random bits; only its SHA-256 is stored. */
export function newLinkToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashLinkToken(token) };
}

export function hashLinkToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function linkTokenMatches(token: string, hash: string | null): boolean {
  if (!hash || !/^[A-Za-z0-9_-]{43}$/.test(token)) return false;
  return timingSafeEqual(Buffer.from(hashLinkToken(token), 'hex'), Buffer.from(hash, 'hex'));
}

/** The link is bound to one run: its id and its secret must both match, and it expires. */
export function downloadUrl(siteUrl: string, runId: number, token: string): string {
  return `${siteUrl}/api/v1/scheduled_export_downloads/${runId}/${token}/`;
}
