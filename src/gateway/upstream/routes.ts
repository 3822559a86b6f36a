/**
 * Which upstream route a request path is, as a template: metrics labels and span names must never carry ids
 * (an RSVP id in a path names a person's RSVP), so `/events/v2/rsvps/4f1c…` is reported as `/events/v2/rsvps/{id}`
 * in domain `rsvps`. Built from PATHS, so a route added there is known here; anything else is "other".
 */
import { PATHS } from '../../wire/paths.js';

export interface UpstreamRoute {
  /** PATHS' group: attendance, bookings, calendarEvents, participations, events, guests, rsvps, tokenInfo. */
  domain: string;
  /** `METHOD /template`. */
  route: string;
}

const MARK = 'ROUTEPARAM';
const templates: { domain: string; template: string; pattern: RegExp | undefined }[] = [];
for (const [domain, group] of Object.entries(PATHS)) {
  const entries = typeof group === 'object' ? Object.values(group) : [group];
  for (const entry of entries) {
    const template = typeof entry === 'function' ? (entry as (id: string) => string)(MARK).split(MARK).join('{id}') : String(entry);
    if (templates.some((t) => t.template === template)) continue;
    const pattern = template.includes('{id}')
      ? new RegExp(`^${template.split('{id}').map(escape).join('[^/]+')}$`)
      : undefined;
    templates.push({ domain, template, pattern });
  }
}
// Literal paths first: `/events/v2/rsvps/query` is not an RSVP whose id is "query".
templates.sort((a, b) => Number(!!a.pattern) - Number(!!b.pattern));

const cache = new Map<string, UpstreamRoute>();

export function routeOf(method: string, path: string): UpstreamRoute {
  const key = `${method} ${path}`;
  const known = cache.get(key);
  if (known) return known;
  const hit = templates.find((t) => (t.pattern ? t.pattern.test(path) : t.template === path));
  const route = hit ? { domain: hit.domain, route: `${method} ${hit.template}` } : { domain: 'other', route: 'other' };
  // Only literal paths are cached: paths with ids are unbounded.
  if (!hit?.pattern && cache.size < 1000) cache.set(key, route);
  return route;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
