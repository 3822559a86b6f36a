/**
 * `@live` queries (issue 12): any query marked `@live` is re-executed and pushed again whenever a webhook touches
 * something it read, over graphql-ws and SSE alike (@envelop/live-query with @n1ru4l/in-memory-live-query-store).
 *
 * Invalidation keys are what the store records while executing: every `id: ID!` the result resolved, as the decoded
 * global id (`Rsvp:<rsvpId>`, `Event:<eventId>`), and the root field coordinates (`Query.event(id:"…")`,
 * `Query.rsvps`). A webhook names its entity and its parents (liveInvalidationKeys), so an event's RSVP list or
 * check-in stats are re-read when one of its RSVPs is created, checked in or deleted even if the query did not
 * select the RSVP itself.
 *
 * Across replicas: the keys travel on the pubsub topic `live:invalidate` (Redis with REDIS_URL), so a webhook
 * received by one replica re-runs the live queries held by every replica. Each replica collects keys for
 * LIVE_QUERY_COALESCE_MS and invalidates them at once, so a burst re-runs a query once, not once per webhook.
 * Re-executions run with the caller's own context (credentials) and fresh loaders, never a cached row.
 */
import { getOperationAST, print, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { useLiveQuery } from '@envelop/live-query';
import { InMemoryLiveQueryStore } from '@n1ru4l/in-memory-live-query-store';
import { resetLoaders, type GatewayContext } from '../context.js';
import type { GatewayPubSub } from '../pubsub.js';
import type { VerifiedWebhook } from '../webhooks/verify.js';
import { WEBHOOK_EVENT_TYPES as T } from '../../wire/types.js';

/** The pubsub id every replica listens on for `live:invalidate` (the keys carry no site: ids are GUIDs). */
export const LIVE_INVALIDATION_ID = 'all';

export interface LiveQueries {
  /** The Yoga plugins: fresh loaders per re-execution, then @envelop/live-query. */
  plugins: Plugin[];
  /** Invalidate on this replica now (tests); webhooks go through the pubsub instead. */
  invalidate(keys: readonly string[]): Promise<void>;
  /** Stops listening for invalidations (before the pubsub closes). */
  close(): Promise<void>;
}

export function createLiveQueries(options: { pubsub: GatewayPubSub; coalesceMs: number; onError?: (message: string) => void }): LiveQueries {
  // Relay global ids are base64 of `Type:rawId`: keys use the decoded form, which a webhook can name.
  const identify = ({ typename, id }: { typename: string; id: string }) => decodedGlobalId(id) ?? `${typename}:${id}`;
  const store = new InMemoryLiveQueryStore({ buildResourceIdentifier: identify });
  /** Re-executions of the current invalidation round, by credentials, operation and variables (see sharedRerun). */
  let round = new Map<string, SharedRun>();
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    const keys = [...pending];
    pending.clear();
    round = new Map();
    store.invalidate(keys).catch((err) => options.onError?.(`live query invalidation failed: ${String(err)}`));
  };
  const signals = options.pubsub.subscribe('live:invalidate', LIVE_INVALIDATION_ID);
  void (async () => {
    for await (const signal of signals) {
      for (const key of signal.keys) pending.add(key);
      timer ??= setTimeout(flush, options.coalesceMs);
    }
  })().catch((err) => options.onError?.(`live query invalidations stopped: ${String(err)}`));

  // The store re-executes with the context of the first execution; its loaders would answer every re-run from
  // the first run's cache. This runs before the live plugin, so each of its executions starts with empty loaders.
  // Re-runs are shared: live queries with the same credentials, document and variables invalidated in one round
  // (one flush) get one execution and its result, and each records the resource identifiers that execution read, so
  // later invalidations still find every one of them. The first execution of each live query is its own.
  const freshLoadersPerRun: Plugin = {
    onExecute({ args, executeFn, setExecuteFn }) {
      if (!isLive(args.document, args.operationName)) return;
      const context = args.contextValue as unknown as GatewayContext;
      let executions = 0;
      setExecuteFn((runArgs) => {
        const live = runArgs.contextValue as LiveRunContext;
        const key = executions++ === 0 || !live?.addResourceIdentifier ? undefined : shareKey(context, runArgs.document, runArgs.operationName, runArgs.variableValues);
        const joined = key === undefined ? undefined : round.get(key);
        if (joined) {
          return joined.result.then((result) => {
            live.addResourceIdentifier(joined.identifiers);
            return result;
          });
        }
        resetLoaders(context);
        if (key === undefined) return executeFn(runArgs);
        const identifiers: string[] = [];
        const { collectResourceIdentifier: collect, addResourceIdentifier: add } = live;
        live.collectResourceIdentifier = (parameter) => {
          identifiers.push(identify(parameter));
          collect(parameter);
        };
        live.addResourceIdentifier = (values) => {
          if (values) identifiers.push(...(typeof values === 'string' ? [values] : values));
          add(values);
        };
        const result = Promise.resolve(executeFn(runArgs));
        round.set(key, { result, identifiers });
        return result;
      });
    },
  };

  return {
    plugins: [freshLoadersPerRun, useLiveQuery({ liveQueryStore: store }) as Plugin],
    invalidate: (keys) => store.invalidate([...keys]),
    async close() {
      if (timer) clearTimeout(timer);
      await signals.return?.().catch(() => {});
    },
  };
}

