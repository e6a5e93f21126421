import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import nodemailer from 'nodemailer';
import type { Config } from '../config';
import { isEmailAddress } from '../shared/email';

export interface MailAttachment {
  /** The name the recipient sees; a header value, so CR/LF are refused. */
  filename: string;
  contentType: string;
  /** Streamed into the message as it is sent; never buffered here. */
  content: Readable;
}

export interface Mail {
  to: readonly string[];
  cc?: readonly string[];
  bcc?: readonly string[];
  subject: string;
  /** Plain-text body (line breaks are fine here, unlike in headers). */
  text: string;
  attachments?: readonly MailAttachment[];
}

export interface SentMail {
  messageId: string;
  /** In file mode (no MAIL_URL): the .eml file the message was written to. */
  file?: string;
}

export interface Mailer {
  send(mail: Mail): Promise<SentMail>;
  close(): Promise<void>;
}

/** A mail that must not go out as given: a header value with a line break, or an invalid address. */
export class MailError extends Error {}

const LINE_BREAK = /[\r\n\0]/;

function checkHeader(name: string, value: string): void {
  if (LINE_BREAK.test(value)) throw new MailError(`Mail header ${name} must not contain CR, LF or NUL`);
}

function checkAddresses(name: string, addresses: readonly string[]): string[] {
  return addresses.map((address) => {
    checkHeader(name, address);
    if (!isEmailAddress(address))
      throw new MailError(`Mail header ${name}: "${address}" is not a valid address`);
    return address;
  });
}

/** MAIL_FROM as `address` or `Display Name <address>`. */
export function parseSender(value: string): { name: string; address: string } {
  checkHeader('From', value);
  const match = /^\s*(?:"?([^"<>]*?)"?\s*)?<([^<>\s]+)>\s*$/.exec(value);
  const name = match ? (match[1] ?? '').trim() : '';
  const address = match ? match[2]! : value.trim();
  if (!isEmailAddress(address)) throw new MailError(`MAIL_FROM: "${value}" is not a valid sender address`);
  return { name, address };
}

/**
 * Sends mail over SMTP when MAIL_URL is set (smtp://user:pass@host:587, smtps://… for implicit TLS), otherwise
 * writes each message as an .eml file into MAIL_DIR (Bcc kept in the file, so a developer sees every recipient).
 * Header values are checked before anything is sent: a CR or LF could otherwise inject headers.
 */
export function createMailer(config: Pick<Config, 'MAIL_URL' | 'MAIL_DIR' | 'MAIL_FROM'>): Mailer {
  const from = parseSender(config.MAIL_FROM);
  const toFiles = config.MAIL_URL === '';
  const transport = toFiles
    ? nodemailer.createTransport({ streamTransport: true, buffer: false, newline: 'windows' })
    : nodemailer.createTransport({
        url: config.MAIL_URL,
        connectionTimeout: 30_000,
        greetingTimeout: 30_000,
        socketTimeout: 120_000,
      });

  async function writeFile(message: Readable, messageId: string): Promise<string> {
    await mkdir(config.MAIL_DIR, { recursive: true });
    const base = `${new Date().toISOString().replace(/[:.]/g, '-')}-${messageId.replace(/[^A-Za-z0-9@.-]/g, '')}`;
    const file = path.join(config.MAIL_DIR, `${base}.eml`);
    // Written under a temporary name and renamed, so that a reader of MAIL_DIR never sees half a message.
    const partial = path.join(config.MAIL_DIR, `.${base}.${randomUUID()}.partial`);
    try {
      await pipeline(message, createWriteStream(partial));
      await rename(partial, file);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    return file;
  }

  return {
    async send(mail) {
      const to = checkAddresses('To', mail.to);
      const cc = checkAddresses('Cc', mail.cc ?? []);
      const bcc = checkAddresses('Bcc', mail.bcc ?? []);
      if (to.length + cc.length + bcc.length === 0)
        throw new MailError('A mail needs at least one recipient');
      checkHeader('Subject', mail.subject);
      for (const attachment of mail.attachments ?? []) {
        checkHeader('attachment filename', attachment.filename);
        checkHeader('attachment content type', attachment.contentType);
      }
      const info = await transport.sendMail({
        from,
        to,
        cc,
        bcc,
        subject: mail.subject,
        text: mail.text,
        attachments: (mail.attachments ?? []).map((attachment) => ({
          filename: attachment.filename,
          contentType: attachment.contentType,
          content: attachment.content,
        })),
      });
      const messageId = String(info.messageId);
      if (!toFiles) return { messageId };
      return { messageId, file: await writeFile(info.message as Readable, messageId) };
    },
    async close() {
      transport.close();
    },
  };
}
