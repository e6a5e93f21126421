import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { simpleParser } from 'mailparser';
import { createMailer, MailError, type Mail } from '../../src/platform/mailer';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';

const FROM = 'tixport <noreply@tixport.test>';

/** A stream that hands out `bytes` in small chunks, as a storage read does. */
function chunked(bytes: Buffer, chunkSize = 16 * 1024): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= bytes.length) return void this.push(null);
      this.push(bytes.subarray(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

function reportMail(attachment: Buffer): Mail {
  return {
    to: ['boss@example.org', 'boss@example.net'],
    cc: ['assistant@example.net'],
    bcc: ['archive@example.net'],
    subject: 'Report 1 – Übersicht',
    text: 'Here is the report.\n\nCheers',
    attachments: [
      {
        filename: 'dummy_orders.xlsx',
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        content: chunked(attachment),
      },
    ],
  };
}

describe('mailer over SMTP (MAIL_URL)', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(() => smtp.close());

  test('delivers To, Cc and Bcc in the envelope, Bcc not in the headers, and the attachment byte for byte', async () => {
    const mailer = createMailer({ MAIL_URL: smtp.url, MAIL_DIR: '/nonexistent', MAIL_FROM: FROM });
    const attachment = randomBytes(300 * 1024);
    try {
      const sent = await mailer.send(reportMail(attachment));
      expect(sent.messageId).toMatch(/^<.+>$/);
      expect(sent.file).toBeUndefined();
    } finally {
      await mailer.close();
    }
    const [mail] = await smtp.waitFor(1);
    expect(mail!.envelope.from).toBe('noreply@tixport.test');
    expect(mail!.envelope.to.sort()).toEqual(
      ['archive@example.net', 'assistant@example.net', 'boss@example.net', 'boss@example.org'].sort(),
    );
    expect(mail!.addresses('to')).toEqual(['boss@example.org', 'boss@example.net']);
    expect(mail!.addresses('cc')).toEqual(['assistant@example.net']);
    expect(mail!.parsed.bcc).toBeUndefined();
    expect(mail!.raw.toString('latin1')).not.toMatch(/^bcc:/im);
    expect(mail!.parsed.from?.value[0]).toEqual({ name: 'tixport', address: 'noreply@tixport.test' });
    expect(mail!.parsed.subject).toBe('Report 1 – Übersicht');
    expect(mail!.parsed.text?.trim()).toBe('Here is the report.\n\nCheers');
    expect(mail!.parsed.attachments).toHaveLength(1);
    const [file] = mail!.parsed.attachments;
    expect(file!.filename).toBe('dummy_orders.xlsx');
    expect(file!.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(Buffer.compare(file!.content, attachment)).toBe(0);
  });

  test('an attachment stream that fails midway fails the send, and no half mail is delivered', async () => {
    const mailer = createMailer({ MAIL_URL: smtp.url, MAIL_DIR: '/nonexistent', MAIL_FROM: FROM });
    const before = smtp.received.length;
    let sentChunks = 0;
    const failing = new Readable({
      read() {
        sentChunks += 1;
        if (sentChunks > 3) this.destroy(new Error('storage read failed'));
        else this.push(randomBytes(16 * 1024));
      },
    });
    try {
      await expect(
        mailer.send({
          to: ['a@example.org'],
          subject: 'x',
          text: 'y',
          attachments: [{ filename: 'a.bin', contentType: 'application/octet-stream', content: failing }],
        }),
      ).rejects.toThrow(/storage read failed/);
    } finally {
      await mailer.close();
    }
    expect(smtp.received.length).toBe(before);
  });

  test('a wrong password in MAIL_URL fails the send instead of dropping the mail', async () => {
    const mailer = createMailer({
      MAIL_URL: smtp.url.replace(encodeURIComponent('secret password'), 'wrong'),
      MAIL_DIR: '/nonexistent',
      MAIL_FROM: FROM,
    });
    const before = smtp.received.length;
    try {
      await expect(mailer.send({ to: ['a@example.org'], subject: 'x', text: 'y' })).rejects.toThrow(
        /Invalid username or password/,
      );
    } finally {
      await mailer.close();
    }
    expect(smtp.received.length).toBe(before);
  });
});

describe('mailer without MAIL_URL (.eml files in MAIL_DIR)', () => {
  test('writes one complete .eml per mail, with Bcc kept so that every recipient is visible', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tixport-mail-'));
    const mailer = createMailer({ MAIL_URL: '', MAIL_DIR: path.join(dir, 'nested'), MAIL_FROM: FROM });
    const attachment = randomBytes(100 * 1024);
    const sent = await mailer.send(reportMail(attachment));
    await mailer.close();

    const files = await readdir(path.join(dir, 'nested'));
    expect(files).toEqual([path.basename(sent.file!)]);
    expect(files[0]).toMatch(/\.eml$/);
    const parsed = await simpleParser(await readFile(sent.file!));
    expect(parsed.messageId).toBe(sent.messageId);
    expect(parsed.subject).toBe('Report 1 – Übersicht');
    const bcc = Array.isArray(parsed.bcc) ? parsed.bcc : [parsed.bcc];
    expect(bcc.flatMap((b) => b?.value.map((v) => v.address))).toEqual(['archive@example.net']);
    expect(Buffer.compare(parsed.attachments[0]!.content, attachment)).toBe(0);
  });
});

describe('mailer refuses header injection and bad addresses before sending', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tixport-mail-'));
  const mailer = createMailer({ MAIL_URL: '', MAIL_DIR: dir, MAIL_FROM: FROM });
  afterAll(() => mailer.close());
  const base: Mail = { to: ['a@example.org'], subject: 'Report', text: 'Body\r\nwith lines' };
  const attachment = (filename: string, contentType = 'text/csv') => ({
    filename,
    contentType,
    content: Readable.from([Buffer.from('x')]),
  });

  test.each<[string, Mail, RegExp]>([
    [
      'a subject with CRLF',
      { ...base, subject: 'Report\r\nBcc: thief@evil.test' },
      /Subject must not contain CR, LF/,
    ],
    ['a subject with a bare LF', { ...base, subject: 'Report\nX: y' }, /Subject must not contain/],
    [
      'a recipient with CRLF',
      { ...base, to: ['a@example.org\r\nBcc: thief@evil.test'] },
      /To must not contain/,
    ],
    ['a Cc with a bare CR', { ...base, cc: ['a@example.org\r'] }, /Cc must not contain/],
    [
      'an attachment filename with CRLF',
      { ...base, attachments: [attachment('x.csv\r\nContent-Type: text/html')] },
      /attachment filename must not contain/,
    ],
    [
      'an attachment content type with LF',
      { ...base, attachments: [attachment('x.csv', 'text/csv\nX-Evil: 1')] },
      /attachment content type must not contain/,
    ],
    [
      'an invalid address',
      { ...base, bcc: ['not an address'] },
      /Bcc: "not an address" is not a valid address/,
    ],
    [
      'two addresses in one entry',
      { ...base, to: ['a@example.org, b@example.org'] },
      /is not a valid address/,
    ],
    ['no recipient at all', { ...base, to: [] }, /at least one recipient/],
  ])('%s', async (_name, mail, message) => {
    const error = await mailer.send(mail).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailError);
    expect((error as Error).message).toMatch(message);
    expect(await readdir(dir)).toEqual([]);
  });

  test('an invalid MAIL_FROM fails when the mailer is built', () => {
    expect(() => createMailer({ MAIL_URL: '', MAIL_DIR: dir, MAIL_FROM: 'tixport\r\n<x@y.z>' })).toThrow(
      MailError,
    );
    expect(() => createMailer({ MAIL_URL: '', MAIL_DIR: dir, MAIL_FROM: 'nobody' })).toThrow(MailError);
    expect(() => createMailer({ MAIL_URL: '', MAIL_DIR: dir, MAIL_FROM: 'noreply@localhost' })).not.toThrow();
  });
});
