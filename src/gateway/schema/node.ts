/** Global ids: the relay plugin's base64 "Type:id"; fields that take an id accept either form. */
import { decodeGlobalID } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';

/** The upstream id inside a global id of `typename`, or the argument itself when it is already a raw id. */
export function rawId(typename: string, id: string, field = 'id'): string {
  const trimmed = id.trim();
  if (!trimmed) throw new GraphQLError(`${field}: must not be empty`, { extensions: { code: 'BAD_USER_INPUT', field } });
  try {
    const decoded = decodeGlobalID(trimmed);
    if (decoded.typename === typename && decoded.id) return decoded.id;
    if (decoded.typename && /^[A-Z][A-Za-z]+$/.test(decoded.typename) && decoded.id && Buffer.from(trimmed, 'base64').toString('utf8').includes(':')) {
      throw new GraphQLError(`${field}: expected an id of a ${typename}, got one of a ${decoded.typename}`, {
        extensions: { code: 'BAD_USER_INPUT', field },
      });
    }
  } catch (err) {
    if (err instanceof GraphQLError) throw err;
  }
  return trimmed;
}
