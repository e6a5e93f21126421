import type { Express, Request, RequestHandler } from 'express';
import { Histogram, type Registry } from 'prom-client';
import { servedRoutes } from './openapi';

interface RoutePattern {
  route: string;
  pattern: RegExp;
}

/** The app's routes as patterns, so that a request is labelled with its route template, never its raw URL. */
function routePatterns(app: Express): RoutePattern[] {
  return servedRoutes(app).map(({ path }) => ({
    route: path,
    pattern: new RegExp(
      `^${path
        .split(/(:\w+)/)
        .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('')}$`,
    ),
  }));
}

/**
 * http_request_duration_seconds by method, route template and status. Unknown URLs share one `unmatched`
 * label, so scanners cannot blow up the number of series.
 */
export function httpMetrics(registry: Registry): RequestHandler {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Duration of HTTP requests by method, route and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  let patterns: RoutePattern[] | undefined;
  const routeOf = (req: Request) => {
    // Built on the first request: by then every router is mounted.
    patterns ??= routePatterns(req.app as Express);
    const path = req.originalUrl.split('?')[0]!;
    return patterns.find((candidate) => candidate.pattern.test(path))?.route ?? 'unmatched';
  };
  return (req, res, next) => {
    const end = duration.startTimer();
    // 'close', not 'finish': a download whose client hangs up as the last byte arrives never emits 'finish',
    // and would never be counted. 'close' comes once for every response, however it ended.
    res.once('close', () => end({ method: req.method, route: routeOf(req), status: String(res.statusCode) }));
    next();
  };
}
