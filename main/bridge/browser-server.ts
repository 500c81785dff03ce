/**
 * Browser mode (no Electron binary): serves the renderer on 127.0.0.1 and carries the renderer contract
 * over a WebSocket guarded by a per-launch token and an Origin check. Every inbound message is size-limited,
 * rate-limited and validated before it reaches the UI hub.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { clientMessageSchema, type ServerMessage } from '../common/contract';
import type { UiHub } from '../core/ui-hub';
import { contentSecurityPolicy } from './csp';
import { readStatic } from './static-files';

export interface BrowserServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 4096;
const MAX_MESSAGES_PER_SECOND = 50;

export async function startBrowserServer(opts: { ui: UiHub; rendererDir: string; port?: number; token?: string }): Promise<BrowserServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  let origin = '';
  const server: Server = createServer(async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    const file = await readStatic(opts.rendererDir, req.url ?? '/');
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': file.type,
      'content-security-policy': contentSecurityPolicy([origin.replace('http', 'ws')]),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'cross-origin-opener-policy': 'same-origin',
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    const given = Buffer.from(url.searchParams.get('token') ?? '');
    const expected = Buffer.from(token);
    const tokenOk = url.pathname === '/bridge' && given.length === expected.length && timingSafeEqual(given, expected);
    const originOk = req.headers.origin === origin;
    if (!tokenOk || !originOk) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, opts.ui));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/#token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

function attach(ws: WebSocket, ui: UiHub): void {
  const send = (m: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  send({ ch: 'screen', model: ui.screen() });
  const fascia = ui.fascia();
  if (fascia) send({ ch: 'fascia', model: fascia });
  const offScreen = ui.onScreen((model) => send({ ch: 'screen', model }));
  const offFascia = ui.onFascia((model) => send({ ch: 'fascia', model }));
  let windowStart = Date.now();
  let count = 0;
  ws.on('message', (data, isBinary) => {
    const now = Date.now();
    if (now - windowStart > 1000) {
      windowStart = now;
      count = 0;
    }
    if (++count > MAX_MESSAGES_PER_SECOND) {
      send({ ch: 'error', message: 'rate limit exceeded' });
      return;
    }
    if (isBinary) return send({ ch: 'error', message: 'binary messages are not accepted' });
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(data));
    } catch {
      return send({ ch: 'error', message: 'malformed message' });
    }
    const msg = clientMessageSchema.safeParse(parsed);
    if (!msg.success) return send({ ch: 'error', message: 'message rejected by contract' });
    const r = msg.data.ch === 'intent' ? ui.handleIntent(msg.data.intent) : ui.handleSim(msg.data.cmd);
    if (!r.ok) send({ ch: 'error', message: r.error });
  });
  ws.on('close', () => {
    offScreen();
    offFascia();
  });
  ws.on('error', () => undefined);
}
