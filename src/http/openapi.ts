import type { Express } from 'express';
import { z } from 'zod';
import { isUndocumented, routeDocsOf, type Method, type OperationDoc, type RouteDocs } from './route-docs';

/** A route as the app really serves it: the full path (with its mount prefixes) and its methods. */
export interface ServedRoute {
  /** Express syntax, e.g. `/api/v1/organizers/:organizer/`. */
  path: string;
  methods: Method[];
  docs: RouteDocs | undefined;
}

/**
 * The parts of Express 5's router (the `router` package) that the walk reads. They are not in @types/express,
 * but are the package's long-standing layer and route fields.
 */
interface StackLayer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle: unknown;
  rawPath?: unknown;
}
interface StackRouter {
  stack: StackLayer[];
}

const METHODS: readonly Method[] = ['get', 'post', 'put', 'patch', 'delete'];

function isRouter(handle: unknown): handle is StackRouter {
  return typeof handle === 'function' && Array.isArray((handle as Partial<StackRouter>).stack);
}

function joinPath(prefix: string, path: string): string {
  if (path === '/' || path === '') return prefix;
  return `${prefix.replace(/\/$/, '')}${path}`;
}

/** Every route of the app, in registration order, found by walking the router stack and mounted routers. */
export function servedRoutes(app: Express): ServedRoute[] {
  const routes: ServedRoute[] = [];
  const walk = (router: StackRouter, prefix: string) => {
    for (const layer of router.stack) {
      if (layer.route) {
        if (typeof layer.route.path !== 'string') continue;
        const methods = METHODS.filter((method) => layer.route!.methods[method]);
        if (methods.length === 0) continue;
        routes.push({
          path: joinPath(prefix, layer.route.path),
          methods,
          docs: routeDocsOf(layer.route),
        });
      } else if (isRouter(layer.handle) && !isUndocumented(layer.handle)) {
        walk(layer.handle, typeof layer.rawPath === 'string' ? joinPath(prefix, layer.rawPath) : prefix);
      }
    }
  };
  // Express 5 creates the app's router lazily; createApp() has always used it by now.
  walk((app as unknown as { router: StackRouter }).router, '');
  return routes;
}

/** `/organizers/:organizer/` → `/organizers/{organizer}/`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:(\w+)/g, '{$1}');
}

const pathParameters = (expressPath: string) => [...expressPath.matchAll(/:(\w+)/g)].map((m) => m[1]!);

type JsonSchema = Record<string, unknown>;

/** zod 4's own JSON Schema output (draft 2020-12, the dialect of OpenAPI 3.1), describing what clients send. */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  return json;
}

const SCOPE_SEGMENTS = new Set(['organizers', 'events']);

/** The docs page's group of a path: the first segment below the organizer and event, e.g. `orders`. */
function tagOf(expressPath: string): string {
  const segments = expressPath
    .replace(/^\/api\/v1/, '')
    .split('/')
    .filter(Boolean);
  let last = 'api';
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment.startsWith(':')) continue;
    const nextIsParameter = segments[i + 1]?.startsWith(':') ?? false;
    if (SCOPE_SEGMENTS.has(segment) && nextIsParameter) {
      last = segment;
      continue;
    }
    return segment;
  }
  return last;
}

const DEFAULT_STATUS: Record<Method, number> = { get: 200, post: 201, put: 200, patch: 200, delete: 204 };

const ERROR_RESPONSES: Record<number, string> = {
  400: 'ValidationError',
  401: 'NotAuthenticated',
  403: 'PermissionDenied',
  404: 'NotFound',
  409: 'StillRunning',
  410: 'Gone',
  429: 'Throttled',
};

