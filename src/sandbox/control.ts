/**
 * The sandbox's own control API under /__sandbox/: request counters, webhook targets and faults, injected
 * upstream faults, demo data. It is not part of the Wix protocol, so it needs no Authorization, is not counted in
 * the stats and is never subject to faults (a test must always be able to clear the faults it set).
 */
import { randomUUID } from 'node:crypto';
import { invalidArgument, applicationError } from './errors.js';
import { endEvent, remindEvent } from './domain/event-lifecycle.js';
import { createTicketGuests, getEvent, setOrderStatus, startEvent } from './domain/events.js';
import type { OrderStatus } from './domain/guests.js';
import { parseFaultRules, type Faults } from './faults.js';
import { addCourse, type CourseSpec, type SeedCounts, type SeedSize } from './seed.js';
import type { ControlHandler } from './server.js';
import type { RequestStats } from './stats.js';
import type { SandboxBehaviour, Tenant } from './tenant.js';
import type { WebhookDispatcher, WebhookFaults } from './webhooks.js';

export interface ControlDeps {
  stats: RequestStats;
  publicKeyPem: string;
  dispatcher: WebhookDispatcher;
  faults: Faults;
  seed(token: string, seed: number, size?: Partial<SeedSize>): SeedCounts;
  behaviour: SandboxBehaviour;
  tenant(token: string): Tenant;
}

/** One line per endpoint, also served as GET /__sandbox/ so a human can discover them. */
export const CONTROL_ENDPOINTS: Record<string, string> = {
  'GET stats': '{total, byRoute: {"METHOD /template": n}}',
  'GET request-ids': '{recent: [{route, requestId, wixRequestId}]}: the last 200 requests, caller x-request-id beside X-Wix-Request-Id',
  'POST reset-stats': 'zero the counters',
  'GET public-key': 'the webhook signing key (SPKI PEM, text/plain)',
  'GET webhooks': '{targets: [url]}',
  'POST webhooks': '{url}: deliver every webhook there',
  'DELETE webhooks': '{url}: stop delivering there',
  'GET webhook-stats': '{delivered, failed, retried, pending}',
  'POST idle': 'wait until every queued webhook was delivered or given up',
  'GET faults': '{rules}',
  'POST faults': '{rules: [FaultRule]} replaces the rules; {webhooks: {duplicateRate, delayMs, reorder, reorderWindowMs}} sets webhook faults',
  'DELETE faults': 'clear all upstream and webhook faults',
  'GET behaviour': '{guestNameChangeUpdates}',
  'POST behaviour': '{guestNameChangeUpdates?: 1|2, revisionConflict?: {status: 409|428|400, code}}: where the sources allow several behaviours',
  'POST start-event': '{token, eventId, timing?}: the event starts (Wix does this on the clock): event_started and guest_event_starts',
  'POST end-event': '{token, eventId}: the event ends (Wix does this on the clock): event_ended',
  'POST event-reminder': '{token, eventId, startsIn?: {days?, hours?, minutes?}}: one of the reminders Wix sends on the clock: event_reminder',
  'POST ticket-orders': '{token, eventId, tickets (1..50), status: PAID|OFFLINE_PENDING|FREE|PENDING|…} -> {orderNumber, guests}: a BUYER and its TICKET_HOLDERs',
  'POST ticket-orders/status': '{token, orderNumber, status}: the order moves its guests (CANCELED also sends guest_order_canceled)',
  'POST courses': '{token, title?, sessions (1..50), bookings: [{totalParticipants (1..50), status?, contactId?}] (0..100), start?} -> {scheduleId, sessions, bookings}: a course schedule, its COURSE sessions and course bookings',
  'POST seed': '{token, seed, size?: {events, rsvpsPerEvent, sessions, participationsPerSession, bookings}} -> counts',
};

