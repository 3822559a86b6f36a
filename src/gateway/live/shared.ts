/**
 * Shared subscription execution (issue 12). Thousands of screens hold the same subscription (same document,
 * variables and site); executing and serialising the selection once per subscriber is what made a fan-out cost
 * ~100 µs per message. Here graphql-ws subscribers of a shareable field (one whose event stream depends only on
 * its arguments and the caller's site, see SHARED_SUBSCRIPTION_FIELDS) join a group keyed by
 * (site, operation name, variables, document text). A group opens the source stream once, executes the selection
 * once per event and writes one pre-serialised payload to every member's socket, splicing in the member's
 * graphql-ws id (the only part of a `next` message that differs between subscribers). The payload is encoded once per
 * event and each message goes out as one pre-built WebSocket frame (live/frames.ts), falling back to `ws.send`.
 *
 * Scope: the first execution of an event runs with one member's credentials under a context that notes whether a
 * resolver read anything caller-specific (ctx.upstream, ctx.loaders, ctx.creds). If none did, the payload came from
 * the webhook alone and is shared by the whole group (which is one site). If one did, the event is executed once per
 * distinct credentials among the members, and each member gets the payload of its own credentials, so nobody is
 * shown what their own credentials could not read.
 *
 * Per subscriber the gateway keeps only the member (socket, id prefix, credentials key) and graphql-ws's own state:
 * no context, loaders or closures; one context per distinct credentials per group. Writes yield to the event loop
 * every FANOUT_CHUNK sockets so webhooks and queries are answered during a long fan-out, and a group handles its
 * events one after another, so every member sees a topic's events in order.
 */
import { setImmediate as yieldToIO } from 'node:timers/promises';
import { createSourceEventStream, execute, getOperationAST, Kind, type DocumentNode, type ExecutionArgs, type GraphQLError, type GraphQLSchema } from 'graphql';
import { resetLoaders, type GatewayContext } from '../context.js';
import { encodePayload, nextMessageHead, sendNext } from './frames.js';

/** Sockets written between two yields to the event loop during a fan-out. */
const FANOUT_CHUNK = 1000;

/** The part of a `ws` WebSocket the fan-out uses. */
export interface SubscriberSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code: number, reason: string): void;
}

export interface SharedRequest {
  socket: SubscriberSocket;
  /** graphql-ws operation id. */
  id: string;
  query: string;
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  /** The subscriber's context: its site decides the group, its credentials the scope of upstream reads. */
  context: GatewayContext;
  schema: GraphQLSchema;
}

export interface SharedSubscriptions {
  /**
   * Joins the subscriber to its group and returns the async iterator graphql-ws should hold for it (it yields
   * nothing: messages are written straight to the socket; return() leaves the group). Undefined when the operation
   * is not shareable or its stream cannot be opened: the caller then runs it the ordinary way, which also reports
   * any error exactly as before.
   */
  attach(request: SharedRequest): Promise<SharedMember | undefined>;
  /** Groups, members and executions so far (tests and benchmarks). */
  stats(): { groups: number; members: number; executions: number; messages: number };
}

export interface SharedOptions {
  shareable: ReadonlySet<string>;
  /** The gateway's error masking, applied to every shared execution's errors (nothing unmasked reaches a socket). */
  maskErrors: (errors: readonly GraphQLError[]) => readonly GraphQLError[];
  /** A socket with more than this unsent is closed with 1013, as ws-server.ts does for graphql-ws's own sends. */
  maxBufferedBytes: number;
  onError?: (message: string) => void;
}

