/**
 * Yoga's JSON answers written as bytes in pieces (src/wire/json-bytes.ts): no 128 KB+ string per large answer.
 */
import { processRegularResult, type Plugin } from 'graphql-yoga';
import { jsonBytes } from '../wire/json-bytes.js';

/**
 * Yoga plugin, placed last: a single result answered as JSON (application/json or application/graphql-response+json)
 * is serialised by jsonBytes. Yoga's regular processor hands the result's `stringify` its sanitised result and the
 * Response takes the Buffer as its body; streams (SSE, multipart) keep their own serialisers.
 */
export function useJsonBytes(): Plugin {
  return {
    onResultProcess({ result, resultProcessor }) {
      if (resultProcessor !== processRegularResult || Array.isArray(result) || typeof result !== 'object' || result === null) return;
      if (Symbol.asyncIterator in result) return;
      (result as { stringify?: (r: unknown) => unknown }).stringify = jsonBytes;
    },
  };
}
