/**
 * Injected upstream faults: latency, error statuses (with Retry-After on 429), dropped sockets, each for one route or
 * for all, with a probability and an optional use count. The HTTP server asks `decide()` once per request and applies
 * the answer; the rules come from `POST /__sandbox/faults`. They exist so the gateway's timeouts, retries and error
 * mapping can be tested against the failures a real upstream produces.
 */
import { invalidArgument } from './errors.js';

export interface FaultRule {
  /** "METHOD /path/template" as in /__sandbox/stats, e.g. "POST /events/v2/rsvps/query"; absent = every route. */
  route?: string;
  /** Added delay before the request is handled. */
  latencyMs?: number;
  /** Answer with this error status (an upstream-shaped error body)… */
  status?: number;
  /** …with this probability, 0..1 (default 1). Also gates `drop`. */
  rate?: number;
  /** With status 429: the Retry-After header, in seconds. */
  retryAfterSeconds?: number;
  /** Send Retry-After as an HTTP date (now + retryAfterSeconds) instead of seconds; both forms are RFC 9110's. */
  retryAfterAsDate?: boolean;
  /** Destroy the socket without answering. */
  drop?: boolean;
  /**
   * Apply the latency and the drop after the request was handled instead of before: the write is done, its answer
   * comes late or never (the case where a client cannot know whether its write happened).
   */
  afterHandling?: boolean;
  /** Apply to the next N matching requests only, then expire (absent = until cleared). */
  times?: number;
}

export interface FaultDecision {
  latencyMs: number;
  /** The latency and drop apply after the handler ran. */
  afterHandling?: boolean;
  error?: { status: number; retryAfterSeconds?: number; retryAfterAsDate?: boolean };
  drop: boolean;
}

export interface Faults {
  /** Replaces all rules; [] clears. */
  set(rules: FaultRule[]): void;
  add(rule: FaultRule): void;
  clear(): void;
  /** The live rules, with `times` counting down. */
  list(): FaultRule[];
  /** The combined decision for one request (called once per request; consumes `times`). */
  decide(routeKey: string): FaultDecision;
}

/** `random` is injectable so tests can make `rate` deterministic. */
export function createFaults(random: () => number = Math.random): Faults {
  let rules: FaultRule[] = [];
  return {
    set(next) {
      rules = next.map((r) => ({ ...r }));
    },
    add(rule) {
      rules.push({ ...rule });
    },
    clear() {
      rules = [];
    },
    list() {
      return rules.map((r) => ({ ...r }));
    },
    decide(routeKey) {
      const decision: FaultDecision = { latencyMs: 0, drop: false };
      for (const rule of rules) {
        if (rule.route !== undefined && rule.route !== routeKey) continue;
        // A rule that does not fire this time (rate) keeps its use count: `times` counts faults applied.
        const hasOutcome = rule.status !== undefined || rule.drop === true;
        if (hasOutcome && random() >= (rule.rate ?? 1)) {
          if (rule.latencyMs) decision.latencyMs += rule.latencyMs;
          continue;
        }
        if (rule.latencyMs) decision.latencyMs += rule.latencyMs;
        if (rule.afterHandling) decision.afterHandling = true;
        // The first matching error/drop wins, so a route rule listed before a global one takes precedence.
        if (rule.drop && !decision.drop && !decision.error) decision.drop = true;
        else if (rule.status !== undefined && !decision.error && !decision.drop) {
          decision.error = {
            status: rule.status,
            ...(rule.retryAfterSeconds !== undefined ? { retryAfterSeconds: rule.retryAfterSeconds } : {}),
            ...(rule.retryAfterAsDate ? { retryAfterAsDate: true } : {}),
          };
        }
        if (rule.times !== undefined) rule.times--;
      }
      rules = rules.filter((r) => r.times === undefined || r.times > 0);
      return decision;
    },
  };
}