export function createSharedSubscriptions(options: SharedOptions): SharedSubscriptions {
  const groups = new Map<string, Promise<Group | undefined>>();
  const liveGroups = new Set<Group>();
  const counters = { executions: 0, messages: 0 };

  const open = (key: string, request: SharedRequest): Promise<Group | undefined> => {
    const opening = (async () => {
      const { schema, document, operationName, variables, context } = request;
      const source = await createSourceEventStream({ schema, document, operationName, variableValues: variables, contextValue: context });
      if (!(Symbol.asyncIterator in source)) return undefined;
      const group = new Group(request, source as AsyncGenerator<unknown>, counters, options, () => {
        liveGroups.delete(group);
        if (groups.get(key) === opening) groups.delete(key);
      });
      liveGroups.add(group);
      return group;
    })();
    groups.set(key, opening);
    // A stream that could not be opened leaves no group behind: the next subscriber tries again.
    void opening.then(
      (group) => group || groups.get(key) !== opening || groups.delete(key),
      () => groups.get(key) === opening && groups.delete(key),
    );
    return opening;
  };

  return {
    async attach(request) {
      const operation = getOperationAST(request.document, request.operationName);
      if (operation?.operation !== 'subscription') return undefined;
      const [root, ...rest] = operation.selectionSet.selections;
      if (rest.length || root?.kind !== Kind.FIELD || !options.shareable.has(root.name.value)) return undefined;
      let instanceId: string;
      try {
        instanceId = (await request.context.site()).instanceId;
      } catch {
        return undefined;
      }
      const key = `${instanceId}\n${request.operationName ?? ''}\n${JSON.stringify(request.variables ?? {})}\n${request.query}`;
      for (let attempt = 0; attempt < 2; attempt++) {
        let group: Group | undefined;
        try {
          group = await (groups.get(key) ?? open(key, request));
        } catch {
          return undefined;
        }
        if (!group) return undefined;
        // The group may have emptied and closed while this subscriber waited for it; open a new one then.
        if (group.closed) continue;
        return group.add(request);
      }
      return undefined;
    },
    stats() {
      let members = 0;
      for (const g of liveGroups) members += g.members.size;
      return { groups: liveGroups.size, members, ...counters };
    },
  };
}

/** One subscriber: the iterator graphql-ws holds (pending until the subscription ends) and its socket. */
export class SharedMember implements AsyncIterableIterator<never> {
  /** `{"id":<id>,"type":"next","payload":` — the member's own part of every message, encoded once (frames.ts). */
  readonly prefix: Buffer;
  private wake?: (result: IteratorResult<never>) => void;
  private fail?: (err: unknown) => void;

  constructor(
    readonly group: Group,
    readonly socket: SubscriberSocket,
    id: string,
    /** The member's credentials (the Authorization the context was built from); '' for none. */
    readonly creds: string,
  ) {
    this.prefix = nextMessageHead(id);
  }

  /** graphql-ws calls `subscribe(execArgs)` on the root value (see gateway.ts): the member is its own stream. */
  subscribe(): this {
    return this;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<never>> {
    return new Promise((resolve, reject) => {
      this.wake = resolve;
      this.fail = reject;
    });
  }

  async return(): Promise<IteratorResult<never>> {
    this.group.remove(this);
    this.end();
    return { done: true, value: undefined };
  }

  /** The group's stream ended (or failed): graphql-ws then sends complete (or error) for this id. */
  end(err?: unknown): void {
    if (err === undefined) this.wake?.({ done: true, value: undefined });
    else this.fail?.(err);
    this.wake = this.fail = undefined;
  }
}

class Group {
  readonly members = new Set<SharedMember>();
  /** One context per distinct credentials among the members, for executions that read upstream. */
  private readonly contexts = new Map<string, { context: GatewayContext; members: number }>();
  private readonly args: Omit<ExecutionArgs, 'rootValue' | 'contextValue'>;
  /** Events read from the source and not delivered yet, oldest first. */
  private readonly queue: unknown[] = [];
  private draining?: Promise<void>;
  closed = false;

  constructor(
    request: SharedRequest,
    private readonly source: AsyncGenerator<unknown>,
    private readonly counters: { executions: number; messages: number },
    private readonly options: SharedOptions,
    private readonly forget: () => void,
  ) {
    this.args = { schema: request.schema, document: request.document, operationName: request.operationName, variableValues: request.variables };
    void this.pump();
  }

  add(request: SharedRequest): SharedMember {
    const creds = request.context.creds?.authorization ?? '';
    const member = new SharedMember(this, request.socket, request.id, creds);
    const scope = this.contexts.get(creds);
    if (scope) scope.members++;
    else this.contexts.set(creds, { context: request.context, members: 1 });
    this.members.add(member);
    return member;
  }

