/**
 * `@live` queries over graphql-ws, pushed once per group (issue 12). A thousand screens holding the same live query
 * (same site, credentials, operation, variables and document) used to be a thousand store registrations, each
 * re-run result going through Yoga's result pipeline and graphql-ws's serialisation per subscriber (~90 µs each).
 * Here they form a group: the group holds ONE registration with the live-query store (its re-runs, with the first
 * member's context: the credentials every member shares), serialises each result once and writes it to every
 * member's socket with the member's graphql-ws id spliced in (`member.prefix + json + '}'`, as live/shared.ts does
 * for subscriptions), as one pre-built WebSocket frame where ws allows it (live/frames.ts).
 *
 * A member's own first result still comes from its own execution through Yoga's enveloped execute (every plugin,
 * fresh data, errors masked and reported as before), sent by graphql-ws; only then does it take the group's pushes.
 * Over SSE (and multipart) a member has no socket: it is the result stream Yoga reads, and it yields the group's
 * result objects, each carrying its own JSON (`result.stringify`, which Yoga's SSE writer uses), serialised once
 * per group; Yoga's per-result plugins and the bounded stream (streams.ts) still run per subscriber.
 * Runs are numbered when they start (`runs()`): a member skips any group result from a run that started before its
 * own first execution (its first result is at least as fresh), and gets the group's latest result when it joins if
 * that run started after. So every member sees results in the order their runs started, never an older one after a
 * newer one, and none started after its first execution is missed.
 */
import { setImmediate as yieldToIO } from 'node:timers/promises';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { encodePayload, nextMessageHead, sendNext } from './frames.js';
import type { SubscriberSocket } from './shared.js';

/** Sockets written between two yields to the event loop during a push (as shared.ts). */
const FANOUT_CHUNK = 1000;

export interface LiveGroupOptions {
  /** Starts the group's own live execution (the store's registration and re-runs) with the first member's arguments. */
  open(args: ExecutionArgs): AsyncIterator<ExecutionResult>;
  /** The number of the run that produced a result `open` yielded. */
  runOf(result: ExecutionResult): number;
  /** The number of the last run started so far (any group). */
  runs(): number;
  /** The `next` payload graphql-ws would send for a result, serialised (errors masked as Yoga and onNext mask them). */
  encode(result: ExecutionResult): string;
  /** A socket with more than this unsent is closed with 1013, as ws-server.ts does for graphql-ws's own sends. */
  maxBufferedBytes: number;
  onError?: (message: string) => void;
}

export interface LiveJoin {
  /** The member's arguments, as Yoga's pipeline prepared them (its context carries its credentials). */
  args: ExecutionArgs;
  /** The member's own first execution: Yoga's enveloped execute (graphql-ws), or the live store's (HTTP). */
  execute(args: ExecutionArgs): unknown;
  /** graphql-ws: the socket and operation id pushes are written to; absent over HTTP (the member is the stream). */
  socket?: SubscriberSocket;
  id?: string;
}

/** A group's result: its run, the object (HTTP members yield it) and its graphql-ws payload, serialised once. */
interface Pushed {
  run: number;
  result: ExecutionResult;
  json?: string;
  /** `json` encoded once for pre-built frames (frames.ts). */
  bytes?: Buffer;
}

export class LiveGroups {
  private readonly groups = new Map<string, LiveGroup>();
  readonly counters = { messages: 0 };

  constructor(private readonly options: LiveGroupOptions) {}

  /** Joins the group of `key` (which must name site, credentials, operation, variables and document), opening it if needed. */
  join(key: string, request: LiveJoin): LiveMember {
    let group = this.groups.get(key);
    if (!group || group.closed) {
      const created: LiveGroup = new LiveGroup(request.args, this.options, this.counters, () => this.groups.get(key) === created && this.groups.delete(key));
      this.groups.set(key, (group = created));
    }
    return group.add(request);
  }

  stats(): { groups: number; members: number; messages: number } {
    let members = 0;
    for (const g of this.groups.values()) members += g.members.size;
    return { groups: this.groups.size, members, messages: this.counters.messages };
  }
}

const DONE: IteratorResult<never> = { done: true, value: undefined };

/**
 * One graphql-ws live query: graphql-ws executes it on its root value (gateway.ts), i.e. calls `execute`, which runs
 * the member's own first execution and returns the member as the result stream; the stream yields that first result,
 * then nothing (the group writes pushes straight to the socket) until graphql-ws calls return().
 */
export class LiveMember implements AsyncIterableIterator<unknown> {
  /** `{"id":<id>,"type":"next","payload":` — the member's own part of every message (graphql-ws), encoded once. */
  readonly prefix: Buffer;
  /** The last run whose result the member has (or that is older than what it has). */
  seen = Number.POSITIVE_INFINITY;
  active = false;
  /** HTTP: pushes not read yet (the bounded stream in streams.ts reads them eagerly and bounds their bytes). */
  private readonly queue: ExecutionResult[] = [];
  /** The member's own live stream, until its first result is taken. */
  private first?: AsyncIterator<unknown>;
  private ended = false;
  private wake?: (result: IteratorResult<never>) => void;
  private fail?: (err: unknown) => void;