/** Validates the `POST /__sandbox/faults` body: `{rules: [...]}` or a single rule. */
export function parseFaultRules(body: unknown): FaultRule[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidArgument({ field: 'body', description: `expected {rules: [...]} or a single fault rule object, got ${JSON.stringify(body)}` });
  }
  if ('rules' in body) {
    const list = (body as { rules: unknown }).rules;
    if (!Array.isArray(list)) throw invalidArgument({ field: 'rules', description: `expected an array of fault rules, got ${JSON.stringify(list)}` });
    return list.map((r, i) => parseRule(r, `rules[${i}]`));
  }
  return [parseRule(body, 'rule')];
}

// Private helpers: one check per field, each naming the field and what was expected.

const KNOWN = new Set(['route', 'latencyMs', 'status', 'rate', 'retryAfterSeconds', 'retryAfterAsDate', 'drop', 'afterHandling', 'times']);
const ROUTE = /^(GET|POST|PATCH|PUT|DELETE) \/\S*$/;

function parseRule(raw: unknown, at: string): FaultRule {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalidArgument({ field: at, description: `expected a fault rule object, got ${JSON.stringify(raw)}` });
  }
  const r = raw as Record<string, unknown>;
  const bad = (field: string, expected: string) =>
    invalidArgument({ field: `${at}.${field}`, description: `expected ${expected}, got ${JSON.stringify(r[field])}` });
  for (const key of Object.keys(r)) {
    if (!KNOWN.has(key)) throw invalidArgument({ field: `${at}.${key}`, description: `unknown fault field; known: ${[...KNOWN].join(', ')}` });
  }
  const rule: FaultRule = {};
  if (r.route !== undefined) {
    if (typeof r.route !== 'string' || !ROUTE.test(r.route)) throw bad('route', 'a string "METHOD /path/template", e.g. "POST /events/v2/rsvps/query"');
    rule.route = r.route;
  }
  if (r.latencyMs !== undefined) {
    if (!isInt(r.latencyMs) || r.latencyMs < 0 || r.latencyMs > 600_000) throw bad('latencyMs', 'an integer from 0 to 600000');
    rule.latencyMs = r.latencyMs;
  }
  if (r.status !== undefined) {
    if (!isInt(r.status) || r.status < 400 || r.status > 599) throw bad('status', 'an HTTP error status from 400 to 599');
    rule.status = r.status;
  }
  if (r.rate !== undefined) {
    if (typeof r.rate !== 'number' || !(r.rate >= 0 && r.rate <= 1)) throw bad('rate', 'a probability from 0 to 1');
    rule.rate = r.rate;
  }
  if (r.retryAfterSeconds !== undefined) {
    if (!isInt(r.retryAfterSeconds) || r.retryAfterSeconds < 0) throw bad('retryAfterSeconds', 'a non-negative integer');
    if (rule.status === undefined) throw bad('retryAfterSeconds', 'a status (usually 429) alongside it');
    rule.retryAfterSeconds = r.retryAfterSeconds;
  }
  if (r.retryAfterAsDate !== undefined) {
    if (typeof r.retryAfterAsDate !== 'boolean') throw bad('retryAfterAsDate', 'true or false');
    if (rule.retryAfterSeconds === undefined) throw bad('retryAfterAsDate', 'retryAfterSeconds alongside it');
    rule.retryAfterAsDate = r.retryAfterAsDate;
  }
  if (r.drop !== undefined) {
    if (typeof r.drop !== 'boolean') throw bad('drop', 'true or false');
    rule.drop = r.drop;
  }
  if (r.afterHandling !== undefined) {
    if (typeof r.afterHandling !== 'boolean') throw bad('afterHandling', 'true or false');
    if (r.status !== undefined) throw bad('afterHandling', 'latencyMs and/or drop only (an error status replaces the answer)');
    rule.afterHandling = r.afterHandling;
  }
  if (r.times !== undefined) {
    if (!isInt(r.times) || r.times < 1) throw bad('times', 'a positive integer');
    rule.times = r.times;
  }
  if (rule.latencyMs === undefined && rule.status === undefined && !rule.drop) {
    throw invalidArgument({ field: at, description: 'a fault rule needs at least one of latencyMs, status or drop' });
  }
  return rule;
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}
