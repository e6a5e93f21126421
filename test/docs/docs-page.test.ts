import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import request from 'supertest';
import { createTestContext } from '../support/app';

/** The API reference page in a real headless Chromium (Debian's package); screenshots land in test-artifacts/. */
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

jest.setTimeout(90_000);

const ctx = createTestContext();
let server: Server;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await new Promise<Server>((resolve) => {
    const listening = ctx.app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await ctx.close();
});

describe('GET /api/docs/', () => {
  test('renders the OpenAPI document with Swagger UI, without console errors, and shows the exporter run', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    const requested: string[] = [];
    page.on('request', (req) => requested.push(req.url()));

    const response = await page.goto(`${baseUrl}/api/docs/`);
    expect(response?.status()).toBe(200);
    // Tags start collapsed; open the event-level exporters as a reader would.
    const exportersTag = page.locator('.opblock-tag-section', { hasText: 'exporters (event)' }).first();
    await exportersTag.locator('.opblock-tag').first().click();
    const run = exportersTag.locator('.opblock-summary', { hasText: 'Run an exporter' });
    await run.first().waitFor({ state: 'visible', timeout: 30_000 });
    await expect(run.first().locator('.opblock-summary-path').textContent()).resolves.toContain(
      '/exporters/{identifier}/run/',
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'api-docs.png'), fullPage: false });

    await run.first().click();
    await page.getByText('Request body').first().waitFor({ state: 'visible' });
    await page.screenshot({ path: path.join(ARTIFACTS, 'api-docs-exporter-run.png'), fullPage: false });

    expect(problems).toEqual([]);
    // Everything came from tixport itself: no CDN.
    expect(requested.filter((url) => !url.startsWith(baseUrl) && !url.startsWith('data:'))).toEqual([]);
    await page.close();
  });

  test('is served with a CSP that allows only its own scripts, styles and the document', async () => {
    const res = await request(ctx.app).get('/api/docs/').expect(200);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    await request(ctx.app).get('/api/docs/assets/swagger-ui-bundle.js').expect(200);
    await request(ctx.app).get('/api/docs').expect(301).expect('Location', '/api/docs/');
  });
});
