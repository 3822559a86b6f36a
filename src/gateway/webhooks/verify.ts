/**
 * Webhook JWT verification and parsing (docs/upstream.md §1.8). The body is a compact RS256 JWT; its `data` claim is a
 * JSON string (the envelope), whose own `data` is a JSON string (the DomainEvent). Verification follows @wix/sdk's
 * webhooks.process (jose jwtVerify with the SPKI key, no issuer/audience checks, exp/nbf honoured when present), done
 * with node:crypto's one-shot verify so one process ingests thousands per second (issue 12).
 * Several keys are tried in turn so a key can be rotated without refusing webhooks in between.
 */
import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import type { DomainEvent, WebhookEnvelope } from '../../wire/types.js';

/** A refusal with the HTTP status the receiver answers; `reason` is safe to send back (no secrets, no body echo). */
export class WebhookRejection extends Error {
  constructor(
    readonly status: 400 | 401 | 413 | 503,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** The envelope and its DomainEvent, with the entity/body taken from whichever naming variant arrived. */
export interface VerifiedWebhook {
  envelope: Omit<WebhookEnvelope, 'data'>;
  event: DomainEvent;
  /** createdEvent.entity, updatedEvent.currentEntity, deletedEvent.deletedEntity or actionEvent.body, parsed. */
  body: Record<string, unknown> | null;
}

export type WebhookVerifier = (jwt: string) => Promise<VerifiedWebhook>;

export async function createWebhookVerifier(publicKeyPems: readonly string[]): Promise<WebhookVerifier> {
  const verify = createSyncWebhookVerifier(publicKeyPems);
  return async (jwt) => verify(jwt);
}

/**
 * The same check, answered synchronously (it is all CPU): the receiver's hot path awaits nothing for it. Given the
 * body's bytes, the signature is checked over them as they arrived (no string round trip and copy back).
 */
export function createSyncWebhookVerifier(publicKeyPems: readonly string[]): (jwt: string | Buffer) => VerifiedWebhook {
  // Imported once: every webhook reuses the parsed keys.
  const keys: KeyObject[] = publicKeyPems.map((pem) => createPublicKey(pem.trim()));
  // Header segments already found acceptable: one sender signs every webhook with the same header, so its
  // base64url and JSON are decoded once, not per webhook. Bounded, so a stream of odd headers cannot grow it.
  const goodHeaders = new Set<string>();
  return (jwt) => {
    // A JWT is ASCII: as latin1, each byte is one character, so string offsets are byte offsets too.
    const raw = typeof jwt === 'string' ? undefined : jwt;
    const text = raw ? raw.toString('latin1') : (jwt as string);
    const token = text.trim();
    const start = token.length === text.length ? 0 : text.indexOf(token);
    // Structure first, so a body that is not a JWT at all is a 400 rather than a signature failure.
    const dot1 = token.indexOf('.');
    const dot2 = token.indexOf('.', dot1 + 1);
    if (dot1 <= 0 || dot2 <= dot1 + 1 || token.indexOf('.', dot2 + 1) !== -1) throw new WebhookRejection(400, 'body is not a compact JWT');
    const headerSegment = token.slice(0, dot1);
    if (!goodHeaders.has(headerSegment)) {
      const header = base64urlJson(headerSegment);
      if (!header) throw new WebhookRejection(400, 'body is not a compact JWT');
      if (header.alg !== 'RS256') throw new WebhookRejection(401, 'token must be signed with RS256');
      // jose refuses any `crit` header it does not implement, and so do we (no extension is defined for webhooks).
      if (header.crit !== undefined || header.b64 !== undefined) throw new WebhookRejection(400, 'body is not a valid JWS');
      if (goodHeaders.size < 16) goodHeaders.add(headerSegment);
    }
    // RS256 = RSASSA-PKCS1-v1_5 with SHA-256, node:crypto's default for RSA keys. One synchronous verify costs a
    // fraction of jose's WebCrypto path (an async job per webhook), which capped ingest at ~1,500/s per CPU second.
    // The signature is checked before the payload is even decoded: nothing of an unverified body is parsed.
    const signed = raw ? raw.subarray(start, start + dot2) : Buffer.from(token.slice(0, dot2), 'latin1');
    const signature = Buffer.from(token.slice(dot2 + 1), 'base64url');
    let verified = false;
    for (const key of keys) if ((verified = verifySignature('sha256', signed, key, signature))) break;
    if (!verified) throw new WebhookRejection(401, 'signature does not match any configured key');
    const payload = base64urlJson(token.slice(dot1 + 1, dot2));
    if (!payload) throw new WebhookRejection(400, 'body is not a compact JWT');
    // exp/nbf as jose's jwtVerify checks them when present (no clock tolerance); a malformed one is refused.
    if (payload.exp !== undefined || payload.nbf !== undefined) {
      const now = Math.floor(Date.now() / 1000);
      for (const claim of ['exp', 'nbf'] as const) {
        const value = payload[claim];
        if (value === undefined) continue;
        if (typeof value !== 'number' || !Number.isFinite(value)) throw new WebhookRejection(401, 'token expired or not yet valid');
        if (claim === 'exp' ? value <= now : value > now) throw new WebhookRejection(401, 'token expired or not yet valid');
      }
    }
    return parseClaims(payload);
  };
}

/** Exported for tests: the claim layout after the signature has been checked. */
export function parseClaims(payload: Record<string, unknown>): VerifiedWebhook {
  // @wix/sdk requires the claim to be a string; the docs draw it as an object. Accept both, the string first.
  const envelope = jsonObject(payload.data, 'claim data');
  const eventType = envelope.eventType;
  const instanceId = envelope.instanceId;
  if (typeof eventType !== 'string' || !eventType) throw new WebhookRejection(400, 'envelope has no eventType');
  if (typeof instanceId !== 'string' || !instanceId) throw new WebhookRejection(400, 'envelope has no instanceId');
  const event = jsonObject(envelope.data, 'envelope data') as unknown as DomainEvent;
  if (typeof event.id !== 'string' || !event.id) throw new WebhookRejection(400, 'DomainEvent has no id');
  if (typeof event.entityId !== 'string') throw new WebhookRejection(400, 'DomainEvent has no entityId');
  const seq = event.entityEventSequence;
  if (seq !== undefined && seq !== null && !/^\d{1,19}$/.test(String(seq))) {
    throw new WebhookRejection(400, 'entityEventSequence must be an int64 string');
  }
  const accountInfo = isObject(envelope.accountInfo) ? (envelope.accountInfo as WebhookEnvelope['accountInfo']) : undefined;
  return {
    envelope: {
      eventType,
      instanceId,
      identity: typeof envelope.identity === 'string' ? envelope.identity : undefined,
      accountInfo,
    },
    event,
    body: bodyOf(event),
  };
}

// Helpers

/** The two naming variants (docs/upstream.md §1.8): entity/currentEntity/deletedEntity/body or *AsJson, objects or JSON strings. */
function bodyOf(event: DomainEvent): Record<string, unknown> | null {
  const candidates: unknown[] = [];
  if (event.createdEvent) candidates.push(event.createdEvent.entity, event.createdEvent.entityAsJson);
  else if (event.updatedEvent) candidates.push(event.updatedEvent.currentEntity, event.updatedEvent.currentEntityAsJson);
  else if (event.deletedEvent) candidates.push(event.deletedEvent.deletedEntity, event.deletedEvent.deletedEntityAsJson);
  else if (event.actionEvent) candidates.push(event.actionEvent.body, event.actionEvent.bodyAsJson);
  for (const c of candidates) {
    if (c === undefined || c === null || c === '') continue;
    return jsonObject(c, 'entity');
  }
  return null;
}

function jsonObject(value: unknown, what: string): Record<string, unknown> {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new WebhookRejection(400, `${what} is not valid JSON`);
    }
  }
  if (!isObject(parsed)) throw new WebhookRejection(400, `${what} must be a JSON object (or a JSON string of one)`);
  return parsed as Record<string, unknown>;
}

/** A JWT segment decoded to a JSON object, or undefined when it is not one. */
function base64urlJson(segment: string): Record<string, any> | undefined {
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
