import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeApplication, oauthClient, pkcePair, authorizeUrlWith, useOAuthWorld } from './support';

/**
 * The login and consent pages in a real headless Chromium (Debian's package; .ci/run installs it), with
 * JavaScript disabled to prove the pages are plain forms. Screenshots land in test-artifacts/.
 */
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

jest.setTimeout(90_000);

const t = useOAuthWorld();
let browser: Browser;
let callback: { server: Server; uri: string; codes: URLSearchParams[] };
let app: Awaited<ReturnType<typeof makeApplication>>;
/** What Chromium reported on the console, CSP violations included ("Refused to apply inline style …"). */
const consoleProblems: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // The client application's callback, a real server the browser is sent to after consent.
  const codes: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    codes.push(new URL(req.url ?? '/', 'http://callback.invalid').searchParams);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html lang="en"><title>Connected</title><h1>Connected to tixport</h1></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  callback = { server, uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`, codes };
  app = await makeApplication(t.ctx.runtime.db, { redirectUris: [callback.uri], name: 'Box Office Reports' });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => callback?.server.close(() => resolve()));
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({
    javaScriptEnabled: false,
    viewport: { width: 900, height: 900 },
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') consoleProblems.push(message.text());
  });
  return page;
}

afterEach(() => {
  // The pages pass their own Content-Security-Policy (helmet's, with the stylesheet's hash).
  expect(consoleProblems.splice(0)).toEqual([]);
});

async function logIn(page: Page, password = t.world.user.password): Promise<void> {
  await page.getByLabel('Email address').fill(t.world.user.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

test('login, consent and redirect in Chromium, then the code is exchanged with simple-oauth2', async () => {
  const page = await newPage();
  const { verifier, challenge } = pkcePair();
  const client = oauthClient(t.server.baseUrl, app);
  await page.goto(
    authorizeUrlWith(client, {
      redirect_uri: callback.uri,
      scope: 'read write',
      state: 'browser-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }),
  );

  expect(new URL(page.url()).pathname).toBe('/api/v1/oauth/login/');
  await expect(page.title()).resolves.toBe('Log in · tixport');
  expect(await page.getAttribute('html', 'lang')).toBe('en');
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Log in to tixport');
  expect(await page.getByText('to connect Box Office Reports').count()).toBe(1);
  await logIn(page, 'not the password');
  expect(await page.getByRole('alert').textContent()).toContain('Please enter a correct email address');
  expect(await page.getByLabel('Email address').getAttribute('aria-invalid')).toBe('true');
  await page.screenshot({ path: path.join(ARTIFACTS, 'oauth-login-error.png'), fullPage: true });
  await logIn(page);

  expect(new URL(page.url()).pathname).toBe('/api/v1/oauth/authorize');
  const heading = await page.getByRole('heading', { level: 1 }).textContent();
  expect(heading).toBe('Box Office Reports wants to access your tixport account');
  const organizers = page.getByRole('group', { name: /Which organizers may it access/ });
  expect(await organizers.getByRole('checkbox').count()).toBe(2);

  await page.screenshot({ path: path.join(ARTIFACTS, 'oauth-consent.png'), fullPage: true });

  // Allowing without an organizer brings the form back with an announced error.
  await page.getByRole('button', { name: 'Allow' }).click();
  expect(await page.getByRole('alert').textContent()).toBe('Please select at least one organizer.');
  await page.screenshot({ path: path.join(ARTIFACTS, 'oauth-consent-error.png'), fullPage: true });

  await organizers.getByLabel(t.world.first.name).check();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL((url) => url.href.startsWith(callback.uri));
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Connected to tixport');

  const redirect = new URL(page.url());
  expect(redirect.searchParams.get('state')).toBe('browser-state');
  const token = await client.getToken({
    code: redirect.searchParams.get('code')!,
    redirect_uri: callback.uri,
    code_verifier: verifier,
  } as Parameters<typeof client.getToken>[0]);
  const me = await fetch(`${t.server.baseUrl}/api/v1/me`, {
    headers: { Authorization: `Bearer ${token.token.access_token as string}` },
  });
  expect(await me.json()).toMatchObject({ email: t.world.user.email });
  const organizersSeen = await fetch(`${t.server.baseUrl}/api/v1/organizers/`, {
    headers: { Authorization: `Bearer ${token.token.access_token as string}` },
  });
  expect(
    ((await organizersSeen.json()) as { results: { slug: string }[] }).results.map((o) => o.slug),
  ).toEqual([t.world.first.slug]);

  // The user disconnects the application again, on the connected-applications page (pretix 61).
  await page.goto(`${t.server.baseUrl}/api/v1/oauth/applications/`);
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Connected applications');
  await page.screenshot({ path: path.join(ARTIFACTS, 'oauth-connected-applications.png'), fullPage: true });
  await page.getByRole('button', { name: 'Disconnect Box Office Reports' }).click();
  expect(await page.getByRole('status').textContent()).toBe('The application was disconnected.');
  expect(await page.getByRole('button', { name: 'Disconnect Box Office Reports' }).count()).toBe(0);
  const revoked = await fetch(`${t.server.baseUrl}/api/v1/organizers/`, {
    headers: { Authorization: `Bearer ${token.token.access_token as string}` },
  });
  expect(revoked.status).toBe(401);
  await page.context().close();
});

test('Cancel in Chromium sends the browser back with error=access_denied', async () => {
  const page = await newPage();
  await page.goto(
    authorizeUrlWith(oauthClient(t.server.baseUrl, app), { redirect_uri: callback.uri, state: 'n' }),
  );
  await logIn(page);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.waitForURL((url) => url.href.startsWith(callback.uri));
  expect(page.url()).toBe(`${callback.uri}?error=access_denied&state=n`);
  await page.context().close();
});
