/**
 * Child process of `npm run bench live -- --ingest`: the ceiling the webhook route is measured against, on the same
 * client in the same run. A plain node:http server that reads each POST's body and answers a fixed JSON 200; with
 * BARE_VERIFY_KEY=<SPKI PEM> it also checks the body's RS256 signature (node:crypto one-shot verify, as
 * src/gateway/webhooks/verify.ts does), the one piece of per-webhook work no gateway can skip. Answers the bench
 * over IPC as bench/live-gateway.ts does ('stats': its own process.cpuUsage(); 'exit').
 */
import { createPublicKey, verify } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const key = process.env.BARE_VERIFY_KEY ? createPublicKey(process.env.BARE_VERIFY_KEY) : undefined;
const ok = Buffer.from('{"outcome":"published"}');
const refused = Buffer.from('{"error":"BAD_SIGNATURE"}');

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let good = true;
    if (key) {
      const jwt = Buffer.concat(chunks).toString('latin1');
      const dot = jwt.lastIndexOf('.');
      good = verify('sha256', Buffer.from(jwt.slice(0, dot), 'latin1'), key, Buffer.from(jwt.slice(dot + 1), 'base64url'));
    }
    const body = good ? ok : refused;
    res.writeHead(good ? 200 : 401, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => process.send!({ op: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));

process.on('message', (m: { op: string }) => {
  if (m.op === 'exit') process.exit(0);
  const cpu = process.cpuUsage();
  process.send!({ op: m.op, cpuUs: cpu.user + cpu.system, rss: process.memoryUsage.rss(), peak: 0, connections: 0 });
});
