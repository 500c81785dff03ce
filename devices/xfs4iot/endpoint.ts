/**
 * XFS4IoT endpoint: publishes our device services over WebSocket, one URI per service
 * (`ws://127.0.0.1:<port>/xfs4iot/v1.0/<ServiceName>/`) plus the service publisher at `/xfs4iot/v1.0/`
 * (ServicePublisher.GetServices). Per the spec each command is acknowledged, may send intermediate events
 * with its requestId, and ends in exactly one completion; unsolicited events go to every connection of
 * the service. Commands of one service run one at a time through its CommandQueue; Common.Status,
 * Common.Capabilities, Common.Cancel and Storage.GetStorage answer at once.
 *
 * Listens on loopback only unless told otherwise, and refuses browser pages (any Origin header not
 * explicitly allowed), so a web page cannot drive the devices. Every command is validated: a malformed
 * one completes with `invalidData` (or is refused in the acknowledge), never a crash.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CommandQueue, type CommandQueueOptions } from '../common/command-queue';
import type { Completion } from '../common/types';
import { completionFields, fromWireCode } from './codes';
import { incomingEnvelope, message, requestIdSchema, XFS4IOT_BASE_PATH, type AckStatus, type Message, type Payload, type WireCompletion } from './messages';
import type { CommandContext, ServiceAdapter } from './service-adapter';

export interface EndpointOptions {
  services: readonly ServiceAdapter[];
  /** Default 127.0.0.1. Anything else exposes the devices to the network: do it only behind TLS/auth. */
  host?: string;
  /** Default 5846 (first XFS4IoT port); 0 picks a free port. */
  port?: number;
  vendorName?: string;
  /** Per-service command queue options (timeouts, grace, maxPending; default maxPending 32). */
  queue?: CommandQueueOptions;
  /** Origins allowed to connect (browsers send one); default none. */
  allowedOrigins?: readonly string[];
  /** Largest accepted message in bytes (default 1 MiB). */
  maxPayload?: number;
  /** Sees every message sent (protocol tests, tracing). Payloads can hold card data: never log them. */
  onSend?: (msg: Message) => void;
  /** Diagnostics (never contains payload data). */
  onDiagnostic?: (text: string) => void;
}

interface HostedService {
  adapter: ServiceAdapter;
  queue: CommandQueue;
  connections: Set<Connection>;
  unsubscribe: () => void;
}

interface Connection {
  id: number;
  ws: WebSocket;
  service: HostedService | null;
  /** requestId -> queue key of this connection's commands in flight. */
  inFlight: Map<number, string>;
}

const COMMON = ['Common.Status', 'Common.Capabilities', 'Common.Cancel'];

