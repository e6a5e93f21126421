import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import express, { Router } from 'express';
import request from 'supertest';
import { z } from 'zod';
import { buildOpenApiDocument, openApiPath, servedRoutes } from '../../src/http/openapi';
import { resource } from '../../src/http/routes';
import { EXPORTERS } from '../../src/modules/exports/exporters';
import { createTestContext } from '../support/app';

interface Operation {
  tags: string[];
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: { anyOf?: { title: string; properties: object }[] } }> };
  responses: Record<string, unknown>;
  security: Record<string, string[]>[];
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown>; responses: Record<string, unknown> };
}

/**
 * @seriousme/openapi-schema-validator is ESM only, which Jest's CommonJS runtime cannot load on Node 20, so it
 * runs in a child Node process that reads the document from stdin and prints the result.
 */
async function validateOpenApi(doc: unknown): Promise<{ valid: boolean; version: string; errors?: unknown }> {
  const script = `
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(Buffer.concat(chunks).toString()));
    console.log(JSON.stringify({ ...result, version: validator.version }));`;
  const child = promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: __dirname,
  });
  child.child.stdin!.end(JSON.stringify(doc));
  return JSON.parse((await child).stdout) as { valid: boolean; version: string; errors?: unknown };
}

const ctx = createTestContext();
let document: Document;

beforeAll(async () => {
  const res = await request(ctx.app).get('/api/v1/openapi.json').expect(200);
  document = res.body as Document;
});
afterAll(() => ctx.close());