export function createControlHandler(deps: ControlDeps): ControlHandler {
  return async (method, path, body) => {
    switch (`${method} ${path}`) {
      case 'GET ':
      case 'GET index':
        return { json: { endpoints: CONTROL_ENDPOINTS } };
      case 'GET stats':
        return { json: deps.stats.snapshot() };
      case 'GET request-ids':
        return { json: { recent: deps.stats.requestIds() } };
      case 'POST reset-stats':
        deps.stats.reset();
        return { json: {} };
      case 'GET public-key':
        return { text: deps.publicKeyPem };
      case 'GET webhooks':
        return { json: { targets: deps.dispatcher.targets() } };
      case 'POST webhooks':
        deps.dispatcher.register(webhookUrl(body));
        return { json: { targets: deps.dispatcher.targets() } };
      case 'DELETE webhooks':
        deps.dispatcher.unregister(webhookUrl(body));
        return { json: { targets: deps.dispatcher.targets() } };
      case 'GET webhook-stats':
        return { json: deps.dispatcher.stats() };
      case 'POST idle':
        await deps.dispatcher.idle();
        return { json: deps.dispatcher.stats() };
      case 'GET faults':
        return { json: { rules: deps.faults.list() } };
      case 'POST faults': {
        // `webhooks` alone leaves the upstream rules as they are (tests toggle the two independently).
        const hasWebhooks = body && typeof body === 'object' && 'webhooks' in body;
        const { webhooks, ...rest } = (body ?? {}) as { webhooks?: unknown };
        if (!hasWebhooks || Object.keys(rest).length > 0) deps.faults.set(parseFaultRules(rest));
        if (hasWebhooks) deps.dispatcher.setFaults(webhookFaults(webhooks));
        return { json: { rules: deps.faults.list() } };
      }
      case 'DELETE faults':
        deps.faults.clear();
        deps.dispatcher.setFaults({});
        return { json: { rules: [] } };
      case 'GET behaviour':
        return { json: deps.behaviour };
      case 'POST behaviour': {
        const { guestNameChangeUpdates: n, revisionConflict: rc, ...rest } = (body ?? {}) as Record<string, any>;
        const unknown = Object.keys(rest)[0];
        if (unknown) throw invalidArgument({ field: unknown, description: 'unknown behaviour; known: guestNameChangeUpdates, revisionConflict' });
        if (n !== undefined && n !== 1 && n !== 2) throw invalidArgument({ field: 'guestNameChangeUpdates', description: `expected 1 or 2, got ${JSON.stringify(n)}` });
        if (rc !== undefined && (![409, 428, 400].includes(rc?.status) || typeof rc?.code !== 'string' || !/^[A-Z_]{1,64}$/.test(rc.code))) {
          throw invalidArgument({ field: 'revisionConflict', description: `expected {status: 409|428|400, code: SCREAMING_SNAKE}, got ${JSON.stringify(rc)}` });
        }
        if (n !== undefined) deps.behaviour.guestNameChangeUpdates = n;
        if (rc !== undefined) deps.behaviour.revisionConflict = { status: rc.status, code: rc.code };
        return { json: deps.behaviour };
      }
      case 'POST start-event': {
        const { token, eventId, timing } = (body ?? {}) as Record<string, unknown>;
        if (timing !== undefined && !TIMINGS.includes(timing as string)) throw invalidArgument({ field: 'timing', description: `expected one of ${TIMINGS.join(', ')}, got ${JSON.stringify(timing)}` });
        const event = startEvent(deps.tenant(tokenOf(token)), stringField(eventId, 'eventId'), timing as string | undefined);
        return { json: { event } };
      }
      case 'POST end-event': {
        const { token, eventId } = (body ?? {}) as Record<string, unknown>;
        return { json: { event: endEvent(deps.tenant(tokenOf(token)), stringField(eventId, 'eventId')) } };
      }
      case 'POST event-reminder': {
        const { token, eventId, startsIn } = (body ?? {}) as Record<string, unknown>;
        return { json: { event: remindEvent(deps.tenant(tokenOf(token)), stringField(eventId, 'eventId'), duration(startsIn)) } };
      }
      case 'POST ticket-orders': {
        const { token, eventId, tickets, status, contactId } = (body ?? {}) as Record<string, unknown>;
        if (typeof tickets !== 'number' || !Number.isInteger(tickets) || tickets < 1 || tickets > 50) throw invalidArgument({ field: 'tickets', description: `expected an integer 1..50, got ${JSON.stringify(tickets)}` });
        const tenant = deps.tenant(tokenOf(token));
        const event = getEvent(tenant, stringField(eventId, 'eventId'));
        if (event.registration?.initialType !== 'TICKETING') throw invalidArgument({ field: 'eventId', description: 'expected a ticketed event (registration.initialType TICKETING)' });
        const guests = createTicketGuests(tenant, event.id!, typeof contactId === 'string' ? contactId : randomUUID(), tickets, orderStatus(status), true);
        return { json: { orderNumber: guests[0]!.orderNumber, guests } };
      }
      case 'POST ticket-orders/status': {
        const { token, orderNumber, status } = (body ?? {}) as Record<string, unknown>;
        const guests = setOrderStatus(deps.tenant(tokenOf(token)), stringField(orderNumber, 'orderNumber'), orderStatus(status));
        return { json: { guests } };
      }
      case 'POST courses': {
        const { token, ...spec } = (body ?? {}) as Record<string, unknown>;
        return { json: addCourse(deps.tenant(tokenOf(token)), courseSpec(spec)) };
      }
      case 'POST seed': {
        const { token, seed, size } = (body ?? {}) as { token?: unknown; seed?: unknown; size?: unknown };
        if (typeof token !== 'string' || !token.trim()) throw invalidArgument({ field: 'token', description: `expected the tenant's token (a non-empty string), got ${JSON.stringify(token)}` });
        const n = seed === undefined ? 1 : seed;
        if (typeof n !== 'number' || !Number.isInteger(n)) throw invalidArgument({ field: 'seed', description: `expected an integer, got ${JSON.stringify(seed)}` });
        return { json: { token, seed: n, counts: deps.seed(token, n, seedSize(size)) } };
      }
      default:
        throw applicationError(404, 'NOT_FOUND', `No sandbox control endpoint ${method} /__sandbox/${path}`, { endpoints: CONTROL_ENDPOINTS });
    }
  };
}

