/**
 * The same join as the query benchmark's GraphQL operation, written by hand over undici: what a user who does
 * not pick a gateway would write, and so the physical limit for this join. Events (no fieldsets), their guests by
 * one `eventId $in` query per 100 events paged at 1000 (docs/upstream.md §4), and the guests' RSVPs by `id $in`
 * in chunks of 100 with DETAILS only (totalGuests is in DETAILS, §5). Served over HTTP in the GraphQL response
 * shape, so the load generator measures it exactly like the gateways.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { LIMITS, PATHS } from '../src/wire/paths.js';
import type { EventGuest, Rsvp, WixEvent } from '../src/wire/types.js';

export interface JoinedEvent {
  id: string;
  title: string | null;
  guests: { id: string; attendanceStatus: string | null; rsvp: { id: string; status: string | null; totalGuests: number | null } | null }[];
}

export async function startHandwritten(upstreamUrl: string, port = 0): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const pool = new Pool(upstreamUrl, { connections: 32, pipelining: 1, keepAliveTimeout: 30_000 });

  async function post<T>(authorization: string, path: string, body: unknown): Promise<T> {
    const res = await pool.request({
      method: 'POST',
      path,
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.statusCode !== 200) throw new Error(`${path}: HTTP ${res.statusCode} ${await res.body.text()}`);
    return (await res.body.json()) as T;
  }

  async function join(authorization: string, n: number): Promise<JoinedEvent[]> {
    const { events } = await post<{ events: WixEvent[] }>(authorization, PATHS.events.query, { query: { paging: { limit: n, offset: 0 } } });
    const guests: EventGuest[] = [];
    await Promise.all(
      chunk(events.map((e) => e.id!), 100).map(async (eventIds) => {
        for (let offset = 0; ; ) {
          const page = await post<{ guests: EventGuest[]; pagingMetadata?: { total?: number } }>(authorization, PATHS.guests.query, {
            query: { filter: { eventId: { $in: eventIds } }, paging: { limit: LIMITS.guestsQueryMax, offset } },
          });
          for (const g of page.guests) guests.push(g);
          offset += page.guests.length;
          if (page.guests.length === 0 || offset >= (page.pagingMetadata?.total ?? 0)) break;
        }
      }),
    );
    const rsvpIds = [...new Set(guests.map((g) => g.rsvpId).filter((id): id is string => !!id))];
    const rsvps = new Map<string, Rsvp>();
    await Promise.all(
      chunk(rsvpIds, LIMITS.rsvpQueryMax).map(async (ids) => {
        const page = await post<{ rsvps: Rsvp[] }>(authorization, PATHS.rsvps.query, {
          query: { filter: { id: { $in: ids } }, cursorPaging: { limit: ids.length } },
          fields: ['DETAILS'],
        });
        for (const r of page.rsvps) rsvps.set(r.id!, r);
      }),
    );
    const byEvent = new Map<string, JoinedEvent['guests']>();
    for (const g of guests) {
      const r = g.rsvpId ? rsvps.get(g.rsvpId) : undefined;
      const row = {
        id: g.id!,
        attendanceStatus: g.attendanceStatus ?? null,
        rsvp: r ? { id: r.id!, status: r.status ?? null, totalGuests: r.totalGuests ?? null } : null,
      };
      const list = byEvent.get(g.eventId!);
      if (list) list.push(row);
      else byEvent.set(g.eventId!, [row]);
    }
    return events.map((e) => ({ id: e.id!, title: e.title ?? null, guests: byEvent.get(e.id!) ?? [] }));
  }

  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const n = Number((JSON.parse(Buffer.concat(parts).toString()) as { variables?: { n?: number } }).variables?.n ?? 20);
      join(req.headers.authorization ?? '', n).then(
        (events) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ data: { events } }));
        },
        (err: Error) => {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errors: [{ message: err.message }] }));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.close();
    },
  };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