  remove(member: SharedMember): void {
    if (!this.members.delete(member)) return;
    const scope = this.contexts.get(member.creds);
    if (scope && --scope.members === 0) this.contexts.delete(member.creds);
    if (this.members.size === 0) this.close();
  }

  private close(err?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.forget();
    void this.source.return(undefined).catch(() => {});
    for (const member of this.members) member.end(err);
    this.members.clear();
  }

  /**
   * Reads the source eagerly into `queue` while `drain` delivers: the source (pubsub.ts's bounded subscribe) ends
   * with SLOW_CONSUMER past MAX_UNDELIVERED_EVENTS unread events, which must not happen to a whole group because one
   * fan-out is long while webhooks keep arriving.
   */
  private async pump(): Promise<void> {
    try {
      for await (const payload of this.source) {
        if (this.closed) break;
        this.queue.push(payload);
        this.draining ??= this.drain();
      }
      while (this.draining) await this.draining;
      this.close();
    } catch (err) {
      this.options.onError?.(`shared subscription stream failed: ${err instanceof Error ? err.message : String(err)}`);
      this.close(err);
    }
  }

  /** Delivers queued events one after another (in order), each after a turn of the event loop (see deliver). */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length && !this.closed) await this.deliver(this.queue.shift());
    } catch (err) {
      this.options.onError?.(`shared subscription delivery failed: ${err instanceof Error ? err.message : String(err)}`);
      this.close(err);
    } finally {
      this.draining = undefined;
    }
  }

  private async deliver(payload: unknown): Promise<void> {
    // A turn of the event loop first: the webhook that published this event is answered before its fan-out starts
    // (in memory the publish and this delivery would otherwise share one run of microtasks).
    await yieldToIO();
    const scopes = [...this.contexts];
    if (!scopes.length) return;
    const [firstCreds, first] = scopes[0]!;
    const once = await this.run(payload, first.context);
    let shared: Payload | undefined;
    const byCreds = new Map<string, Payload>();
    if (!once.callerSpecific) shared = payloadOf(once.json);
    else {
      byCreds.set(firstCreds, payloadOf(once.json));
      for (const [creds, scope] of scopes.slice(1)) byCreds.set(creds, payloadOf((await this.run(payload, scope.context)).json));
    }
    let written = 0;
    for (const member of this.members) {
      // A member that joined with new credentials during the executions above has no payload for this event.
      const body = shared ?? byCreds.get(member.creds);
      const socket = member.socket;
      if (body === undefined || !sendNext(socket, member.prefix, body.json, body.bytes, this.options.maxBufferedBytes)) continue;
      this.counters.messages++;
      if (++written % FANOUT_CHUNK === 0) await yieldToIO();
    }
  }

  /** One execution with a fresh per-execution context that notes reads of caller-specific state. */
  private async run(payload: unknown, context: GatewayContext): Promise<{ json: string; callerSpecific: boolean }> {
    this.counters.executions++;
    let callerSpecific = false;
    const scope = new Proxy(Object.create(context) as GatewayContext, {
      get(target, prop, receiver) {
        if (prop === 'upstream' || prop === 'loaders' || prop === 'creds') callerSpecific = true;
        return Reflect.get(target, prop, receiver);
      },
    });
    // Fresh loaders per execution: an event never shows rows an earlier one cached.
    resetLoaders(scope);
    // graphql-js's execute runs a subscription operation's selection on one event (ExecuteSubscriptionEvent);
    // Yoga's enveloped execute would open a new stream instead.
    const result = await execute({ ...this.args, rootValue: payload, contextValue: scope });
    return { json: JSON.stringify(result.errors ? { ...result, errors: this.options.maskErrors(result.errors) } : result), callerSpecific };
  }
}

/** One event's result for a group (or one credentials): its JSON, and the same encoded once for frames. */
interface Payload {
  json: string;
  bytes: Buffer;
}

function payloadOf(json: string): Payload {
  return { json, bytes: encodePayload(json) };
}