describe('GET /api/v1/openapi.json', () => {
  test('is a valid OpenAPI 3.1 document', async () => {
    const result = await validateOpenApi(document);
    expect(result.errors).toBeUndefined();
    expect(result).toMatchObject({ valid: true, version: '3.1' });
  });

  test('describes every route the app serves, with every method and path parameter', () => {
    const routes = servedRoutes(ctx.app).filter((route) => !route.docs?.hidden);
    // The walk itself finds the API: a broken walk must not pass as "nothing is missing".
    expect(routes.length).toBeGreaterThan(50);
    const missing: string[] = [];
    for (const route of routes) {
      for (const method of route.methods) {
        const operation = document.paths[openApiPath(route.path)]?.[method];
        if (!operation) {
          missing.push(`${method.toUpperCase()} ${route.path}`);
          continue;
        }
        const pathParameters = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(pathParameters).toEqual([...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]));
      }
    }
    expect(missing).toEqual([]);
  });

  test('hides only the docs page script', () => {
    const hidden = servedRoutes(ctx.app).filter((route) => route.docs?.hidden);
    expect(hidden.map((route) => route.path)).toEqual(['/api/docs/init.js']);
  });

  test("documents each exporter's run inputs from the exporter registry", () => {
    for (const level of ['event', 'organizer'] as const) {
      const base =
        level === 'event'
          ? '/api/v1/organizers/{organizer}/events/{event}/exporters'
          : '/api/v1/organizers/{organizer}/exporters';
      const run = document.paths[`${base}/{identifier}/run/`]!.post!;
      const variants = run.requestBody!.content['application/json']!.schema.anyOf!;
      const registered = EXPORTERS.filter((exporter) => exporter.scope === level);
      expect(variants.map((variant) => variant.title)).toEqual(registered.map((e) => e.identifier));
      registered.forEach((exporter, index) => {
        expect(Object.keys(variants[index]!.properties)).toEqual(exporter.fields.map(([name]) => name));
      });
      expect(Object.keys(run.responses)).toEqual(['202', '400', '401', '403', '404', '429']);
    }
    const orderlist = document.paths[
      '/api/v1/organizers/{organizer}/events/{event}/exporters/{identifier}/run/'
    ]!.post!.requestBody!.content['application/json']!.schema.anyOf!.find((v) => v.title === 'orderlist');
    expect(orderlist).toMatchObject({
      additionalProperties: false,
      properties: { paid_only: { type: 'boolean', description: 'Only paid orders', default: true } },
    });
  });

  test('gives request bodies from the zod schemas that validate them', () => {
    const teams = document.paths['/api/v1/organizers/{organizer}/teams/']!.post!;
    expect(teams.requestBody!.content['application/json']!.schema).toMatchObject({
      type: 'object',
      properties: { name: { type: 'string' } },
    });
    const quotaPatch = document.paths['/api/v1/organizers/{organizer}/events/{event}/quotas/{id}/']!.patch!;
    expect(quotaPatch.requestBody).toBeDefined();
  });

  test("uses pretix's error shapes: field errors, detail, 409 with percentage, 410, 429 with Retry-After", () => {
    const responses = document.components.responses as Record<string, { headers?: object; content: object }>;
    expect(responses.ValidationError!.content).toMatchObject({
      'application/json': { schema: { $ref: '#/components/schemas/FieldErrors' } },
    });
    expect(responses.NotAuthenticated!.headers).toHaveProperty('WWW-Authenticate');
    expect(responses.StillRunning!.content).toMatchObject({
      'application/json': { schema: { required: ['status', 'percentage'] } },
    });
    expect(responses.Gone!.content).toMatchObject({
      'application/json': { schema: { properties: { status: { enum: ['failed'] } } } },
    });
    expect(responses.Throttled!.headers).toHaveProperty('Retry-After');
    const download =
      document.paths['/api/v1/organizers/{organizer}/exporters/{identifier}/download/{jobId}/{exportId}/']!
        .get!;
    expect(Object.keys(download.responses)).toEqual(['200', '401', '403', '404', '409', '410']);
    expect(download.responses['409']).toEqual({ $ref: '#/components/responses/StillRunning' });
  });

  test('offers team tokens and OAuth2 authorization code with the read, write and profile scopes', () => {
    expect(document.components.securitySchemes).toEqual({
      Token: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'Authorization' }),
      OAuth2: expect.objectContaining({
        type: 'oauth2',
        flows: {
          authorizationCode: expect.objectContaining({
            authorizationUrl: 'http://tixport.test/api/v1/oauth/authorize',
            tokenUrl: 'http://tixport.test/api/v1/oauth/token',
            scopes: { read: expect.any(String), write: expect.any(String), profile: expect.any(String) },
          }),
        },
      }),
    });
    expect(document.paths['/api/v1/organizers/']!.get!.security).toEqual([
      { Token: [] },
      { OAuth2: ['read'] },
    ]);
    expect(document.paths['/api/v1/organizers/{organizer}/teams/']!.post!.security).toEqual([
      { Token: [] },
      { OAuth2: ['write'] },
    ]);
    expect(document.paths['/healthz']!.get!.security).toEqual([]);
  });
});

describe('a route added to any router', () => {
  test('appears in the document under its mount prefix, with the schema attached where it is declared', () => {
    const app = express();
    const router = Router({ strict: true });
    resource(router, '/organizers/:organizer/widgets/', {
      docs: { post: { body: z.object({ size: z.number().int() }) } },
      get: (_req, res) => void res.json([]),
      post: (_req, res) => void res.status(201).json({}),
    });
    router.get('/organizers/:organizer/plain/', (_req, res) => void res.json({}));
    app.use('/api/v1', Router().use(router));

    const built = buildOpenApiDocument(app, {
      title: 't',
      version: '1',
      description: '',
      siteUrl: 'http://x.test',
    }) as unknown as Document;

    expect(Object.keys(built.paths)).toEqual([
      '/api/v1/organizers/{organizer}/widgets/',
      '/api/v1/organizers/{organizer}/plain/',
    ]);
    const post = built.paths['/api/v1/organizers/{organizer}/widgets/']!.post!;
    expect(post.requestBody!.content['application/json']!.schema).toMatchObject({
      properties: { size: { type: 'integer' } },
    });
    expect(post.tags).toEqual(['widgets']);
  });
});
