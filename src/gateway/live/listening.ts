/**
 * Which pubsub channels this process listens to, confirmed: on Redis a channel counts once the SUBSCRIBE is
 * acknowledged (a publish before that is lost), in memory at once. A subscriber that has registered hears every
 * later publish, so tests await a registration here instead of sleeping and hoping the socket has attached.
 * Counts only grow (a registration is an event, not a state), so a listener left over from an earlier test
 * cannot satisfy a later test's wait.
 */

export interface ListeningRegistry {
  /** Confirmed registrations so far on channels `match` accepts (channel = `${topic}:${instanceId}:${key}`). */
  count(match: (channel: string) => boolean): number;
  /** Resolves once `count(match)` reaches `atLeast`; rejects after `ms`, naming the channels it saw. */
  until(match: (channel: string) => boolean, atLeast: number, ms?: number): Promise<void>;
}

type Listener = EventListenerOrEventListenerObject;
type Target = Pick<EventTarget, 'addEventListener' | 'removeEventListener' | 'dispatchEvent'>;

/**
 * Wraps the pubsub's event target so each addEventListener is recorded once `confirm(channel)` resolves (the
 * Redis SUBSCRIBE reply; omitted in memory).
 */
export function trackListening<T extends Target>(target: T, confirm?: (channel: string) => Promise<unknown>): { target: T; listening: ListeningRegistry } {
  const registered = new Map<string, number>();
  const waiters = new Set<() => void>();
  const record = (channel: string) => {
    registered.set(channel, (registered.get(channel) ?? 0) + 1);
    for (const wake of waiters) wake();
  };
  const tracked = Object.create(target) as T;
  tracked.addEventListener = (channel: string, listener: Listener | null, options?: AddEventListenerOptions | boolean) => {
    target.addEventListener(channel, listener, options);
    if (!confirm) return record(channel);
    // A failed confirmation leaves the channel unrecorded: the waiter times out and says which channels it saw.
    confirm(channel).then(() => record(channel), () => {});
  };
  tracked.removeEventListener = target.removeEventListener.bind(target);
  tracked.dispatchEvent = target.dispatchEvent.bind(target);

  const count = (match: (channel: string) => boolean) => {
    let n = 0;
    for (const [channel, times] of registered) if (match(channel)) n += times;
    return n;
  };
  const listening: ListeningRegistry = {
    count,
    until(match, atLeast, ms = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (count(match) < atLeast) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`expected ${atLeast} registrations, have ${count(match)}; channels: ${[...registered.keys()].join(', ') || 'none'}`));
        }, ms);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
  return { target: tracked, listening };
}
