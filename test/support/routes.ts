import type { Express } from 'express';

/** One path and method the app's router answers, as registered (`/api/v1/organizers/:organizer/`). */
export interface RegisteredRoute {
  method: string;
  path: string;
}

/** The parts of router 2.x's (Express 5's) layers that describe what was registered; not typed by @types. */
interface Layer {
  rawPath?: unknown;
  slash?: boolean;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

function pathsOf(raw: unknown): string[] {
  if (typeof raw === 'string') return [raw];
  if (Array.isArray(raw)) return raw.flatMap(pathsOf);
  // A RegExp or a middleware without a path cannot be turned into a URL to call.
  return [];
}

function walk(stack: Layer[], prefix: string, into: RegisteredRoute[]): void {
  for (const layer of stack) {
    if (layer.route) {
      for (const path of pathsOf(layer.route.path))
        for (const [method, on] of Object.entries(layer.route.methods))
          if (on && method !== '_all') into.push({ method: method.toUpperCase(), path: prefix + path });
      if (layer.route.methods._all)
        for (const path of pathsOf(layer.route.path)) into.push({ method: 'ALL', path: prefix + path });
    } else if (layer.handle?.stack) {
      const mounts = layer.slash ? [''] : pathsOf(layer.rawPath);
      for (const mount of mounts) walk(layer.handle.stack, prefix + mount.replace(/\/$/, ''), into);
    }
  }
}

/**
 * Every route of the app, read from Express' own router (mounted routers included), so that a test walking them
 * covers an endpoint the day it is mounted. Routes registered with `all()` only (405 answers) are left out.
 */
export function registeredRoutes(app: Express): RegisteredRoute[] {
  const router = (app as unknown as { router: { stack: Layer[] } }).router;
  const routes: RegisteredRoute[] = [];
  walk(router.stack, '', routes);
  const seen = new Set<string>();
  return routes.filter((route) => {
    const key = `${route.method} ${route.path}`;
    if (route.method === 'ALL' || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
