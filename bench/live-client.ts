/**
 * Child process of `npm run bench live` (the default client): opens its share of WebSocket connections to the
 * gateway, one graphql-ws subscription per socket (two on some sockets only where the 20,000-descriptor limit of
 * this machine forces it), notes when each message arrives (epoch ms, comparable across processes) by the rsvpId it
 * carries, and tells the bench when every subscription has seen a given rsvpId (the barrier the bench waits on).
 *
 * A MINIMAL WebSocket client, on purpose: it is a load generator, not a client to copy. The client processes share
 * the gateway's two cores, and through `ws` they spent 17–23 µs of CPU per message (its Receiver's stream machinery,
 * a Buffer per read, per-message events), more than the gateway itself, so the latency the bench measured was
 * mostly the clients' own queue. Here each connection is a bare net.Socket that reads with `onread` into one buffer
 * shared by all connections (no Buffer per read), does the RFC 6455 handshake by hand (checking the 101, the
 * Sec-WebSocket-Accept and the subprotocol), sends masked client frames (connection_init, subscribe, pong, close)
 * and parses the server's unmasked frames itself (text, fragmented text, ping -> pong, close). Every message is
 * still checked as the `ws` client checked it: JSON.parse, a graphql-ws `next` of one of this socket's operation
 * ids, carrying the rsvpId tag; anything else counts as a client error. What it does not do (no
 * permessage-deflate, no UTF-8 validation beyond JSON.parse, no limits) is what a load generator talking to a
 * known server can skip. `--ws-client` selects the `ws`-based client (bench/live-ws-client.ts) instead.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import { openAll, serveChild, type ChildClient, type Start } from './live-child-protocol.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_CONT = 0x0;
const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** Every connection reads into this one buffer; a read is handled before the next one can overwrite it. */
const readBuffer = Buffer.allocUnsafe(256 * 1024);
const connections: Connection[] = [];
/** Results so far per subscription id (tagBy 'count' only). */
const results = new Map<string, number>();

serveChild(open, () => Promise.all(connections.map((c) => c.close())).then(() => undefined));

async function open(m: Start, client: ChildClient) {
  await openAll(m, async (count, index) => {
    connections.push(await new Connection(m, client, count, index).opened);
  });
}

class Connection {
  readonly opened: Promise<Connection>;
  private readonly socket: Socket;
  private readonly key = randomBytes(16).toString('base64');
  private readonly ids: string[] = [];
  private upgraded = false;
  private acked = false;
  /** Bytes of an incomplete handshake answer or frame, copied out of the shared read buffer. */
  private pending: Buffer | null = null;
  /** Parts of a fragmented text message. */
  private fragments: Buffer[] | null = null;
  private resolve!: (c: Connection) => void;
  private reject!: (err: Error) => void;
  private readonly closed: Promise<void>;

  constructor(
    private readonly m: Start,
    private readonly client: ChildClient,
    count: number,
    index: number,
  ) {
    for (let k = 0; k < count; k++) this.ids.push(`${index}-${k}`);
    this.opened = new Promise((resolve, reject) => ((this.resolve = resolve), (this.reject = reject)));
    const url = new URL(m.url);
    this.socket = tcpConnect({
      host: url.hostname,
      port: Number(url.port),
      noDelay: true,
      onread: { buffer: readBuffer, callback: (n: number) => (this.read(readBuffer.subarray(0, n)), true) },
    });
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.socket.on('error', (err) => (this.acked ? this.client.error() : this.reject(err)));
    this.socket.once('close', () => this.acked || this.reject(new Error('closed before connection_ack')));
    this.socket.once('connect', () =>
      this.socket.write(
        `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${this.key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n`,
      ),
    );
  }

  close(): Promise<void> {
    if (!this.socket.destroyed) {
      const code = Buffer.from([0x03, 0xe8]); // 1000
      this.send(OP_CLOSE, code);
      this.socket.end();
    }
    return this.closed;
  }