// Private helpers: each names the field it checks and what it expected.

const TIMINGS = ['NOW', 'STARTS_IN_1_DAY', 'STARTS_IN_3_DAYS', 'STARTS_IN_1_WEEK', 'STARTS_IN_1_HOUR', 'STARTS_IN_30_MINUTES'];
const ORDER_STATUSES: OrderStatus[] = ['FREE', 'PENDING', 'PAID', 'OFFLINE_PENDING', 'INITIATED', 'CANCELED', 'DECLINED', 'AUTHORIZED', 'VOIDED', 'PARTIALLY_PAID'];

function tokenOf(token: unknown): string {
  if (typeof token !== 'string' || !token.trim()) throw invalidArgument({ field: 'token', description: `expected the tenant's token (a non-empty string), got ${JSON.stringify(token)}` });
  return token;
}

function stringField(value: unknown, field: string): string {
  if (typeof value !== 'string' || !value) throw invalidArgument({ field, description: `expected a non-empty string, got ${JSON.stringify(value)}` });
  return value;
}

function orderStatus(value: unknown): OrderStatus {
  if (!ORDER_STATUSES.includes(value as OrderStatus)) throw invalidArgument({ field: 'status', description: `expected one of ${ORDER_STATUSES.join(', ')}, got ${JSON.stringify(value)}` });
  return value as OrderStatus;
}

const BOOKING_STATUSES = ['CREATED', 'CONFIRMED', 'CANCELED', 'PENDING', 'DECLINED', 'WAITING_LIST'];