  constructor(
    private readonly group: LiveGroup,
    readonly socket: SubscriberSocket | undefined,
    id: string | undefined,
    private readonly ownExecute: (args: ExecutionArgs) => unknown,
    private readonly ownRoot: unknown,
  ) {
    this.prefix = nextMessageHead(id ?? '');
  }

  async execute(args: ExecutionArgs): Promise<unknown> {
    // Runs started from now on are newer than this member's first result.
    this.seen = this.group.runs();
    const result = await this.ownExecute({ ...args, rootValue: this.ownRoot });
    if (!isAsyncIterable(result)) {
      // Not live after all (a single result): no group for it.
      this.group.remove(this);
      return result;
    }
    // The group closed meanwhile (its stream failed): this live query runs the ordinary way, on its own stream.
    if (this.ended) return result;
    this.first = result[Symbol.asyncIterator]();
    return this;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<unknown>> {
    const own = this.first;
    if (own) {
      const first = await own.next();
      // Its own registration with the store ends here: the group re-runs the query from now on.
      this.first = undefined;
      void own.return?.(undefined);
      if (first.done || this.ended) {
        this.group.remove(this);
        return DONE;
      }
      return first;
    }
    if (this.ended) return DONE;
    // graphql-ws has sent the first result (it asks for the next one only after): pushes may follow it now. Over
    // HTTP the first result was taken, and the queue keeps pushes behind it.
    this.group.activate(this);
    const queued = this.queue.shift();
    if (queued) return { done: false, value: queued };
    return new Promise((resolve, reject) => {
      this.wake = resolve;
      this.fail = reject;
    });
  }

  async return(): Promise<IteratorResult<never>> {
    this.ended = true;
    void this.first?.return?.(undefined);
    this.group.remove(this);
    this.end();
    return DONE;
  }

  /** HTTP: a push, to the pending next() or the queue. */
  enqueue(result: ExecutionResult): void {
    const wake = this.wake;
    this.wake = this.fail = undefined;
    if (wake) wake({ done: false, value: result } as IteratorResult<never>);
    else this.queue.push(result);
  }

  /** The group ended (or failed): graphql-ws then sends complete (or error) for this id. */
  end(err?: unknown): void {
    this.ended = true;
    if (err === undefined) this.wake?.(DONE);
    else this.fail?.(err);
    this.wake = this.fail = undefined;
  }
}

class LiveGroup {
  readonly members = new Set<LiveMember>();
  /** The newest result pushed, serialised, and the run that produced it. */
  private latest?: Pushed;
  private readonly results: AsyncIterator<ExecutionResult>;
  closed = false;

  constructor(
    args: ExecutionArgs,
    private readonly options: LiveGroupOptions,
    private readonly counters: { messages: number },
    private readonly forget: () => void,
  ) {
    // Opened before the first member's own execution starts, so its first run is never newer than that member's.
    this.results = options.open(args);
    void this.pump();
  }

  runs(): number {
    return this.options.runs();
  }

  add(request: LiveJoin): LiveMember {
    const member = new LiveMember(this, request.socket, request.id, request.execute, request.args.rootValue);
    this.members.add(member);
    return member;
  }

  remove(member: LiveMember): void {
    if (this.members.delete(member) && this.members.size === 0) this.close();
  }

  /** The member's first result is on its socket: it gets the group's latest result if that is newer, then every push. */
  activate(member: LiveMember): void {
    if (member.active || !this.members.has(member)) return;
    member.active = true;
    if (this.latest && this.latest.run > member.seen) this.write(member, this.latest);
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const next = await this.results.next();
        if (next.done || this.closed) break;
        const result = next.value;
        const latest: Pushed = { run: this.options.runOf(result), result };
        // Yoga's SSE writer serialises a result with its own `stringify` when it has one (not enumerable: no JSON
        // sees it); a result Yoga's masking replaced is a new object, serialised the ordinary way.
        let text: string | undefined;
        Object.defineProperty(result, 'stringify', { value: (value: unknown) => (value === result ? (text ??= JSON.stringify(value)) : JSON.stringify(value)) });
        this.latest = latest;
        let written = 0;
        for (const member of this.members) {
          if (!member.active || latest.run <= member.seen) continue;
          this.write(member, latest);
          // Members that activate during the yield get `latest` from activate(); the next result waits for this loop.
          if (++written % FANOUT_CHUNK === 0) await yieldToIO();
        }
      }
      this.close();
    } catch (err) {
      this.options.onError?.(`live query group failed: ${err instanceof Error ? err.message : String(err)}`);
      this.close(err);
    }
  }

  private write(member: LiveMember, latest: Pushed): void {
    member.seen = latest.run;
    const socket = member.socket;
    if (!socket) {
      member.enqueue(latest.result);
      this.counters.messages++;
      return;
    }
    if (socket.readyState !== OPEN) return;
    const json = (latest.json ??= this.options.encode(latest.result));
    if (sendNext(socket, member.prefix, json, (latest.bytes ??= encodePayload(json)), this.options.maxBufferedBytes)) this.counters.messages++;
  }

  private close(err?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.forget();
    void this.results.return?.(undefined)?.catch(() => {});
    for (const member of this.members) member.end(err);
    this.members.clear();
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

const OPEN = 1;
