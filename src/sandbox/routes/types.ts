import type { Tenant } from '../tenant.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RouteContext {
  tenant: Tenant;
  /** Parsed JSON body ({} when none). */
  body: any;
  /** The query string; GET/DELETE requests from the SDK repeat path params here, which handlers ignore. */
  query: URLSearchParams;
  /** Captured `{name}` segments of the matched path template. */
  params: Record<string, string>;
}

export interface Route {
  method: Method;
  /**
   * Path templates with `{name}` captures. The first is the canonical form (it names the route in
   * /__sandbox/stats as "METHOD template"); the rest are aliases (e.g. the ones the SDK calls). A literal
   * segment always wins over a capture (`/events/v2/rsvps/summaries` before `/events/v2/rsvps/{rsvpId}`).
   */
  paths: string[];
  /** Returns the JSON response object (HTTP 200) or throws a SandboxError. */
  handler(ctx: RouteContext): unknown | Promise<unknown>;
}
