/** Global ids: the relay plugin's base64 "Type:id"; fields that take an id accept either form. */
import { decodeGlobalID } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';

/** The upstream id inside a global id of `typename`, or the argument itself when it is already a raw id. */
export function rawId(typename: string, id: string, field = 'id'): string {
  const trimmed = id.trim();
  if (!trimmed) throw new GraphQLError(`${field}: must not be empty`, { extensions: { code: 'BAD_USER_INPUT', field } });
  const decoded = tryDecode(trimmed);
  if (!decoded) return trimmed;
  if (decoded.typename === typename) return decoded.id;
  throw new GraphQLError(`${field}: expected the id of a ${typename}, got the id of a ${decoded.typename}`, {
    extensions: { code: 'BAD_USER_INPUT', field },
  });
}

/** A global id of one of the graph's types, or null for anything else (a raw upstream id). */
function tryDecode(id: string): { typename: string; id: string } | null {
  // Upstream ids are GUIDs or [A-Za-z0-9-] strings; base64 of "Type:" always decodes to a readable "Type:…".
  try {
    const decoded = decodeGlobalID(id);
    return /^[A-Z][A-Za-z]+$/.test(decoded.typename) && decoded.id ? decoded : null;
  } catch {
    return null;
  }
}
