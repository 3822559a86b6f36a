/** Global ids: the relay plugin's base64 "Type:id"; fields that take an id accept either form. */
import { GraphQLError } from 'graphql';
import { decodeGlobalId } from '../validation.js';

/** The upstream id inside a global id of `typename`, or the argument itself when it is already a raw id. */
export function rawId(typename: string, id: string, field = 'id'): string {
  const trimmed = id.trim();
  if (!trimmed) throw new GraphQLError(`${field}: must not be empty`, { extensions: { code: 'BAD_USER_INPUT', field } });
  const decoded = decodeGlobalId(trimmed);
  if (!decoded) return trimmed;
  if (decoded.typename === typename) return decoded.id;
  throw new GraphQLError(`${field}: expected the id of a ${typename}, got the id of a ${decoded.typename}`, {
    extensions: { code: 'BAD_USER_INPUT', field },
  });
}