export class Xfs4IotEndpoint {
  private readonly services = new Map<string, HostedService>();
  private nextConnectionId = 1;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    private readonly opts: EndpointOptions,
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(opts: EndpointOptions): Promise<Xfs4IotEndpoint> {
    const host = opts.host ?? '127.0.0.1';
    const http = createServer((_req, res) => {
      res.writeHead(404).end();
    });
    const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload ?? 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(opts.port ?? 5846, host, () => {
        http.off('error', reject);
        resolve();
      });
    });
    const endpoint = new Xfs4IotEndpoint(http, wss, opts, host, (http.address() as AddressInfo).port);
    endpoint.init();
    return endpoint;
  }

  /** URI of a service, e.g. serviceUri('CardReader'). */
  serviceUri(serviceName: string): string {
    const h = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `ws://${h}:${this.port}${XFS4IOT_BASE_PATH}/${serviceName}/`;
  }
  get publisherUri(): string {
    return this.serviceUri('').replace(/\/\/$/, '/');
  }

  /** Drops every connection of a service (tests: a device link that dies mid-command). */
  disconnectAll(serviceName?: string): void {
    for (const ws of this.wss.clients) {
      if (!serviceName || [...(this.services.get(serviceName)?.connections ?? [])].some((c) => c.ws === ws)) ws.terminate();
    }
  }

  async close(): Promise<void> {
    for (const s of this.services.values()) {
      s.unsubscribe();
      s.queue.failAll('deviceNotReady', 'endpoint closed');
    }
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private init(): void {
    for (const adapter of this.opts.services) {
      const hosted: HostedService = {
        adapter,
        queue: new CommandQueue({ maxPending: 32, ...this.opts.queue }),
        connections: new Set(),
        unsubscribe: () => undefined,
      };
      hosted.unsubscribe = adapter.subscribe((name, payload) => {
        const msg = message('unsolicited', name, undefined, payload);
        for (const c of hosted.connections) this.send(c, msg);
      });
      this.services.set(adapter.serviceName, hosted);
    }
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const origin = req.headers.origin;
    if (origin !== undefined && !(this.opts.allowedOrigins ?? []).includes(origin)) return refuse('403 Forbidden');
    const path = new URL(req.url ?? '/', 'ws://localhost').pathname.replace(/\/+$/, '');
    let service: HostedService | null = null;
    if (path !== XFS4IOT_BASE_PATH) {
      const m = path.startsWith(`${XFS4IOT_BASE_PATH}/`) ? path.slice(XFS4IOT_BASE_PATH.length + 1) : null;
      service = m === null ? null : (this.services.get(m) ?? null);
      if (!service) return refuse('404 Not Found');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, service));
  }

  private accept(ws: WebSocket, service: HostedService | null): void {
    const conn: Connection = { id: this.nextConnectionId++, ws, service, inFlight: new Map() };
    service?.connections.add(conn);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      try {
        this.onMessage(conn, isBinary ? null : data.toString());
      } catch {
        this.opts.onDiagnostic?.('internal error handling a message');
      }
    });
    ws.on('error', () => this.opts.onDiagnostic?.('connection error'));
    ws.on('close', () => {
      service?.connections.delete(conn);
      // Commands of a client that went away are canceled (a pending card read must not keep waiting).
      if (service && conn.inFlight.size) service.queue.cancel([...conn.inFlight.values()]);
    });
  }

  private send(conn: Connection, msg: Message): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    this.opts.onSend?.(msg);
    conn.ws.send(JSON.stringify(msg));
  }

  private ack(conn: Connection, name: string, requestId: number | undefined, status: AckStatus, errorDescription?: string): void {
    this.send(conn, message('acknowledge', name, requestId, { status, ...(errorDescription ? { errorDescription } : {}) }));
  }

  private onMessage(conn: Connection, text: string | null): void {
    let raw: unknown;
    try {
      raw = text === null ? undefined : JSON.parse(text);
    } catch {
      raw = undefined;
    }
    const header = (raw && typeof raw === 'object' ? (raw as { header?: unknown }).header : undefined) as { name?: unknown; requestId?: unknown } | undefined;
    const echoName = typeof header?.name === 'string' ? header.name.slice(0, 100) : '';
    const echoId = typeof header?.requestId === 'number' && Number.isSafeInteger(header.requestId) ? header.requestId : undefined;
    if (raw === undefined) return this.ack(conn, echoName, echoId, 'invalidMessage', 'message is not JSON text');
    const env = incomingEnvelope.safeParse(raw);
    if (!env.success) return this.ack(conn, echoName, echoId, 'invalidMessage', 'not a valid XFS4IoT command message');
    const { name } = env.data.header;
    const id = requestIdSchema.safeParse(env.data.header.requestId);
    if (!id.success) return this.ack(conn, name, echoId, 'invalidRequestID', 'requestId must be a positive integer');
    const requestId = id.data;
    if (conn.inFlight.has(requestId)) return this.ack(conn, name, requestId, 'invalidRequestID', 'requestId already in use');
    const service = conn.service;
    if (service && service.adapter.commands[name]?.queued && service.queue.pending >= (this.opts.queue?.maxPending ?? 32)) {
      return this.ack(conn, name, requestId, 'tooManyRequests');
    }
    const key = `${conn.id}:${requestId}`;
    conn.inFlight.set(requestId, key);
    this.ack(conn, name, requestId, 'ok');
    void this.execute(conn, name, requestId, key, env.data.payload ?? {}).then((completion) => {
      conn.inFlight.delete(requestId);
      this.send(conn, message('completion', name, requestId, completion));
    });
  }

  private async execute(conn: Connection, name: string, requestId: number, key: string, payload: Payload): Promise<WireCompletion> {
    const done = (c: Completion<unknown, string>) => completionFields(name, c);
    const service = conn.service;
    if (!service) {
      if (name !== 'ServicePublisher.GetServices') return done({ completionCode: 'invalidCommand', errorDescription: 'the publisher only answers ServicePublisher.GetServices' });
      const services = [...this.services.keys()].map((s) => ({ serviceURI: this.serviceUri(s) }));
      const detail = { vendorName: this.opts.vendorName ?? 'open-atm-kiosk', services };
      this.send(conn, message('event', 'ServicePublisher.ServiceDetailEvent', requestId, detail));
      return { completionCode: 'success', ...detail };
    }
    const { adapter, queue } = service;
    if (name === 'Common.Status') return { completionCode: 'success', ...adapter.status() };
    if (name === 'Common.Capabilities') return { completionCode: 'success', ...this.capabilities(adapter) };
    if (name === 'Common.Cancel') return this.cancel(conn, service, payload);
    const def = adapter.commands[name];
    if (!def) {
      const iface = name.split('.')[0] ?? '';
      return adapter.interfaces.includes(iface)
        ? done({ completionCode: 'unsupportedCommand', errorDescription: `${name} is not supported by this service` })
        : done({ completionCode: 'invalidCommand', errorDescription: `${name} is not a command of this service` });
    }
    const parsed = def.schema.safeParse(payload);
    if (!parsed.success) {
      const where = parsed.error.issues[0]?.path.join('.') ?? '';
      return done({ completionCode: 'invalidData', errorDescription: `invalid payload${where ? ` at ${where}` : ''}` });
    }
    const run = (signal: AbortSignal) => {
      const ctx: CommandContext = {
        name,
        signal,
        event: (eventName, eventPayload = {}) => {
          if (!signal.aborted) this.send(conn, message('event', eventName, requestId, eventPayload));
        },
      };
      // The queue speaks Completion: the device's wire completion rides along as the payload, so the
      // queue can still turn a `canceled` caused by a timeout into `timeOut`.
      return def.run(parsed.data, ctx).then((w): Completion<WireCompletion, string> =>
        w.completionCode === 'success' ? { completionCode: 'success', payload: w } : { completionCode: fromWireCode(w.completionCode), payload: w },
      );
    };
    if (!def.queued) {
      return run(new AbortController().signal).then(
        (c) => (c.payload?.completionCode ? (c.payload as WireCompletion) : done(c)),
        () => done({ completionCode: 'hardwareError', errorDescription: 'device failed' }),
      );
    }
    const timeout = typeof parsed.data === 'object' && parsed.data && 'timeout' in parsed.data && typeof parsed.data.timeout === 'number' ? parsed.data.timeout : 0;
    const c = await queue.run(run, { requestId: key, timeoutMs: timeout, onCancel: adapter.cancel ? () => adapter.cancel?.() : undefined });
    return c.payload?.completionCode ? (c.payload as WireCompletion) : done(c);
  }

  private cancel(conn: Connection, service: HostedService, payload: Payload): WireCompletion {
    const ids = Array.isArray(payload.requestIds) ? payload.requestIds : undefined;
    if (ids && !ids.every((i) => requestIdSchema.safeParse(i).success)) {
      return { completionCode: 'invalidData', errorDescription: 'requestIds must be positive integers' };
    }
    const keys = (ids ?? [...conn.inFlight.keys()]).map((i) => conn.inFlight.get(i as number)).filter((k): k is string => k !== undefined);
    const matched = keys.length ? service.queue.cancel(keys) : 0;
    if (ids && matched === 0) return { completionCode: 'commandErrorCode', errorCode: 'noMatchingRequestIDs', errorDescription: 'no matching command in progress' };
    return { completionCode: 'success' };
  }

  private capabilities(adapter: ServiceAdapter): Payload {
    const commands: Payload = {};
    for (const n of [...COMMON, ...Object.keys(adapter.commands)]) commands[n] = { versions: ['1.0'] };
    return { interfaces: adapter.interfaces.map((name) => ({ name, commands: Object.fromEntries(Object.entries(commands).filter(([c]) => c.startsWith(`${name}.`))), maximumRequests: 32 })), ...adapter.capabilities() };
  }
}
