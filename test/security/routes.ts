import type { Express } from 'express';
import { expressPath } from '../../src/http/rest/router';
import { BACKEND_API_PREFIX, ENDPOINTS } from '../../src/http/rest/routes';

/** One route an HTTP client can call: method and Express path (`:param`). */
export interface RouteInfo {
  method: 'get' | 'post' | 'patch' | 'delete' | 'put';
  path: string;
}

interface LayerLike {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
}

/**
 * Every route an Express app serves, read from its router stacks (mounted routers
 * included), so a route added later is found without anyone listing it.
 */
export function routesOf(app: Express): RouteInfo[] {
  const found: RouteInfo[] = [];
  const walk = (stack: LayerLike[], prefix: string) => {
    for (const layer of stack) {
      const at = typeof layer.rawPath === 'string' ? layer.rawPath : '';
      if (layer.route) {
        const path = `${prefix}${String(layer.route.path)}`;
        for (const [method, on] of Object.entries(layer.route.methods))
          if (on && method !== '_all') found.push({ method: method as RouteInfo['method'], path });
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, `${prefix}${at === '/' ? '' : at}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: LayerLike[] } }).router.stack, '');
  return dedupe(found);
}

function dedupe(routes: RouteInfo[]): RouteInfo[] {
  const seen = new Map<string, RouteInfo>();
  for (const r of routes) seen.set(`${r.method} ${r.path}`, r);
  return [...seen.values()];
}

/** The backend API's routes, from its route table. */
export const restRoutes = (): RouteInfo[] =>
  ENDPOINTS.map((e) => ({ method: e.method, path: `${BACKEND_API_PREFIX}${expressPath(e.path)}` }));

export const label = (r: RouteInfo) => `${r.method.toUpperCase()} ${r.path}`;