function operationOf(route: ServedRoute, method: Method): Record<string, unknown> {
  const docs = route.docs ?? {};
  const doc: OperationDoc = docs[method] ?? {};
  const params = pathParameters(route.path);
  const writes = method !== 'get';
  const status = doc.status ?? DEFAULT_STATUS[method];

  const parameters = [
    ...params.map((name) => {
      const declared = doc.params?.shape[name] as z.ZodType | undefined;
      return {
        name,
        in: 'path',
        required: true,
        schema: declared ? jsonSchemaOf(declared) : { type: 'string' },
      };
    }),
    ...Object.entries(doc.query?.shape ?? {}).map(([name, schema]) => {
      const json = jsonSchemaOf(schema as z.ZodType);
      return {
        name,
        in: 'query',
        required: !(schema as z.ZodType).safeParse(undefined).success,
        schema: json,
        ...(typeof json.description === 'string' ? { description: json.description } : {}),
      };
    }),
  ];

  const success: Record<string, unknown> = { description: doc.summary ?? 'Success' };
  if (status !== 204 && status !== 302) {
    success.content = {
      [doc.contentType ?? 'application/json']: { schema: doc.response ? jsonSchemaOf(doc.response) : {} },
    };
  }
  const errors = new Set<number>(doc.errors ?? []);
  if (doc.body || doc.query || (writes && !docs.public)) errors.add(400);
  if (!docs.public) {
    errors.add(401);
    errors.add(403);
  }
  if (params.length > 0) errors.add(404);
  const responses: Record<string, unknown> = { [String(status)]: success };
  for (const code of [...errors].sort()) {
    const name = ERROR_RESPONSES[code];
    if (name) responses[String(code)] = { $ref: `#/components/responses/${name}` };
  }

  const security = docs.public
    ? []
    : (doc.security ?? [{ Token: [] }, { OAuth2: [writes ? 'write' : 'read'] }]);
  return {
    operationId: `${method}${openApiPath(route.path).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c?: string) => (c ? c.toUpperCase() : ''))}`,
    tags: [docs.tag ?? tagOf(route.path)],
    ...(doc.summary ? { summary: doc.summary } : {}),
    ...(doc.description ? { description: doc.description } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(doc.body
      ? {
          requestBody: {
            required: true,
            content: { [doc.bodyType ?? 'application/json']: { schema: jsonSchemaOf(doc.body) } },
          },
        }
      : {}),
    responses,
    security,
  };
}

const DETAIL = {
  type: 'object',
  properties: { detail: { type: 'string' } },
  required: ['detail'],
};

const detailResponse = (description: string, example: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: {
    'application/json': { schema: { $ref: '#/components/schemas/Detail' }, example: { detail: example } },
  },
});

/** The error responses every operation refers to, in pretix's (DRF's) wire shapes. */
const COMPONENTS = {
  schemas: {
    Detail: DETAIL,
    FieldErrors: {
      type: 'object',
      description:
        'Messages per field (nested for nested objects and lists); errors not tied to a field are under ' +
        '`non_field_errors`.',
      properties: { non_field_errors: { type: 'array', items: { type: 'string' } } },
      additionalProperties: {
        anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'object' }, { type: 'array' }],
      },
    },
  },
  responses: {
    ValidationError: {
      description: 'The request is invalid; nothing was written.',
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/FieldErrors' },
          example: { name: ['This field is required.'] },
        },
      },
    },
    NotAuthenticated: detailResponse(
      'No or invalid credentials.',
      'Authentication credentials were not provided.',
      { 'WWW-Authenticate': { schema: { type: 'string' }, description: '`Token`' } },
    ),
    PermissionDenied: detailResponse(
      'The credentials lack a permission or OAuth scope this needs.',
      'You do not have permission to perform this action.',
    ),
    NotFound: detailResponse('No such object, or not one the caller may see.', 'Not found.'),
    StillRunning: {
      description: 'The export is not finished yet; ask again later.',
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: {
              status: { type: 'string', enum: ['waiting', 'running'] },
              percentage: { type: ['number', 'null'] },
            },
            required: ['status', 'percentage'],
          },
          example: { status: 'running', percentage: 42 },
        },
      },
    },
    Gone: {
      description: 'The export failed, or its file has expired.',
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: {
              status: { type: 'string', enum: ['failed'] },
              message: { type: ['string', 'null'] },
            },
            required: ['status'],
          },
          example: { status: 'failed', message: 'Your export did not contain any data.' },
        },
      },
    },
    Throttled: detailResponse(
      'Too many requests; retry after the given number of seconds.',
      'Request was throttled. Expected available in 10 seconds.',
      { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait before retrying.' } },
    ),
  },
};

export interface ApiInfo {
  title: string;
  version: string;
  description: string;
  siteUrl: string;
}

/**
 * The OpenAPI 3.1 document of the app: every route it serves (found by walking its routers, so nothing
 * registered can be missing), described by the zod schemas attached where the route is declared.
 */
export function buildOpenApiDocument(app: Express, info: ApiInfo): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of servedRoutes(app)) {
    if (route.docs?.hidden) continue;
    const item = (paths[openApiPath(route.path)] ??= {});
    for (const method of route.methods) item[method] = operationOf(route, method);
  }
  return {
    openapi: '3.1.1',
    info: { title: info.title, version: info.version, description: info.description },
    servers: [{ url: info.siteUrl }],
    security: [{ Token: [] }, { OAuth2: ['read'] }],
    paths,
    components: {
      ...COMPONENTS,
      securitySchemes: {
        Token: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: 'A team API token, sent as `Authorization: Token <token>`.',
        },
        OAuth2: {
          type: 'oauth2',
          description: 'Connect with tixport: OAuth2 authorization code flow (PKCE supported).',
          flows: {
            authorizationCode: {
              authorizationUrl: `${info.siteUrl}/api/v1/oauth/authorize`,
              tokenUrl: `${info.siteUrl}/api/v1/oauth/token`,
              refreshUrl: `${info.siteUrl}/api/v1/oauth/token`,
              scopes: {
                read: 'Read the data of the organizers you connect.',
                write: 'Change the data of the organizers you connect.',
                profile: 'Read your name, email address and locale (/api/v1/me).',
              },
            },
          },
        },
      },
    },
  };
}
