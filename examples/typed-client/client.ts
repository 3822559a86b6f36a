/**
 * A small typed client for attendance-graph: every call takes a TypedDocumentNode from generated.ts, so results and
 * variables are checked by tsc (a typo in a field, a missing variable or an unhandled union member is a compile
 * error). Queries and mutations over fetch, subscriptions over graphql-ws.
 *
 *   npm start                                   # in another terminal
 *   npx tsx examples/typed-client/client.ts     # GATEWAY_URL / TOKEN to point it elsewhere
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { CheckInCounterDocument, CreateRsvpDocument, OpenEventsDocument, type CreateRsvpMutation } from './generated.js';

export function createTypedClient(url: string, token?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (token) headers.authorization = token;
  return {
    async request<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: print(document), variables }) });
      const body = (await res.json()) as { data?: R; errors?: { message: string; extensions?: { code?: string } }[] };
      if (body.errors?.length || !body.data) {
        const e = body.errors?.[0];
        throw new Error(`${e?.extensions?.code ?? res.status}: ${e?.message ?? 'no data'}`);
      }
      return body.data;
    },
    /** Resolves with the first `count` messages of a subscription, then stops it. */
    async take<R, V>(document: TypedDocumentNode<R, V>, variables: V, count: number): Promise<R[]> {
      const ws = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: token ? { Authorization: token } : {} });
      try {
        return await new Promise<R[]>((resolve, reject) => {
          const got: R[] = [];
          const stop = ws.subscribe<R>(
            { query: print(document), variables: variables as Record<string, unknown> },
            {
              next: (m) => {
                if (m.data) got.push(m.data);
                if (got.length === count) {
                  stop();
                  resolve(got);
                }
              },
              error: reject,
              complete: () => resolve(got),
            },
          );
        });
      } finally {
        await ws.dispose();
      }
    },
  };
}

/** What a check-in desk app does: list events, RSVP someone, watch the event's check-in counter. */
export async function run(url: string, token?: string): Promise<{ events: number; rsvp: string; checkedIn: number }> {
  const client = createTypedClient(url, token);
  const { events } = await client.request(OpenEventsDocument, { first: 3 });
  const event = events?.edges[0]?.node;
  if (!event?.eventId) throw new Error('no RSVP event to try with');
  const eventId = event.eventId;

  const { createRsvp } = await client.request(CreateRsvpDocument, {
    input: { eventId, firstName: 'Typed', lastName: 'Client', email: 'typed@example.com' },
  });
  const rsvp = describe(createRsvp);

  const [counter] = await client.take(CheckInCounterDocument, { eventId }, 1);
  return { events: events?.edges.length ?? 0, rsvp, checkedIn: counter?.checkInCounter?.checkedIn ?? 0 };
}

/** The result union, narrowed by __typename: tsc checks every member is handled. */
function describe(result: CreateRsvpMutation['createRsvp']): string {
  switch (result.__typename) {
    case 'RsvpPayload':
      return `${result.rsvp.status} ${result.rsvp.rsvpId}`;
    case 'ValidationError':
      return `invalid ${result.field}: ${result.reason}`;
    case 'CapacityExceededError':
    case 'NotFoundError':
    case 'RevisionConflictError':
    case 'UpstreamError':
      return `${result.code}: ${result.message}`;
    default: {
      const unhandled: never = result;
      return unhandled;
    }
  }
}

if (process.argv[1] === import.meta.filename) {
  const env = process.env;
  const result = await run(env.GATEWAY_URL ?? 'http://127.0.0.1:4000/graphql', env.TOKEN);
  console.log(JSON.stringify(result, null, 2));
}
