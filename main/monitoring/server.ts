/**
 * The monitoring HTTP + WebSocket API (fastify). Loopback by default, TLS when configured (mutual TLS with a
 * client CA), bearer tokens with scopes checked before anything else runs, per-token rate limits, small body
 * limits, strict input validation and one JSON error shape: `{ "error": { "code", "message", "details"? } }`.
 * Routes come from the table in api.ts, which also generates the OpenAPI document.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import rateLimit from '@fastify/rate-limit';
import type { WebSocket } from 'ws';
import type { Socket } from 'node:net';
import { toJsonLine } from '../../journals/journal-export';
import { containsPan, containsTrackData } from '../../journals/pan';
import { leaksCardData, scrubText } from '../ops/scrub';
import { HttpError, ROUTES, alertsQuerySchema, journalQuerySchema, parseInput, pullJournalSchema, restartCommandSchema, serviceCommandSchema, statsQuerySchema, type ApiError } from './api';
import { cashView } from './cash';
import type { MonitoringConfig, Scope } from './config';
import { journalPage, journalView, transactionStats } from './journal-view';
import type { KioskMetrics } from './metrics';
import type { KioskMonitor, MonitorEvent, MonitoredKiosk } from './monitor';
import { openApiDocument } from './openapi';
import { bearerFromHeader, bearerFromProtocols, TokenVerifier, tokenFilePath, type AuthResult } from './tokens';

/** Exit code of a remotely requested restart: EX_TEMPFAIL. The watchdog restarts any exit but 78 (config). */
export { EXIT_RESTART_REQUESTED } from '../ops/watchdog';
import { EXIT_RESTART_REQUESTED } from '../ops/watchdog';

export interface MonitoringLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RestartControl {
  /** Whether something (watchdog, systemd) will start the process again after it exits. */
  supervised(): boolean;
  /** Stops the kiosk cleanly and exits (called after the 202 response has been sent). */
  restart(by: string): void;
}

export interface MonitoringServerOptions {
  kiosk: MonitoredKiosk;
  config: MonitoringConfig;
  dataDir: string;
  monitor: KioskMonitor;
  metrics: KioskMetrics;
  restart: RestartControl;
  log?: MonitoringLog;
  now?: () => number;
  /** Stream keep-alive: a ping this often; a client that has not answered the previous one is dropped. */
  streamPingMs?: number;
}

export interface MonitoringServer {
  app: FastifyInstance;
  url: string;
  port: number;
  /** Method + path of every registered route (for the OpenAPI coverage test). */
  routes: Array<{ method: string; path: string }>;
  close(): Promise<void>;
}

type Identity = Extract<AuthResult, { ok: true }>;

declare module 'fastify' {
  interface FastifyRequest {
    identity?: Identity;
  }
  interface FastifyContextConfig {
    scope?: Scope | null;
  }
}

const silent: MonitoringLog = { info() {}, warn() {}, error() {} };

/** The monitoring page's files: next to this module in the source tree, or the repository's copy when bundled. */
export function findPageDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, 'page'), // source tree (tsx)
    resolve(here, '..', 'monitoring', 'page'), // dist/main/launch.js with dist/monitoring/page copied by the build
    resolve(here, '..', '..', 'monitoring', 'page'), // dist/main/electron/main.js, same
    resolve(here, '..', '..', 'main', 'monitoring', 'page'), // dist/main/launch.js run from the repository
    resolve(process.cwd(), 'main', 'monitoring', 'page'),
  ];
  for (const d of candidates) {
    if (existsSync(join(d, 'index.html'))) return d;
  }
  return null;
}

const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const PAGE_FILES: Record<string, { file: string; type: string }> = {
  '/monitor/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/monitor/monitor.js': { file: 'monitor.js', type: 'text/javascript; charset=utf-8' },
  '/monitor/monitor.css': { file: 'monitor.css', type: 'text/css; charset=utf-8' },
};

