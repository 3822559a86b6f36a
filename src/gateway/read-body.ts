/**
 * A request body read whole with a byte cap: the chunks are counted as they arrive and the read is cancelled at the
 * first byte over `maxBytes`, so a chunked body (no Content-Length) never costs more memory than the limit. Used by
 * the request-size limit (limits.ts) and the webhook receiver (webhooks/receiver.ts), each with its own refusal.
 */
export async function readCapped(body: ReadableStream<Uint8Array>, maxBytes: number, tooLarge: () => Error) {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
