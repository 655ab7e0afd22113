/**
 * The routes a server has, recorded as they are added, so that a request for a known path with a
 * method it lacks is a 405 naming the allowed methods, and an unknown path a 404 listing them.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';

export interface RouteTable {
  /** The methods a concrete path (no query string) is served with; empty for an unknown path. */
  methodsFor(path: string): string[];
  /** "GET /health", … in the order they were added (HEAD, which fastify adds to every GET, left out). */
  list(): string[];
}

/** ":name" matches one path segment; "*" the rest. */
function patternOf(url: string): RegExp {
  const body = url
    .split('/')
    .map((s) => (s.startsWith(':') ? '[^/]+' : s === '*' ? '.*' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${body}/?$`);
}

export function trackRoutes(app: FastifyInstance): RouteTable {
  const routes: { method: string; url: string; pattern: RegExp }[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: route.url, pattern: patternOf(route.url) });
    }
  });
  return {
    methodsFor: (path) => [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))],
    list: () => routes.map((r) => `${r.method} ${r.url}`),
  };
}