/**
 * What a change of one entity may have changed, as invalidation keys: the entity, its parents (an RSVP's event, a
 * guest's event and RSVP, a participation's session), the root fields that fetch them by id (raw or global id, as
 * clients may send either) and the root lists that could now include or omit it.
 */
export function liveInvalidationKeys(typename: string, id: string | undefined, parents: Record<string, string | undefined>, lists: readonly string[]): string[] {
  const keys: string[] = [...lists.map((l) => `Query.${l}`)];
  const byId = (type: string, raw: string) => {
    const field = type === 'Session' ? 'session' : type.charAt(0).toLowerCase() + type.slice(1);
    const global = Buffer.from(`${type}:${raw}`).toString('base64');
    keys.push(`${type}:${raw}`, `Query.${field}(id:"${raw}")`, `Query.${field}(id:"${global}")`);
  };
  if (id) byId(typename, id);
  for (const [type, raw] of Object.entries(parents)) if (raw) byId(type, raw);
  return keys;
}

// Private helpers

/** The context the live-query store passes to each execution (it collects what the execution read). */
interface LiveRunContext {
  collectResourceIdentifier(parameter: { typename: string; id: string }): void;
  addResourceIdentifier(values: string | readonly string[] | null | undefined): void;
}

interface SharedRun {
  result: Promise<unknown>;
  identifiers: string[];
}

const printed = new WeakMap<DocumentNode, string>();

/** Same credentials, operation and variables: the same result (the caller's own credentials read it). */
function shareKey(context: GatewayContext, document: DocumentNode, operationName: string | null | undefined, variables: unknown): string {
  let text = printed.get(document);
  if (text === undefined) printed.set(document, (text = print(document)));
  return `${context.creds?.authorization ?? ''}\n${operationName ?? ''}\n${JSON.stringify(variables ?? {})}\n${text}`;
}

function isLive(document: DocumentNode, operationName?: string | null): boolean {
  const operation = getOperationAST(document, operationName);
  return operation?.operation === 'query' && !!operation.directives?.some((d) => d.name.value === 'live');
}

function decodedGlobalId(id: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+=*$/.test(id)) return undefined;
  const text = Buffer.from(id, 'base64').toString('utf8');
  return /^[A-Z][A-Za-z]*:./.test(text) ? text : undefined;
}

/** The live-query keys one verified webhook invalidates (empty for webhooks no query reads, e.g. booking_updated). */
export function liveKeysForWebhook(hook: VerifiedWebhook): string[] {
  const { envelope, event, body } = hook;
  const b = (body ?? {}) as Record<string, any>;
  switch (envelope.eventType) {
    case T.rsvpCreated:
    case T.rsvpUpdated:
    case T.rsvpDeleted:
      return liveInvalidationKeys('Rsvp', event.entityId, { Event: b.eventId }, ['rsvps', 'rsvpCount', 'rsvpSummaries', 'checkInReport']);
    case T.guestCreated:
    case T.guestUpdated:
    case T.guestDeleted:
      return liveInvalidationKeys('Guest', event.entityId, { Event: b.eventId, Rsvp: b.rsvpId }, ['guests', 'checkInReport']);
    case T.guestCheckedIn: {
      const guest = (b.guest ?? {}) as Record<string, any>;
      return liveInvalidationKeys('Guest', guest.id, { Event: guest.eventId, Rsvp: guest.rsvpId }, ['guests', 'rsvps', 'checkInReport']);
    }
    case T.participationCreated:
    case T.participationUpdated:
    case T.participationDeleted:
      return liveInvalidationKeys('Participation', event.entityId, { Session: b.eventId }, ['participations', 'scheduleParticipations']);
    case T.calendarEventUpdated:
      return liveInvalidationKeys('Session', b.id ?? event.entityId, {}, ['sessions']);
    case T.eventUpdated:
      return liveInvalidationKeys('Event', b.id ?? event.entityId, {}, ['events']);
    case T.attendanceDeleted:
      return liveInvalidationKeys('Attendance', event.entityId, { Session: b.eventId ?? b.sessionId }, ['attendances', 'attendanceCount', 'attendanceReport', 'noShowReport']);
    default:
      return [];
  }
}
