/**
 * Transport and abuse limits of the monitoring API: OpenAPI coverage of every route, rate limits per token and per
 * address, TLS and mutual TLS with certificates made by the openssl CLI, and configuration guards.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { api, startMonitored, statusWhere, type Monitored } from './helpers';
import { parseMonitoringConfig } from '../../../main/monitoring/config';
import { ROUTES } from '../../../main/monitoring/api';
import WebSocket from 'ws';

let m: Monitored | null = null;
afterEach(async () => {
  await m?.close();
  m = null;
});

describe('OpenAPI', () => {
  it('describes exactly the routes the server registers, with scopes, parameters and errors', async () => {
    m = await startMonitored();
    const r = await api(m, '/api/v1/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.json as { openapi: string; paths: Record<string, Record<string, { security: unknown[]; responses: Record<string, unknown>; parameters?: Array<{ name: string }>; requestBody?: unknown; 'x-required-scope'?: string }>> };
    expect(doc.openapi).toBe('3.1.0');
    const registered = m.svc.server.routes.map((x) => `${x.method} ${x.path}`).sort();
    const described = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(described).toEqual(registered);
    expect(registered.length).toBe(ROUTES.length);
    for (const route of ROUTES) {
      const op = doc.paths[route.path]![route.method.toLowerCase()]!;
      if (route.scope) {
        expect(op['x-required-scope'], route.path).toBe(route.scope);
        expect(op.security, route.path).toEqual([{ bearer: [route.scope] }]);
        expect(Object.keys(op.responses), route.path).toEqual(expect.arrayContaining(['401', '403', '429']));
      } else expect(op.security, route.path).toEqual([]);
      if (route.query) expect(op.parameters?.map((p) => p.name).sort(), route.path).toEqual(Object.keys(route.query.shape).sort());
      if (route.body) expect(op.requestBody, route.path).toBeDefined();
    }
    // Every schema reference resolves; operation ids are unique.
    const text = JSON.stringify(doc);
    const schemas = (doc as unknown as { components: { schemas: Record<string, unknown> } }).components.schemas;
    for (const [, id] of text.matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)) expect(schemas[id!], id).toBeDefined();
    expect(text).not.toContain('$defs');
    const ids = ROUTES.map((x) => x.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    // Each scoped route really refuses without a token, as described.
    for (const route of ROUTES.filter((x) => x.scope && !x.websocket)) {
      const res = await api(m, route.path, { method: route.method });
      expect(res.status, `${route.method} ${route.path}`).toBe(401);
    }
  });
});

describe('responses match the published schemas', () => {
  it('every JSON route, parsed strictly with the schema the OpenAPI document is generated from', async () => {
    m = await startMonitored();
    await statusWhere(m.svc, (s) => s.app === 'inService');
    const route = (id: string) => ROUTES.find((x) => x.operationId === id)!;
    const check = async (id: string, opts: Parameters<typeof api>[2] = {}, path?: string) => {
      const r = route(id);
      const res = await api(m!, path ?? r.path, { token: r.scope === 'operate' ? m!.tokens.operate : m!.tokens.read, ...(r.method === 'POST' ? { method: 'POST' } : {}), ...opts });
      expect(res.status, id).toBe(r.response.status);
      expect(res.headers.get('content-type'), id).toContain(r.response.contentType);
      const parsed = r.response.schema!.safeParse(res.json);
      expect(parsed.success ? [] : parsed.error.issues, id).toEqual([]);
    };
    m.kiosk.sims.apply({ type: 'fault', device: 'printer', fault: 'paperOut' });
    await statusWhere(m.svc, (s) => s.devices.printer.paper === 'out');
    m.kiosk.sims.apply({ type: 'fault', device: 'printer', fault: 'none' });
    await statusWhere(m.svc, (s) => s.devices.printer.paper !== 'out');
    for (const id of ['getStatus', 'getDevices', 'getCash', 'getJournal', 'getTransactionStats', 'getAlerts', 'whoami']) await check(id);
    await check('outOfService', { body: { reason: 'schema check' } });
    await check('inService', { body: {} });
    const restarted = m.restart.next();
    await check('restart', { body: { reason: 'schema check' } });
    await restarted;
    const alerts = await api(m, '/api/v1/alerts', { token: m.tokens.read });
    expect((alerts.json as { history: unknown[] }).history.length).toBeGreaterThan(0); // the history was checked too
  });
});

describe('rate limits', () => {
  it('per token, and per address for requests without a valid token; 429 with retry-after and a JSON error', async () => {
    m = await startMonitored({ rateLimit: { max: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await api(m, '/api/v1/status', { token: m.tokens.read })).status).toBe(200);
    const limited = await api(m, '/api/v1/status', { token: m.tokens.read });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.json.error?.code).toBe('rate_limited');
    expect(limited.json.error?.message).toMatch(/^rate limit exceeded \(3 requests per 60 s\)/);
    // Another agent's token has its own budget.
    expect((await api(m, '/api/v1/status', { token: m.tokens.operate })).status).toBe(200);
    // Guessing tokens is limited per address.
    const anon = [];
    for (let i = 0; i < 4; i++) anon.push((await api(m, '/api/v1/status', { token: `atm_guess${i}` })).status);
    expect(anon).toEqual([401, 401, 401, 429]);
  });
});

import { haveOpenssl, makePki } from './pki';

function httpsGet(url: string, opts: { ca: string; token?: string; cert?: string; key?: string }): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        ca: readFileSync(opts.ca),
        ...(opts.cert ? { cert: readFileSync(opts.cert), key: readFileSync(opts.key!) } : {}),
        headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(!haveOpenssl)('TLS', () => {
  it('serves HTTPS with the configured certificate; plain HTTP is not answered', async () => {
    const pki = makePki();
    m = await startMonitored({ tls: { certPath: pki.cert, keyPath: pki.key } });
    expect(m.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ok = await httpsGet(`${m.url}/api/v1/whoami`, { ca: pki.ca, token: m.tokens.read });
    expect(ok.status).toBe(200);
    expect(ok.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(JSON.parse(ok.body).name).toBe('nagios');
    expect((await httpsGet(`${m.url}/api/v1/whoami`, { ca: pki.ca })).status).toBe(401);
    await expect(fetch(`${m.url.replace('https', 'http')}/api/v1/status`)).rejects.toThrow();
  });

  it('mutual TLS: no client certificate, no connection; with one, the token still decides', async () => {
    const pki = makePki();
    m = await startMonitored({ tls: { certPath: pki.cert, keyPath: pki.key, clientCaPath: pki.ca } });
    await expect(httpsGet(`${m.url}/api/v1/whoami`, { ca: pki.ca, token: m.tokens.read })).rejects.toThrow();
    const withCert = { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey };
    expect((await httpsGet(`${m.url}/api/v1/whoami`, { ...withCert, token: m.tokens.read })).status).toBe(200);
    expect((await httpsGet(`${m.url}/api/v1/whoami`, withCert)).status).toBe(401);
    // A certificate from another CA is refused.
    const other = makePki();
    await expect(httpsGet(`${m.url}/api/v1/whoami`, { ca: pki.ca, cert: other.clientCert, key: other.clientKey, token: m.tokens.read })).rejects.toThrow();
  });

  it('an unreadable certificate is a clear start-up error', async () => {
    await expect(startMonitored({ tls: { certPath: '/nonexistent/server.crt', keyPath: '/nonexistent/server.key' } })).rejects.toThrow('monitoring.tls.certPath: cannot read /nonexistent/server.crt (ENOENT)');
  });
});

describe('stream limits', () => {
  it('refuses streams beyond maxStreams with 1013 and accepts again when one closes', async () => {
    m = await startMonitored({ maxStreams: 1 });
    const open = () =>
      new Promise<{ ws: WebSocket; code?: number }>((resolve) => {
        const ws = new WebSocket(`${m!.url.replace('http', 'ws')}/api/v1/stream`, ['bearer', m!.tokens.read]);
        ws.once('message', () => resolve({ ws }));
        ws.once('close', (code) => resolve({ ws, code }));
      });
    const first = await open();
    expect(first.code).toBeUndefined();
    const second = await open();
    expect(second.code).toBe(1013);
    const closed = new Promise((r) => first.ws.once('close', r));
    first.ws.close();
    await closed;
    // the server sees the close on its side, then a new stream is accepted
    await new Promise<void>((resolve) => {
      const retry = async () => {
        const again = await open();
        if (again.code === undefined) {
          again.ws.close();
          resolve();
        } else setImmediate(retry);
      };
      void retry();
    });
  });
});

describe('stream keep-alive', () => {
  it('pings streams; a client that stops answering is dropped and frees its slot', async () => {
    m = await startMonitored({ maxStreams: 2 }, {}, undefined, { streamPingMs: 100 });
    const url = `${m.url.replace('http', 'ws')}/api/v1/stream`;
    const alive = new WebSocket(url, ['bearer', m.tokens.read]);
    const mute = new WebSocket(url, ['bearer', m.tokens.read], { autoPong: false });
    let pings = 0;
    const threePings = new Promise<void>((resolve) => alive.on('ping', () => ++pings === 3 && resolve()));
    const muteClosed = new Promise<number>((resolve) => mute.once('close', (code) => resolve(code)));
    expect(await muteClosed).toBe(1006); // terminated without a close frame
    await threePings;
    expect(alive.readyState).toBe(WebSocket.OPEN);
    alive.close();
  });
});

describe('logging', () => {
  it('refusals and commands are logged with the token name, never the token or card data', async () => {
    const lines: string[] = [];
    const rec = (level: string) => (obj: object, msg: string) => lines.push(`${level} ${msg} ${JSON.stringify(obj)}`);
    m = await startMonitored({}, {}, { info: rec('info'), warn: rec('warn'), error: rec('error') });
    await api(m, '/api/v1/journal?maskedPan=4761739001010010', { token: 'atm_wrong' });
    await api(m, '/api/v1/cards/4761739001010010');
    const notFound = await api(m, '/api/v1/cards/4761739001010010', { token: m.tokens.read });
    expect(notFound.status).toBe(404);
    expect(notFound.json.error?.message).toBe('no route GET /api/v1/cards/476173******0010');
    await api(m, '/api/v1/commands/out-of-service', { token: m.tokens.read, body: {} });
    await api(m, '/api/v1/commands/out-of-service', { token: m.tokens.operate, body: { reason: 'card 4761739001010010' } });
    await api(m, '/api/v1/commands/out-of-service', { token: m.tokens.operate, body: { reason: 'night shift' } });
    const text = lines.join('\n');
    expect(text).toContain('warn monitoring: request refused {"reason":"invalid"');
    expect(text).toContain('warn monitoring: scope refused {"token":"nagios","needs":"operate"');
    expect(text).toContain('info monitoring: service mode command {"by":"remote:ops-desk","command":"out-of-service","reason":"night shift"}');
    expect(text).not.toContain('4761739001010010');
    for (const t of Object.values(m.tokens)) expect(text).not.toContain(t);
    expect(text).not.toContain('atm_wrong');
  });
});

describe('configuration guards', () => {
  it('off loopback only with TLS; duplicate token names refused', () => {
    expect(() => parseMonitoringConfig({ enabled: true, host: '0.0.0.0' })).toThrow(/tokens must not travel in clear/);
    expect(() => parseMonitoringConfig({ enabled: true, host: '10.1.2.3', tls: { certPath: 'a', keyPath: 'b' } })).not.toThrow();
    expect(parseMonitoringConfig({ enabled: true, host: '::1' }).host).toBe('::1');
    const t = { sha256: 'a'.repeat(64), scopes: ['read'], expiresAt: '2999-01-01T00:00:00Z' };
    expect(() => parseMonitoringConfig({ tokens: [{ name: 'x', ...t }, { name: 'x', ...t }] })).toThrow(/duplicate token name/);
  });
});
