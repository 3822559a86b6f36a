/**
 * The sandbox's router: matches a method and path against the routes' path templates (docs/upstream.md §1.1), for
 * the server (server.ts) to answer 404, 405 or hand the request to the matched handler.
 */
export type RouteMatch<R> =
  | { kind: 'ok'; route: R; params: Record<string, string>; key: string }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

export interface Router<R extends { method: string; paths: string[] }> {
  match(method: string, pathname: string): RouteMatch<R>;
}

/**
 * Routes by path template. `{name}` captures one segment (decoded); a literal segment beats a capture at the first
 * position where two matching templates differ (§1.1: `/events/v2/rsvps/summaries` before `/{rsvpId}`). Every alias
 * of a route reports the route's first path as its key, so stats and fault rules name one template per endpoint.
 */
export function createRouter<R extends { method: string; paths: string[] }>(routes: R[]): Router<R> {
  interface Compiled {
    route: R;
    key: string;
    segments: { literal?: string; capture?: string }[];
  }
  const byLength = new Map<number, Compiled[]>();
  const seen = new Map<string, string>();
  for (const route of routes) {
    const key = `${route.method} ${route.paths[0]}`;
    for (const path of route.paths) {
      const segments = splitPath(path).map((s) => {
        const m = /^\{([^{}]+)\}$/.exec(s);
        return m ? { capture: m[1] } : { literal: s };
      });
      // Two routes answering the same method+template would make one of them silently unreachable.
      const shape = `${route.method} ${segments.map((s) => (s.capture !== undefined ? '{}' : s.literal)).join('/')}`;
      const prior = seen.get(shape);
      if (prior) throw new Error(`sandbox routes: "${route.method} ${path}" duplicates ${prior}`);
      seen.set(shape, key);
      const list = byLength.get(segments.length) ?? [];
      list.push({ route, key, segments });
      byLength.set(segments.length, list);
    }
  }

  return {
    match(method, pathname) {
      let parts: string[];
      try {
        parts = splitPath(pathname).map((p) => decodeURIComponent(p));
      } catch {
        return { kind: 'not-found' };
      }
      let best: { c: Compiled; score: boolean[] } | undefined;
      const allow = new Set<string>();
      for (const c of byLength.get(parts.length) ?? []) {
        const score: boolean[] = [];
        let ok = true;
        for (let i = 0; i < parts.length; i++) {
          const seg = c.segments[i]!;
          if (seg.literal !== undefined) {
            if (seg.literal !== parts[i]) {
              ok = false;
              break;
            }
            score.push(true);
          } else {
            if (parts[i] === '') {
              ok = false;
              break;
            }
            score.push(false);
          }
        }
        if (!ok) continue;
        allow.add(c.route.method);
        if (c.route.method !== method) continue;
        if (!best || beats(score, best.score)) best = { c, score };
      }
      if (best) {
        const params: Record<string, string> = {};
        best.c.segments.forEach((s, i) => {
          if (s.capture !== undefined) params[s.capture] = parts[i]!;
        });
        return { kind: 'ok', route: best.c.route, params, key: best.c.key };
      }
      if (allow.size > 0) return { kind: 'method-not-allowed', allow: [...allow].sort() };
      return { kind: 'not-found' };
    },
  };
}

/** A literal segment at the first differing position wins over a capture. */
function beats(a: boolean[], b: boolean[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]!;
  return false;
}

function splitPath(path: string): string[] {
  return path.split('/').slice(1);
}

