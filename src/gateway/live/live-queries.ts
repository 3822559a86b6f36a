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
 * received by one replica re-runs the live queries held by every replica. Invalidations are throttled per replica,
 * leading and trailing edge: the first after a quiet LIVE_QUERY_COALESCE_MS is applied at once (on the next turn of
 * the event loop, so keys read in one batch go together), later ones are collected until the window ends and
 * applied together, so a burst re-runs a query at most once per window while a lone webhook waits for nothing.
 * Re-executions run with the caller's own context (credentials) and fresh loaders, never a cached row.
 *
 * Plain `@live` queries (over graphql-ws, SSE or multipart) of the same site, credentials, operation, variables and
 * document form a group (live/live-groups.ts): one store registration and one serialisation per result; over
 * graphql-ws one write per socket.
 */
import { execute, getOperationAST, print, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { useLiveQuery } from '@envelop/live-query';
import { InMemoryLiveQueryStore } from '@n1ru4l/in-memory-live-query-store';
import { resetLoaders, type GatewayContext } from '../context.js';
import type { GatewayPubSub } from '../pubsub.js';
import type { VerifiedWebhook } from '../webhooks/verify.js';
import { WEBHOOK_EVENT_TYPES as T } from '../../wire/types.js';
import { LiveGroups, type LiveMember } from './live-groups.js';
import type { SubscriberSocket } from './shared.js';

/** The pubsub id every replica listens on for `live:invalidate` (the keys carry no site: ids are GUIDs). */
export const LIVE_INVALIDATION_ID = 'all';

export interface LiveQueries {
  /** The Yoga plugins: fresh loaders per re-execution, then @envelop/live-query. */
  plugins: Plugin[];
  /** Invalidate on this replica now (tests); webhooks go through the pubsub instead. */
  invalidate(keys: readonly string[]): Promise<void>;
  /** Stops listening for invalidations (before the pubsub closes). */
  close(): Promise<void>;
  /**
   * graphql-ws: a plain `@live` query (no `if`/`throttle` arguments) joins its group and returns the root value
   * graphql-ws should execute it on (see live-groups.ts); undefined for anything else, which then runs the ordinary
   * way (so does a caller whose site cannot be resolved: the ordinary path reports the error as before).
   */
  attach(request: LiveAttach): Promise<LiveMember | undefined>;
  /** Groups, members, their re-runs and the pushes they wrote (tests and benchmarks). */
  stats(): { groups: number; members: number; executions: number; messages: number };
}

export interface LiveAttach {
  /** As Yoga's pipeline prepared them; `rootValue` is what the member's own first execution runs on. */
  args: ExecutionArgs;
  /** Yoga's enveloped execute. */
  execute(args: ExecutionArgs): unknown;
  socket: SubscriberSocket;
  id: string;
}

export interface LiveQueriesOptions {
  pubsub: GatewayPubSub;
  coalesceMs: number;
  /** The `next` payload graphql-ws sends for a result, serialised with the gateway's masking (pushes of groups). */
  encode(result: ExecutionResult): string;
  /** Unsent bytes past which a socket is closed with 1013 (STREAM_MAX_BUFFERED_BYTES). */
  maxBufferedBytes: number;
  /**
   * A context with the same credentials as `context` but tied to no HTTP request: a group outlives its first member,
   * whose request's abort would otherwise cancel every member's re-runs.
   */
  detach(context: GatewayContext): GatewayContext;
  onError?: (message: string) => void;
}

export function createLiveQueries(options: LiveQueriesOptions): LiveQueries {
  // Relay global ids are base64 of `Type:rawId`: keys use the decoded form, which a webhook can name.
  const identify = ({ typename, id }: { typename: string; id: string }) => decodedGlobalId(id) ?? `${typename}:${id}`;
  const store = new InMemoryLiveQueryStore({ buildResourceIdentifier: identify });
  /** Re-executions of the current invalidation round, by credentials, operation and variables (see sharedRerun). */
  let round = new Map<string, SharedRun>();
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let leading: ReturnType<typeof setImmediate> | undefined;
  const flush = () => {
    const keys = [...pending];
    pending.clear();
    round = new Map();
    store.invalidate(keys).catch((err) => options.onError?.(`live query invalidation failed: ${String(err)}`));
  };
  // Trailing edge: what arrived during the window, then another window (a burst keeps re-running once per window).
  const windowEnd = () => {
    timer = undefined;
    if (!pending.size) return;
    flush();
    timer = setTimeout(windowEnd, options.coalesceMs);
  };
  const signals = options.pubsub.subscribe('live:invalidate', LIVE_INVALIDATION_ID);
  void (async () => {
    for await (const signal of signals) {
      for (const key of signal.keys) pending.add(key);
      if (timer || leading) continue;
      // Leading edge, after the rest of this batch of signals (one Redis read) has been added.
      leading = setImmediate(() => {
        leading = undefined;
        flush();
        timer = setTimeout(windowEnd, options.coalesceMs);
      });
    }
  })().catch((err) => options.onError?.(`live query invalidations stopped: ${String(err)}`));

  // The store re-executes with the context of the first execution; its loaders would answer every re-run from
  // the first run's cache, so each run starts with empty loaders. Re-runs are shared: live queries with the same
  // credentials, document and variables invalidated in one round (one flush) get one execution and its result, and
  // each records the resource identifiers that execution read, so later invalidations still find every one of them.
  // The first execution of each live query is its own.
  const rerun = (context: GatewayContext, runArgs: ExecutionArgs, first: boolean, executeFn: (args: ExecutionArgs) => unknown): unknown => {
    const live = runArgs.contextValue as LiveRunContext;
    const key = first || !live?.addResourceIdentifier ? undefined : shareKey(context, runArgs.document, runArgs.operationName, runArgs.variableValues);
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
  };
  // This runs before the live plugin, so it wraps each execution the store makes.
  const freshLoadersPerRun: Plugin = {
    onExecute({ args, executeFn, setExecuteFn }) {
      if (!isLive(args.document, args.operationName)) return;
      const context = args.contextValue as unknown as GatewayContext;
      let executions = 0;
      setExecuteFn((runArgs) => rerun(context, runArgs, executions++ === 0, executeFn as (args: ExecutionArgs) => unknown) as ReturnType<typeof executeFn>);
    },
  };

  // Groups' runs are numbered as they start (live-groups.ts orders pushes by them); results carry their number.
  let runs = 0;
  const runOf = new WeakMap<object, number>();
  const groups = new LiveGroups({
    open(args) {
      // The group's context: the first member's credentials (all members share them), its own loaders and no request.
      const context = options.detach(args.contextValue as GatewayContext);
      let executions = 0;
      const run = (runArgs: ExecutionArgs) => {
        const number = ++runs;
        return Promise.resolve(rerun(context, runArgs, executions++ === 0, execute)).then((result) => {
          // Its own object: a shared run's result reaches other live queries too, with their own numbers.
          const own = { ...(result as ExecutionResult) };
          runOf.set(own, number);
          return own;
        });
      };
      const stream = store.makeExecute(run as typeof execute)({ ...args, contextValue: context });
      if (isAsyncIterable(stream)) return stream[Symbol.asyncIterator]() as AsyncIterator<ExecutionResult>;
      return (async function* () {
        yield (await stream) as ExecutionResult;
      })();
    },
    runOf: (result) => runOf.get(result) ?? runs,
    runs: () => runs,
    encode: options.encode,
    maxBufferedBytes: options.maxBufferedBytes,
    onError: options.onError,
  });

  /** Site, credentials, operation, variables and document of a plain `@live` query; undefined for anything else. */
  const groupKey = async (args: ExecutionArgs): Promise<string | undefined> => {
    const operation = getOperationAST(args.document, args.operationName);
    if (operation?.operation !== 'query') return undefined;
    const live = operation.directives?.filter((d) => d.name.value === 'live');
    // `@live(if: …)` and `@live(throttle: …)` keep the store's own handling, per subscriber.
    if (live?.length !== 1 || live[0]!.arguments?.length) return undefined;
    const context = args.contextValue as GatewayContext;
    let instanceId: string;
    try {
      instanceId = (await context.site()).instanceId;
    } catch {
      // The ordinary path reports the error as before.
      return undefined;
    }
    // Members share every push, which is read with the first member's credentials: same site AND credentials.
    return `${instanceId}\n${context.creds?.authorization ?? ''}\n${args.operationName ?? ''}\n${JSON.stringify(args.variableValues ?? {})}\n${printedOf(args.document)}`;
  };
  // HTTP (SSE, multipart): after the live plugin, so `executeFn` is the store's execute, the member's own first run.
  // graphql-ws live queries join in gateway.ts's onSubscribe instead (their pushes go straight to the socket).
  const httpGroups: Plugin = {
    onExecute({ args, executeFn, setExecuteFn }) {
      const context = args.contextValue as unknown as GatewayContext;
      if (context.requestScope?.transport !== 'http' || !isLive(args.document, args.operationName)) return;
      setExecuteFn((async (execArgs: ExecutionArgs) => {
        const key = await groupKey(execArgs);
        if (key === undefined) return executeFn(execArgs as never);
        return groups.join(key, { args: execArgs, execute: executeFn as (args: ExecutionArgs) => unknown }).execute(execArgs);
      }) as unknown as typeof executeFn);
    },
  };

  return {
    plugins: [freshLoadersPerRun, useLiveQuery({ liveQueryStore: store }) as Plugin, httpGroups],
    invalidate: (keys) => store.invalidate([...keys]),
    async attach(request) {
      const key = await groupKey(request.args);
      return key === undefined ? undefined : groups.join(key, request);
    },
    stats: () => ({ ...groups.stats(), executions: runs }),
    async close() {
      if (timer) clearTimeout(timer);
      if (leading) clearImmediate(leading);
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
function printedOf(document: DocumentNode): string {
  let text = printed.get(document);
  if (text === undefined) printed.set(document, (text = print(document)));
  return text;
}

function shareKey(context: GatewayContext, document: DocumentNode, operationName: string | null | undefined, variables: unknown): string {
  const text = printedOf(document);
  return `${context.creds?.authorization ?? ''}\n${operationName ?? ''}\n${JSON.stringify(variables ?? {})}\n${text}`;
}

function isLive(document: DocumentNode, operationName?: string | null): boolean {
  const operation = getOperationAST(document, operationName);
  return operation?.operation === 'query' && !!operation.directives?.some((d) => d.name.value === 'live');
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
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