function readTls(tls: NonNullable<MonitoringConfig['tls']>): { cert: Buffer; key: Buffer; ca?: Buffer; requestCert: boolean; rejectUnauthorized: boolean; minVersion: 'TLSv1.2' } {
  const read = (key: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw new Error(`monitoring.tls.${key}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  };
  const mutual = tls.clientCaPath !== undefined;
  return {
    cert: read('certPath', tls.certPath),
    key: read('keyPath', tls.keyPath),
    ...(mutual ? { ca: read('clientCaPath', tls.clientCaPath!) } : {}),
    requestCert: mutual,
    rejectUnauthorized: mutual,
    minVersion: 'TLSv1.2',
  };
}

function sendError(reply: FastifyReply, e: HttpError): FastifyReply {
  const body: ApiError = { error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } };
  for (const [k, v] of Object.entries(e.headers)) reply.header(k, v);
  return reply.code(e.statusCode).type('application/json; charset=utf-8').send(body);
}

/** Maps fastify's own errors (body parser, limits, rate limit) to the API's error shape. */
function toHttpError(err: unknown, bodyLimit: number): HttpError {
  if (err instanceof HttpError) return err;
  const e = err as { statusCode?: number; code?: string; message?: string };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(413, 'payload_too_large', `request body is larger than ${bodyLimit} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpError(415, 'unsupported_media_type', 'request body must be application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpError(400, 'invalid_body', 'content-type is application/json but the body is empty (send {} or no content-type)');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HttpError(400, 'invalid_json', 'request body is not valid JSON');
  }
  if (e.statusCode === 429) return new HttpError(429, 'rate_limited', e.message ?? 'rate limit exceeded');
  if (e.statusCode === 400 && /JSON/i.test(e.message ?? '')) return new HttpError(400, 'invalid_json', 'request body is not valid JSON');
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return new HttpError(e.statusCode, 'bad_request', e.message ?? 'bad request');
  return new HttpError(500, 'internal', 'internal error');
}

function presentedToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (h !== undefined) return bearerFromHeader(h) ?? (h ? '\u0000malformed' : undefined);
  return req.headers.upgrade?.toLowerCase() === 'websocket' ? bearerFromProtocols(req.headers['sec-websocket-protocol'] as string | undefined) : undefined;
}

/** The request path for logs and error messages: no query string, card numbers masked. */
const pathOf = (req: FastifyRequest) => scrubText((req.url.split('?')[0] ?? '').slice(0, 200));

function reasonText(r: string | undefined): string | undefined {
  if (r !== undefined && (containsPan(r) || containsTrackData(r) || leaksCardData(r))) throw new HttpError(400, 'invalid_body', 'reason: must not contain card data');
  return r;
}

export async function startMonitoringServer(o: MonitoringServerOptions): Promise<MonitoringServer> {
  const cfg = o.config;
  const log = o.log ?? silent;
  const tokens = new TokenVerifier(cfg.tokens, {
    file: tokenFilePath(o.dataDir, cfg.tokensFile),
    ...(o.now ? { now: o.now } : {}),
    onFileError: (e) => log.error({ err: e.message }, 'monitoring: token file rejected (keeping the previous tokens)'),
  });
  const https = cfg.tls ? readTls(cfg.tls) : null;
  const app = Fastify({
    logger: false,
    bodyLimit: cfg.bodyLimitBytes,
    exposeHeadRoutes: false,
    return503OnClosing: true,
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 100 },
    ...(https ? { https } : {}),
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;

  const routes: Array<{ method: string; path: string }> = [];
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) routes.push({ method: String(m), path: r.url });
  });

  app.setErrorHandler((err, req, reply) => {
    const h = toHttpError(err, cfg.bodyLimitBytes);
    if (h.statusCode >= 500) log.error({ err: (err as Error).message, url: pathOf(req) }, 'monitoring: request failed');
    return sendError(reply, h);
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, new HttpError(404, 'not_found', `no route ${req.method} ${pathOf(req)}`)));

  // Every response: no caching, no sniffing, no framing.
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    if (https) reply.header('strict-transport-security', 'max-age=31536000');
    if (!reply.getHeader('content-security-policy')) reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    return payload;
  });

  // First: its onRequest hook marks upgrade requests, so a refused upgrade's socket is destroyed after the error.
  await app.register(websocket, {
    options: {
      maxPayload: 1024,
      handleProtocols: (protocols: Set<string>) => (protocols.has('bearer') ? 'bearer' : false),
    },
  });

  await app.register(rateLimit, {
    // Applied by the hook below, first thing for every request (route-level hooks would run after authorisation,
    // and failed token guesses must count too).
    global: false,
    max: cfg.rateLimit.max,
    timeWindow: cfg.rateLimit.windowMs,
    // Per token for valid tokens (an agent behind a NAT gets its own budget), per address otherwise.
    keyGenerator: (req) => {
      const a = tokens.verify(presentedToken(req));
      return a.ok ? `token:${a.name}` : `ip:${req.ip}`;
    },
    errorResponseBuilder: (_req, ctx) => new HttpError(429, 'rate_limited', `rate limit exceeded (${ctx.max} requests per ${Math.round(cfg.rateLimit.windowMs / 1000)} s); retry in ${ctx.after}`),
  });

  const limit = app.rateLimit();
  app.addHook('onRequest', async function (req, reply) {
    await limit.call(this, req, reply);
  });

  // Authorisation before anything else of the route runs (also before a WebSocket upgrade).
  app.addHook('onRequest', async (req, reply) => {
    const scope = req.routeOptions.config.scope;
    if (!scope) return;
    // A refused WebSocket upgrade: the raw socket must not linger after the error response.
    if (req.headers.upgrade) reply.header('connection', 'close');
    const a = tokens.verify(presentedToken(req));
    if (!a.ok) {
      const msg = { missing: 'missing bearer token (Authorization: Bearer <token>)', invalid: 'token is not valid', expired: 'token has expired' }[a.reason];
      log.warn({ reason: a.reason, ip: req.ip, url: pathOf(req) }, 'monitoring: request refused');
      return sendError(reply, new HttpError(401, a.reason === 'expired' ? 'token_expired' : 'unauthorized', msg, undefined, { 'www-authenticate': `Bearer realm="atm-monitoring"${a.reason === 'missing' ? '' : ', error="invalid_token"'}` }));
    }
    if (!a.scopes.includes(scope)) {
      log.warn({ token: a.name, needs: scope, ip: req.ip }, 'monitoring: scope refused');
      return sendError(reply, new HttpError(403, 'insufficient_scope', `token "${a.name}" lacks the "${scope}" scope`, undefined, { 'www-authenticate': `Bearer realm="atm-monitoring", error="insufficient_scope", scope="${scope}"` }));
    }
    req.identity = a;
  });

  const k = o.kiosk;
  const by = (req: FastifyRequest) => `remote:${req.identity!.name}`;
  const journalCommand = (req: FastifyRequest, command: string, extra: Record<string, unknown> = {}) =>
    k.journal.append('remote.command', { command, by: by(req), token: req.identity!.name, client: req.ip, ...extra });
  const alertCounts = () => {
    const c = { critical: 0, warning: 0, info: 0 };
    for (const a of o.monitor.alerts()) c[a.severity]++;
    return c;
  };

  const handlers: Record<string, (req: FastifyRequest, reply: FastifyReply) => unknown> = {
    getStatus: () => ({ ...o.monitor.status(), alerts: alertCounts() }),
    getDevices: () => o.monitor.status().devices,
    getCash: () => {
      const units = o.monitor.status().cashUnits.map(cashView);
      const totals: Record<string, number> = {};
      for (const u of units) if (u.type === 'dispense') totals[u.currency] = (totals[u.currency] ?? 0) + u.value;
      return { units, totals };
    },
    getJournal: (req) => journalPage(k.db, parseInput(journalQuerySchema, req.query, 'query')),
    getTransactionStats: (req) => transactionStats(k.db, parseInput(statsQuerySchema, req.query, 'query').hours),
    getAlerts: (req) => {
      const q = parseInput(alertsQuerySchema, req.query, 'query');
      return { active: o.monitor.alerts(), history: o.monitor.history().slice(0, q.historyLimit) };
    },
    whoami: (req) => ({ name: req.identity!.name, scopes: req.identity!.scopes, expiresAt: req.identity!.expiresAt }),
    outOfService: (req, reply) => serviceMode(req, reply, 'out'),
    inService: (req, reply) => serviceMode(req, reply, 'in'),
    restart: (req, reply) => {
      const b = parseInput(restartCommandSchema, req.body, 'body');
      const reason = reasonText(b.reason);
      if (!o.restart.supervised()) throw new HttpError(409, 'not_supervised', 'this process is not run by the watchdog or a service manager: nothing would start it again (use npm run service)');
      const app = o.monitor.status().app;
      if (app === 'inSession' && !b.force) throw new HttpError(409, 'session_in_progress', 'a customer session is in progress: take the ATM out of service first, or pass "force": true');
      const entry = journalCommand(req, 'restart', { ...(reason ? { reason } : {}), force: b.force, app });
      log.warn({ by: by(req), reason, force: b.force }, 'monitoring: restart requested');
      reply.raw.once('finish', () => setImmediate(() => o.restart.restart(by(req))));
      return reply.code(202).send({ command: 'restart', by: by(req), journalSeq: entry.seq, app, exitCode: EXIT_RESTART_REQUESTED });
    },
    pullJournal: (req, reply) => {
      const b = parseInput(pullJournalSchema, req.body, 'body');
      const entry = journalCommand(req, 'pull-journal', { ...(b.sinceSeq !== undefined ? { sinceSeq: b.sinceSeq } : {}), ...(b.from ? { from: b.from } : {}), ...(b.to ? { to: b.to } : {}) });
      log.info({ by: by(req), ...b }, 'monitoring: journal pulled');
      // Rows as stored, with their hashes, so the export verifies (atm-tools journal verify). The journal refuses
      // card data at append; a row whose data would still look like it is withheld (checked on data and masked
      // PAN, not on the hex hashes).
      const journal = k.journal;
      async function* body() {
        let since = b.sinceSeq ?? 0;
        for (;;) {
          const batch = journal.query({ sinceSeq: since, from: b.from, to: b.to, limit: 500 });
          if (!batch.length) return;
          for (const e of batch) {
            const v = journalView(e);
            yield `${v.data === e.data ? toJsonLine(e) : JSON.stringify({ seq: e.seq, withheld: 'possible card data' })}\n`;
          }
          since = batch[batch.length - 1]!.seq;
        }
      }
      return reply
        .code(200)
        .header('content-type', 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="journal-${k.config.terminal.id.trim() || 'atm'}-${entry.ts.slice(0, 10)}.jsonl"`)
        .header('x-journal-command-seq', String(entry.seq))
        .send(Readable.from(body()));
    },
    openapi: () => openApiDocument({ terminalId: k.config.terminal.id }),
    metrics: async (_req, reply) => reply.type(o.metrics.contentType).send(await o.metrics.text()),
    root: (_req, reply) => reply.redirect('/monitor/', 302),
  };

  function serviceMode(req: FastifyRequest, reply: FastifyReply, mode: 'in' | 'out') {
    const b = parseInput(serviceCommandSchema, req.body, 'body');
    const reason = reasonText(b.reason);
    const command = mode === 'out' ? 'out-of-service' : 'in-service';
    const entry = journalCommand(req, command, reason ? { reason } : {});
    k.setServiceMode(mode, by(req));
    log.info({ by: by(req), command, reason }, 'monitoring: service mode command');
    o.monitor.refresh();
    return reply.code(202).send({ command, by: by(req), journalSeq: entry.seq, app: o.monitor.status().app, forcedOut: o.monitor.status().forcedOut });
  }

  const pageDir = findPageDir();
  const streams = new Set<WebSocket>();

  for (const r of ROUTES) {
    const config = { scope: r.scope };
    if (r.websocket) {
      app.get(r.path, { websocket: true, config }, (socket, req) => stream(socket, req));
      continue;
    }
    if (r.path in PAGE_FILES) {
      const f = PAGE_FILES[r.path]!;
      app.get(r.path, { config }, (_req, reply) => {
        if (!pageDir) throw new HttpError(404, 'not_found', 'the monitoring page files are not installed');
        return reply.type(f.type).header('content-security-policy', PAGE_CSP).send(readFileSync(join(pageDir, f.file)));
      });
      continue;
    }
    const h = handlers[r.operationId];
    if (!h) throw new Error(`monitoring: no handler for ${r.operationId}`);
    app.route({ method: r.method, url: r.path, config, handler: async (req, reply) => h(req, reply) });
  }

  function stream(socket: WebSocket, req: FastifyRequest) {
    const origin = req.headers.origin;
    const host = req.headers.host;
    if (origin !== undefined && host !== undefined && origin !== `${https ? 'https' : 'http'}://${host}`) {
      socket.close(1008, 'origin not allowed');
      return;
    }
    if (streams.size >= cfg.maxStreams) {
      socket.close(1013, 'too many streams');
      return;
    }
    streams.add(socket);
    // Dead peers (a NAT that forgot the connection) would otherwise hold a stream slot for ever.
    let answered = true;
    socket.on('pong', () => (answered = true));
    const ping = setInterval(() => {
      if (!answered) return socket.terminate();
      answered = false;
      socket.ping();
    }, o.streamPingMs ?? 30_000);
    ping.unref();
    const send = (m: unknown) => {
      if (socket.readyState !== socket.OPEN) return;
      // A client that does not read is dropped rather than buffered without bound.
      if (socket.bufferedAmount > 1_048_576) return socket.close(1013, 'client too slow');
      socket.send(JSON.stringify(m));
    };
    send({ type: 'hello', terminalId: k.config.terminal.id, token: req.identity!.name, status: o.monitor.status(), alerts: o.monitor.alerts() });
    const off = o.monitor.on((e: MonitorEvent) => send(e.type === 'journal' ? { type: 'journal', entry: journalView(e.entry) } : e));
    // The stream is one-way: anything the client sends is ignored (maxPayload bounds it).
    socket.on('close', () => {
      clearInterval(ping);
      off();
      streams.delete(socket);
    });
  }

  // Every socket, upgraded ones included, so a client that never lets go cannot hold up the kiosk's stop.
  const sockets = new Set<Socket>();
  app.server.on(https ? 'secureConnection' : 'connection', (sock: Socket) => {
    sockets.add(sock);
    sock.once('close', () => sockets.delete(sock));
  });

  const address = await app.listen({ host: cfg.host, port: cfg.port });
  const port = (app.server.address() as { port: number }).port;
  const url = `${https ? 'https' : 'http'}://${cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host}:${port}`;
  log.info({ url, address, tls: !!https, mutualTls: !!cfg.tls?.clientCaPath }, 'monitoring API listening');
  return {
    app,
    url,
    port,
    routes,
    async close() {
      for (const s of streams) s.close(1001, 'kiosk stopping');
      const closed = app.close();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const grace = new Promise<void>((r) => (timer = setTimeout(r, 2000)));
      await Promise.race([closed, grace]);
      clearTimeout(timer);
      for (const sock of sockets) sock.destroy();
      await closed;
    },
  };
}