function courseSpec(raw: Record<string, unknown>): CourseSpec {
  const { title, sessions, bookings, start, ...rest } = raw;
  const unknown = Object.keys(rest)[0];
  if (unknown) throw invalidArgument({ field: unknown, description: 'unknown course field; known: token, title, sessions, bookings, start' });
  if (title !== undefined && (typeof title !== 'string' || !title)) throw invalidArgument({ field: 'title', description: `expected a non-empty string, got ${JSON.stringify(title)}` });
  if (typeof sessions !== 'number' || !Number.isInteger(sessions) || sessions < 1 || sessions > 50) throw invalidArgument({ field: 'sessions', description: `expected an integer 1..50, got ${JSON.stringify(sessions)}` });
  if (start !== undefined && (typeof start !== 'string' || Number.isNaN(Date.parse(start)))) throw invalidArgument({ field: 'start', description: `expected an ISO date, got ${JSON.stringify(start)}` });
  if (!Array.isArray(bookings) || bookings.length > 100) throw invalidArgument({ field: 'bookings', description: `expected a list of 0..100 bookings, got ${JSON.stringify(bookings)}` });
  const list = bookings.map((b: any, i) => {
    const n = b?.totalParticipants;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 50) throw invalidArgument({ field: `bookings[${i}].totalParticipants`, description: `expected an integer 1..50, got ${JSON.stringify(n)}` });
    if (b.status !== undefined && !BOOKING_STATUSES.includes(b.status)) throw invalidArgument({ field: `bookings[${i}].status`, description: `expected one of ${BOOKING_STATUSES.join(', ')}, got ${JSON.stringify(b.status)}` });
    if (b.contactId !== undefined && (typeof b.contactId !== 'string' || !b.contactId)) throw invalidArgument({ field: `bookings[${i}].contactId`, description: `expected a non-empty string, got ${JSON.stringify(b.contactId)}` });
    return { totalParticipants: n, ...(b.status ? { status: b.status } : {}), ...(b.contactId ? { contactId: b.contactId } : {}) };
  });
  return { sessions, bookings: list, ...(title ? { title: title as string } : {}), ...(start ? { start: start as string } : {}) };
}

function duration(raw: unknown): { days?: number; hours?: number; minutes?: number } {
  if (raw === undefined) return { days: 1 };
  const ok = raw && typeof raw === 'object' && !Array.isArray(raw) && Object.entries(raw).every(([k, v]) => ['days', 'hours', 'minutes'].includes(k) && Number.isInteger(v) && (v as number) >= 0);
  if (!ok) throw invalidArgument({ field: 'startsIn', description: `expected {days?, hours?, minutes?} of non-negative integers, got ${JSON.stringify(raw)}` });
  return raw as { days?: number; hours?: number; minutes?: number };
}

function webhookUrl(body: unknown): string {
  const url = (body as { url?: unknown } | undefined)?.url;
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
    throw invalidArgument({ field: 'url', description: `expected an http(s) URL, got ${JSON.stringify(url)}` });
  }
  return url;
}

function webhookFaults(raw: unknown): WebhookFaults {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalidArgument({ field: 'webhooks', description: `expected {duplicateRate?, delayMs?, reorder?, reorderWindowMs?}, got ${JSON.stringify(raw)}` });
  }
  const r = raw as Record<string, unknown>;
  const out: WebhookFaults = {};
  for (const [key, value] of Object.entries(r)) {
    if (key === 'duplicateRate') {
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw invalidArgument({ field: 'webhooks.duplicateRate', description: `expected 0..1, got ${JSON.stringify(value)}` });
      out.duplicateRate = value;
    } else if (key === 'delayMs' || key === 'reorderWindowMs') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalidArgument({ field: `webhooks.${key}`, description: `expected a non-negative integer, got ${JSON.stringify(value)}` });
      out[key] = value;
    } else if (key === 'reorder') {
      if (typeof value !== 'boolean') throw invalidArgument({ field: 'webhooks.reorder', description: `expected true or false, got ${JSON.stringify(value)}` });
      out.reorder = value;
    } else {
      throw invalidArgument({ field: `webhooks.${key}`, description: 'unknown webhook fault; known: duplicateRate, delayMs, reorder, reorderWindowMs' });
    }
  }
  return out;
}

const SIZE_KEYS = ['events', 'rsvpsPerEvent', 'sessions', 'participationsPerSession', 'bookings'] as const;

function seedSize(raw: unknown): Partial<SeedSize> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidArgument({ field: 'size', description: `expected {${SIZE_KEYS.join(', ')}}, got ${JSON.stringify(raw)}` });
  const out: Partial<SeedSize> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!(SIZE_KEYS as readonly string[]).includes(key)) throw invalidArgument({ field: `size.${key}`, description: `unknown size; known: ${SIZE_KEYS.join(', ')}` });
    // 100k of anything is far past what a demo needs and keeps a typo from eating the machine's memory.
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100_000) {
      throw invalidArgument({ field: `size.${key}`, description: `expected an integer 0..100000, got ${JSON.stringify(value)}` });
    }
    out[key as (typeof SIZE_KEYS)[number]] = value;
  }
  return out;
}
