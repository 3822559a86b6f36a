/**
 * JSON written as bytes without one string of the whole value: `jsonBytes(v)` is exactly
 * `Buffer.from(JSON.stringify(v))`.
 *
 * V8's JSON.stringify returns a large text as a rope of 16 KB parts; whatever encodes it to UTF-8 (a response's byte
 * length, then the socket write) first flattens it into one string, and a string over 128 KB lives in V8's
 * large-object space: fresh pages from the operating system every time. A page fault costs ~10 µs on the Firecracker
 * guests this project is benchmarked on (bench/query-replay.ts prints faults per query). The gateway's 255 KB answer
 * at 100 events was flattened twice, ~130 faults per query; the sandbox's 549 KB page of 1,000 guests once.
 *
 * Here the top of the value and its lists are walked, each list item is stringified on its own (an item over PIECE
 * characters is walked in turn) and the pieces are written straight into one Buffer: keys in JSON.stringify's order,
 * `undefined`, functions and symbols left out of objects and `null` in lists; anything that is not a plain object or
 * an array (a value with `toJSON`, an error) is handed to JSON.stringify whole, its toJSON called with the key ''.
 * Shared by the gateway's answers (gateway/json-answer.ts) and the sandbox's (sandbox/server.ts).
 */

/** Characters: a piece of at most this many stays under 128 KB even as a two-byte string. */
const PIECE = 60 * 1024;
/** Nesting walked before a value is left to JSON.stringify whole, whatever its size (and its cycles). */
const MAX_DEPTH = 32;

export function jsonBytes(value: unknown): Buffer {
  const out = new Pieces();
  put(value, out, 0);
  out.flush();
  const { done } = out;
  let length = 0;
  for (let i = 0; i < done.length; i++) length += Buffer.byteLength(done[i]!);
  const bytes = Buffer.allocUnsafe(length);
  let at = 0;
  for (let i = 0; i < done.length; i++) at += bytes.write(done[i]!, at, 'utf8');
  return bytes;
}

/** Small texts joined into pieces of at most PIECE characters: one encoding call per piece, not per row. */
class Pieces {
  done: string[] = [];
  private current = '';
  push(text: string): void {
    if (this.current.length + text.length > PIECE) this.flush();
    this.current += text;
  }
  flush(): void {
    if (this.current) this.done.push(this.current);
    this.current = '';
  }
}

function put(value: unknown, pieces: Pieces, depth: number): void {
  if (depth < MAX_DEPTH && typeof value === 'object' && value !== null) {
    if (Array.isArray(value)) {
      // A list of scalars is small per item: whole.
      if (value.length > 1 && typeof value[0] === 'object') return putList(value, pieces, depth);
    } else if (depth < 4 && isPlain(value)) {
      // The top of an answer ({"data":{"events":{"edges":[…]}}}): walked to reach its lists; a list's items are not.
      return putObject(value as Record<string, unknown>, pieces, depth);
    }
  }
  putWhole(value, pieces, depth);
}

/** One JSON.stringify call for the value (a list item: one per row, not per field), walked only if too long. */
function putWhole(value: unknown, pieces: Pieces, depth: number): void {
  const text = JSON.stringify(value);
  if (text !== undefined && text.length > PIECE && depth < MAX_DEPTH && typeof value === 'object' && value !== null) {
    if (Array.isArray(value)) return putList(value, pieces, depth);
    if (isPlain(value)) return putObject(value as Record<string, unknown>, pieces, depth);
  }
  pieces.push(text ?? 'null');
}

function putList(list: unknown[], pieces: Pieces, depth: number): void {
  pieces.push('[');
  for (let i = 0; i < list.length; i++) {
    if (i > 0) pieces.push(',');
    putWhole(list[i], pieces, depth + 1);
  }
  pieces.push(']');
}

function putObject(object: Record<string, unknown>, pieces: Pieces, depth: number): void {
  pieces.push('{');
  let first = true;
  for (const key of Object.keys(object)) {
    const item = object[key];
    const walked = typeof item === 'object' && item !== null && (Array.isArray(item) || isPlain(item));
    // Anything else whole, and left out where JSON.stringify leaves it out (undefined, a function, toJSON's undefined).
    const text = walked ? undefined : JSON.stringify(item);
    if (!walked && text === undefined) continue;
    pieces.push(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
    first = false;
    if (walked) put(item, pieces, depth + 1);
    else pieces.push(text!);
  }
  pieces.push('}');
}

/** An object JSON.stringify writes key by key: plain or null prototype, no toJSON. */
function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}