  private read(chunk: Buffer): void {
    let data = chunk;
    if (this.pending) {
      data = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    if (!this.upgraded) {
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) {
        this.pending = Buffer.from(data);
        return;
      }
      this.handshake(data.toString('latin1', 0, end));
      if (!this.upgraded) return;
      data = data.subarray(end + 4);
    }
    let at = 0;
    while (data.length - at >= 2) {
      const b0 = data[at]!;
      const b1 = data[at + 1]!;
      let length = b1 & 0x7f;
      let head = 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        head = 4;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = data.readUInt32BE(at + 2) * 2 ** 32 + data.readUInt32BE(at + 6);
        head = 10;
      }
      if (b1 & 0x80) return this.fail('masked frame from the server');
      if (data.length - at < head + length) break;
      this.frame(b0, data.subarray(at + head, at + head + length));
      at += head + length;
    }
    // What is left is the start of a frame: copy it out of the shared buffer before the next read reuses it.
    if (at < data.length) this.pending = Buffer.from(data.subarray(at));
  }

  private frame(b0: number, payload: Buffer): void {
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    if (opcode === OP_TEXT || opcode === OP_CONT) {
      if (opcode === OP_TEXT && fin && !this.fragments) return this.message(payload.toString('utf8'));
      if ((opcode === OP_TEXT) === (this.fragments !== null)) return this.fail('unexpected continuation frame');
      (this.fragments ??= []).push(Buffer.from(payload));
      if (fin) {
        const text = Buffer.concat(this.fragments).toString('utf8');
        this.fragments = null;
        this.message(text);
      }
    } else if (opcode === OP_PING) this.send(OP_PONG, payload);
    else if (opcode === OP_CLOSE) {
      if (!this.socket.writableEnded) {
        this.send(OP_CLOSE, payload.subarray(0, 2));
        this.socket.end();
      }
    } else if (opcode !== OP_PONG) this.fail(`unexpected opcode ${opcode}`);
  }

  private handshake(head: string): void {
    const accept = createHash('sha1').update(this.key + GUID).digest('base64');
    const lines = head.split('\r\n');
    const headers = new Map(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    if (!/^HTTP\/1\.1 101 /.test(lines[0]!)) return this.fail(`handshake answered ${lines[0]}`);
    if (headers.get('sec-websocket-accept') !== accept) return this.fail('bad Sec-WebSocket-Accept');
    if (headers.get('sec-websocket-protocol') !== 'graphql-transport-ws') return this.fail('subprotocol not accepted');
    this.upgraded = true;
    this.sendJson({ type: 'connection_init', payload: { Authorization: this.m.token } });
  }

  private message(text: string): void {
    const msg = JSON.parse(text);
    if (msg.type === 'next') {
      const at = performance.timeOrigin + performance.now();
      if (!this.ids.includes(msg.id)) return this.client.error();
      let tag: unknown;
      if (this.m.tagBy === 'count') {
        const seen = results.get(msg.id) ?? 0;
        results.set(msg.id, seen + 1);
        tag = msg.payload?.data ? `live-${seen}` : undefined;
      } else tag = msg.payload?.data?.rsvpChanged?.rsvpId;
      if (typeof tag !== 'string') this.client.error();
      else this.client.arrived(tag, at);
    } else if (msg.type === 'connection_ack') {
      this.acked = true;
      for (const id of this.ids) this.sendJson({ id, type: 'subscribe', payload: { query: this.m.query, variables: this.m.variables } });
      this.resolve(this);
    } else if (msg.type === 'ping') this.sendJson({ type: 'pong' });
    else if (msg.type !== 'pong') this.client.error();
  }

  private sendJson(value: object): void {
    this.send(OP_TEXT, Buffer.from(JSON.stringify(value)));
  }

  /** One final, masked client frame (RFC 6455 5.3: a client masks every frame). */
  private send(opcode: number, payload: Buffer): void {
    const length = payload.length;
    const head = length < 126 ? 2 : length < 65536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(head + 4 + length);
    frame[0] = 0x80 | opcode;
    if (length < 126) frame[1] = 0x80 | length;
    else if (length < 65536) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
      frame.writeUInt32BE(length >>> 0, 6);
    }
    const mask = randomBytes(4);
    mask.copy(frame, head);
    for (let i = 0; i < length; i++) frame[head + 4 + i] = payload[i]! ^ mask[i & 3]!;
    this.socket.write(frame);
  }

  private fail(why: string): void {
    if (this.acked) this.client.error();
    else this.reject(new Error(why));
    this.socket.destroy();
  }
}
