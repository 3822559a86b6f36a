/**
 * An upstream JSON body parsed without one string of the whole body when it is large.
 *
 * V8 puts every object over 128 KB, strings included, in its large-object space: each gets fresh pages from the
 * operating system and gives them back after the next collection. A 549 KB body of 1,000 guests decoded to one string
 * therefore costs ~140 page faults every time. On the Firecracker guests this project is benchmarked on, a fault
 * costs ~10 µs (bench/query-replay.ts prints faults per query), so decoding took 2.4 ms against 1.4 ms for parsing.
 *
 * A list body `{"<key>":[{…},{…},…],…}` is cut at element boundaries (`},{"<first key>":`) into pieces of at most
 * PIECE bytes, each decoded and parsed on its own in the young generation, and the list is joined again. Nothing is
 * assumed about where a cut falls: every piece is parsed in a wrapper that is valid JSON only if the cut before it
 * and the cut after it are both between two elements of the top list (a cut inside a string leaves it unterminated;
 * one inside a nested list or object leaves brackets open). The first piece starts at the body's known start, so by
 * induction every cut is proven, and the value is the one `JSON.parse` of the whole body gives. A candidate cut that
 * fails costs one piece's parse and the next candidate is tried; after a miss per piece on average, or for any body
 * of another shape, the whole body is parsed at once as before.
 *
 * Assumed, as of any JSON the upstream's serializer writes: the list's key is not repeated at the top level.
 */

/** Bytes per piece: under V8's 128 KB large-object limit even if the piece decodes to a two-byte string. */
export const PIECE = 48 * 1024;
const SEPARATOR = Buffer.from('},{');
const COMMA = Buffer.from('},');

/** The body's JSON value; a SyntaxError when it is not JSON. An empty body is `{}`. */
export function parseJsonBody(body: Buffer): unknown {
  const start = bomLength(body);
  if (body.length - start < 2 * PIECE) return body.length === start ? {} : JSON.parse(body.toString('utf8', start));
  return inPieces(body, start) ?? JSON.parse(body.toString('utf8', start));
}

/** Whether parseJsonBody would cut this body into pieces (for tests: a parser that always fell back looks right too). */
export function parsedInPieces(body: Buffer): boolean {
  const start = bomLength(body);
  return body.length - start >= 2 * PIECE && inPieces(body, start) !== undefined;
}

/** A byte-order mark is not part of the JSON (undici's text() drops it too). */
function bomLength(body: Buffer): number {
  return body.length > 2 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
}

function inPieces(body: Buffer, start: number): Record<string, unknown> | undefined {
  // `{"<key>":[{`: the key plain (no escapes), the list's first element an object.
  if (body[start] !== 0x7b || body[start + 1] !== 0x22) return undefined;
  const keyEnd = body.indexOf(0x22, start + 2);
  if (keyEnd < 0 || keyEnd - start > 200 || body[keyEnd + 1] !== 0x3a || body[keyEnd + 2] !== 0x5b || body[keyEnd + 3] !== 0x7b) return undefined;
  const key = body.toString('latin1', start + 2, keyEnd);
  if (!/^[A-Za-z0-9_$]+$/.test(key) || key === '__proto__') return undefined;
  const open = body.toString('latin1', start, keyEnd + 3); // `{"<key>":[`
  // Elements written by one serializer start with the same key: `},{"id":` is rarer than `},{` inside an element
  // (a form's list of answers), so fewer candidate cuts miss. Without a plain first key, any `},{`.
  const firstKeyEnd = body[keyEnd + 4] === 0x22 ? body.indexOf(0x22, keyEnd + 5) : -1;
  const separator =
    firstKeyEnd > 0 && firstKeyEnd - keyEnd < 64 && body[firstKeyEnd + 1] === 0x3a && !body.subarray(keyEnd + 5, firstKeyEnd).includes(0x5c)
      ? Buffer.concat([COMMA, body.subarray(keyEnd + 3, firstKeyEnd + 2)])
      : SEPARATOR;
  const list: unknown[] = [];
  let from = keyEnd + 3; // the first element of the next piece
  // A miss costs one piece's parse: at most one per piece on average (and four), then the whole body at once.
  let misses = 4 + Math.floor(body.length / PIECE);
  for (;;) {
    if (body.length - from <= PIECE) break;
    // The last separator inside this piece's window, then the ones before it; with none left (or none in the window:
    // an element longer than a piece), the ones after it.
    let sep = body.lastIndexOf(separator, from + PIECE);
    let forward = sep <= from;
    const first = forward ? from : sep;
    if (forward) sep = body.indexOf(separator, from + 1);
    let piece: unknown;
    while (sep >= 0) {
      try {
        piece = JSON.parse(`[${body.toString('utf8', from, sep + 1)}]`);
        break;
      } catch {
        // Not between two elements of the top list.
        if (--misses < 0) return undefined;
        const before = forward ? -1 : body.lastIndexOf(separator, sep - 1);
        if (before > from) sep = before;
        else {
          sep = body.indexOf(separator, (forward ? sep : first) + 1);
          forward = true;
        }
      }
    }
    if (sep < 0) break;
    for (const item of piece as unknown[]) list.push(item);
    from = sep + 2; // past `},`
  }
  // The rest, in the body's own top-level object: its other keys keep their order and meaning.
  let rest: unknown;
  try {
    rest = JSON.parse(open + body.toString('utf8', from));
  } catch {
    return undefined;
  }
  const top = rest as Record<string, unknown>;
  const tail = top[key] as unknown[];
  if (!Array.isArray(tail)) return undefined;
  for (const item of tail) list.push(item);
  top[key] = list;
  return top;
}
