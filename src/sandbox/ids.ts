/**
 * Id helpers. Wire ids are lowercase 8-4-4-4-12 GUIDs, except calendar event ids, which are opaque strings of
 * 36..250 characters (docs/upstream.md §0.2, §1.3). Deterministic variants exist so a tenant's identity and the demo
 * data come out the same on every run.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export function newGuid(): string {
  return randomUUID();
}

/** A GUID derived from a string: the same input always gives the same id (tenant instanceId/siteId). */
export function guidFromString(input: string): string {
  return guidFromBytes(createHash('sha256').update(input).digest());
}

/** A GUID from 16+ bytes, stamped as version 4 / RFC 4122 variant so it looks like any other Wix GUID. */
export function guidFromBytes(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A GUID drawn from a seeded PRNG (demo data). */
export function guidFromRandom(random: () => number): string {
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = Math.floor(random() * 256);
  return guidFromBytes(bytes);
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A calendar event id: the docs example is a 119-character alphanumeric string (docs/upstream.md §1.3), so ours are
 * 64 alphanumeric characters, comfortably inside 36..250 and clearly not GUIDs (a client must not parse them).
 */
export function newCalendarEventId(random?: () => number): string {
  const next = random ?? (() => randomBytes(1)[0]! / 256);
  let id = '';
  for (let i = 0; i < 64; i++) id += ALNUM[Math.floor(next() * ALNUM.length)];
  return id;
}

/** mulberry32: a tiny seeded PRNG, enough for reproducible demo data (not for anything secret). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The calendar event id bounds of docs/upstream.md §1.3. */
export function isCalendarEventId(v: unknown): v is string {
  return typeof v === 'string' && v.length >= 36 && v.length <= 250;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isGuid(v: unknown): v is string {
  return typeof v === 'string' && GUID.test(v);
}
