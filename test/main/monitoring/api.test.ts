/**
 * The monitoring API against a real kiosk core (simulated devices, embedded host over loopback TCP, SQLite):
 * authorisation, every read endpoint, every command (journaled with the token name), input errors, limits,
 * the WebSocket stream, and that no card data ever leaves through it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { api, nextEvent, startMonitored, statusWhere, withdrawal, FUTURE, type Monitored } from './helpers';
import { sim, waitForScreen } from '../../support/kiosk-harness';
import { generateToken } from '../../../main/monitoring/tokens';
import { TEST_CARDS } from '../../../devices/card-reader/test-cards';

let m: Monitored;
beforeAll(async () => {
  m = await startMonitored();
});
afterAll(async () => {
  await m?.close();
});

/** No full PAN of any test card, no track 2 (`<pan>=`), no PIN of a test card labelled as such. */
function expectNoCardData(text: string) {
  for (const c of TEST_CARDS) {
    expect(text).not.toContain(c.pan);
    expect(text).not.toContain(`${c.pan}=`);
  }
  expect(text).not.toMatch(/\b\d{13,19}=\d{4}/);
  expect(text).not.toMatch(/pinBlock|"pin"\s*:/i);
}

describe('authorisation', () => {
  it('no token: 401 with a Bearer challenge and a JSON error', async () => {
    const r = await api(m, '/api/v1/status');
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer realm="atm-monitoring"');
    expect(r.json.error).toEqual({ code: 'unauthorized', message: 'missing bearer token (Authorization: Bearer <token>)' });
  });

  it('bad token, malformed header, expired token: 401', async () => {
    const bad = await api(m, '/api/v1/status', { token: generateToken().token });
    expect(bad.status).toBe(401);
    expect(bad.json.error?.code).toBe('unauthorized');
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const malformed = await api(m, '/api/v1/status', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(malformed.status).toBe(401);
    expect(malformed.json.error?.code).toBe('unauthorized');
    const expired = await api(m, '/api/v1/status', { token: m.tokens.expired });
    expect(expired.status).toBe(401);
    expect(expired.json.error).toEqual({ code: 'token_expired', message: 'token has expired' });
  });

  it('wrong scope: a read token cannot command, an operate-only token cannot read; nothing happens', async () => {
    const before = m.kiosk.journal.query({ kind: 'remote.command' }).length;
    for (const cmd of ['out-of-service', 'in-service', 'restart', 'pull-journal']) {
      const r = await api(m, `/api/v1/commands/${cmd}`, { token: m.tokens.read, body: {} });
      expect(r.status, cmd).toBe(403);
      expect(r.json.error).toEqual({ code: 'insufficient_scope', message: 'token "nagios" lacks the "operate" scope' });
    }
    const r = await api(m, '/api/v1/status', { token: m.tokens.operateOnly });
    expect(r.status).toBe(403);
    expect(r.headers.get('www-authenticate')).toContain('scope="read"');
    expect(m.kiosk.journal.query({ kind: 'remote.command' }).length).toBe(before);
    expect(m.kiosk.status().forcedOut).toBe(false);
    expect(m.restart.calls).toEqual([]);
  });

  it('whoami names the token; the secret is never echoed', async () => {
    const r = await api(m, '/api/v1/whoami', { token: m.tokens.operate });
    expect(r.json).toEqual({ name: 'ops-desk', scopes: ['read', 'operate'], expiresAt: FUTURE });
    expect(r.text).not.toContain(m.tokens.operate);
  });

  it('tokens created in the data-dir token file work without a restart; removing them revokes', async () => {
    const t = generateToken();
    const file = join(m.kiosk.dataDir, 'monitoring-tokens.json');
    writeFileSync(file, JSON.stringify({ tokens: [{ name: 'from-file', sha256: t.sha256, scopes: ['read'], expiresAt: FUTURE }] }));
    expect((await api(m, '/api/v1/whoami', { token: t.token })).json.name).toBe('from-file');
    writeFileSync(file, JSON.stringify({ tokens: [] }) + '\n'); // different size: seen as a change
    expect((await api(m, '/api/v1/whoami', { token: t.token })).status).toBe(401);
  });
});

describe('read endpoints', () => {
  it('status covers every device, the host, cash units and the reversal queue', async () => {
    await statusWhere(m.svc, (s) => s.app === 'inService');
    const r = await api(m, '/api/v1/status', { token: m.tokens.read });
    expect(r.status).toBe(200);
    const s = r.json as Record<string, unknown> & { devices: Record<string, unknown>; host: { online: boolean } };
    expect(s.terminalId).toBe('ATM00001');
    expect(s.app).toBe('inService');
    expect(s.host.online).toBe(true);
    expect(Object.keys(s.devices).sort()).toEqual(['cardReader', 'dispenser', 'pinpad', 'printer', 'sensors']);
    expect(s.reversalQueueDepth).toBe(0);
    expect(s.alerts).toEqual({ critical: 0, warning: 0, info: 0 });
    const d = await api(m, '/api/v1/devices', { token: m.tokens.read });
    expect(Object.keys(d.json).sort()).toEqual(['cardReader', 'dispenser', 'pinpad', 'printer', 'sensors']);
  });

  it('cash: levels, value and thresholds per cassette, totals by currency', async () => {
    const r = await api(m, '/api/v1/cash', { token: m.tokens.read });
    const cash = r.json as { units: Array<Record<string, unknown>>; totals: Record<string, number> };
    const cst1 = cash.units.find((u) => u.id === 'CST1')!;
    const live = m.kiosk.sims.dispenser.cashUnits().find((u) => u.id === 'CST1')!;
    expect(cst1).toMatchObject({ type: 'dispense', currency: 'USD', denomination: 2000, count: live.count, capacity: 2500, lowThreshold: 50, low: false, empty: false });
    expect(cst1.level).toBeCloseTo(live.count / 2500);
    expect(cst1.value).toBe(live.count * 2000);
    const expected = m.kiosk.sims.dispenser
      .cashUnits()
      .filter((u) => u.type === 'dispense')
      .reduce((a, u) => a + u.count * u.denomination, 0);
    expect(cash.totals).toEqual({ USD: expected });
  });

  it('journal: newest first, cursor paging, kind filters, clear errors for bad parameters', async () => {
    const p1 = await api(m, '/api/v1/journal?limit=2', { token: m.tokens.read });
    const page1 = p1.json as { entries: Array<{ seq: number; kind: string }>; nextBefore: number };
    expect(page1.entries).toHaveLength(2);
    expect(page1.entries[0]!.seq).toBeGreaterThan(page1.entries[1]!.seq);
    const p2 = await api(m, `/api/v1/journal?limit=2&before=${page1.nextBefore}`, { token: m.tokens.read });
    const page2 = p2.json as { entries: Array<{ seq: number }> };
    expect(page2.entries[0]!.seq).toBeLessThan(page1.entries[1]!.seq);
    const kiosk = await api(m, '/api/v1/journal?kind=kiosk.*', { token: m.tokens.read });
    const kinds = (kiosk.json as { entries: Array<{ kind: string }> }).entries.map((e) => e.kind);
    expect(kinds).toContain('kiosk.start');
    expect(kinds.every((k) => k.startsWith('kiosk.'))).toBe(true);
    const exact = await api(m, '/api/v1/journal?kind=kiosk.start&after=0', { token: m.tokens.read });
    expect((exact.json as { entries: Array<{ seq: number }> }).entries[0]!.seq).toBe(1);

    const big = await api(m, '/api/v1/journal?limit=9999', { token: m.tokens.read });
    expect(big.status).toBe(400);
    expect(big.json.error?.code).toBe('invalid_query');
    expect(big.json.error).toEqual({ code: 'invalid_query', message: 'invalid query: limit: must be <= 500', details: ['limit: must be <= 500'] });
    expect((await api(m, '/api/v1/journal?limit=ten', { token: m.tokens.read })).json.error?.details).toEqual(['limit: must be a whole number']);
    const unknown = await api(m, '/api/v1/journal?pan=4761739001010010', { token: m.tokens.read });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error?.details).toEqual(['pan: unknown parameter']);
    expect(unknown.text).not.toContain('4761739001010010');
    const badKind = await api(m, "/api/v1/journal?kind=x'%20OR%201=1", { token: m.tokens.read });
    expect(badKind.status).toBe(400);
    const badTime = await api(m, '/api/v1/journal?from=yesterday', { token: m.tokens.read });
    expect(badTime.json.error?.details).toEqual(['from: must be an ISO 8601 date-time with a zone, e.g. 2026-01-31T08:00:00Z']);
  });

  it('unknown routes and methods are JSON 404s', async () => {
    const r = await api(m, '/api/v1/nope', { token: m.tokens.read });
    expect(r.status).toBe(404);
    expect(r.json.error).toEqual({ code: 'not_found', message: 'no route GET /api/v1/nope' });
    expect((await api(m, '/api/v1/status', { token: m.tokens.read, method: 'DELETE' })).status).toBe(404);
  });
});

describe('a withdrawal seen through the API', () => {
  it('journal, transaction stats, metrics and the stream show it; no card data anywhere', async () => {
    const ws = new WebSocket(`${m.url.replace('http', 'ws')}/api/v1/stream`, ['bearer', m.tokens.read]);
    const messages: Array<{ type: string; entry?: { kind: string; maskedPan: string | null } }> = [];
    const raw: string[] = [];
    ws.on('message', (d) => {
      raw.push(d.toString());
      messages.push(JSON.parse(d.toString()));
    });
    await new Promise((r) => ws.once('open', r));
    expect(ws.protocol).toBe('bearer');

    await withdrawal(m.kiosk, 6000);
    const last = await api(m, '/api/v1/journal?kind=cash.taken&limit=1', { token: m.tokens.read });
    const lastSeq = (last.json as { entries: Array<{ seq: number }> }).entries[0]!.seq;
    const seen = () => messages.some((x) => x.type === 'journal' && x.entry?.kind === 'cash.taken');
    if (!seen()) await new Promise<void>((resolve) => ws.on('message', () => seen() && resolve()));
    expect(messages[0]!.type).toBe('hello');
    expect(messages.some((x) => x.type === 'status')).toBe(true);
    const read = messages.find((x) => x.entry?.kind === 'card.read');
    expect(read?.entry?.maskedPan).toMatch(/^476173\*+0010$/);

    const txns = await api(m, '/api/v1/journal?kind=host.*', { token: m.tokens.read });
    expect((txns.json as { entries: Array<{ kind: string }> }).entries.map((e) => e.kind)).toEqual(expect.arrayContaining(['host.request', 'host.response']));
    const stats = await api(m, '/api/v1/transactions/stats?hours=2', { token: m.tokens.read });
    const st = stats.json as { hours: Array<{ approved: number }>; byType: Record<string, { approved: number }> };
    expect(st.hours).toHaveLength(2);
    expect(st.hours.reduce((a, h) => a + h.approved, 0)).toBeGreaterThanOrEqual(1);
    expect(st.byType.withdrawal?.approved).toBeGreaterThanOrEqual(1);
    expect((await api(m, '/api/v1/transactions/stats?hours=0', { token: m.tokens.read })).status).toBe(400);

    const metrics = await api(m, '/metrics', { token: m.tokens.read });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = metrics.text;
    expect(text).toMatch(/^atm_transactions_total\{type="withdrawal",result="approved"\} [1-9]/m);
    expect(text).toMatch(/^atm_host_latency_seconds_count\{mti="0200"\} [1-9]/m);
    expect(text).toMatch(/^atm_device_state\{device="dispenser",state="online"\} 1$/m);
    expect(text).toMatch(/^atm_device_state\{device="dispenser",state="hardwareError"\} 0$/m);
    const cst1 = m.kiosk.sims.dispenser.cashUnits().find((u) => u.id === 'CST1')!;
    expect(text).toContain(`atm_cash_unit_notes{unit="CST1",type="dispense",currency="USD",denomination="2000"} ${cst1.count}`);
    expect(text).toMatch(/^atm_reversal_queue_depth 0$/m);
    expect(text).toMatch(/^atm_host_online 1$/m);
    expect(text).toMatch(/^atm_app_state\{state="inService"\} 1$/m);
    expect(text).toMatch(/^atm_alerts_active\{severity="critical"\} 0$/m);
    expect((await api(m, '/metrics')).status).toBe(401);

    const pulled = await api(m, '/api/v1/commands/pull-journal', { token: m.tokens.operate, body: {} });
    const status = await api(m, '/api/v1/status', { token: m.tokens.read });
    const journal = await api(m, '/api/v1/journal?limit=500', { token: m.tokens.read });
    for (const t of [pulled.text, status.text, journal.text, text, stats.text, raw.join('\n')]) expectNoCardData(t);
    expect(lastSeq).toBeGreaterThan(0);
    ws.close();
  });
});

describe('commands (journaled with the token name)', () => {
  it('out of service, then in service', async () => {
    await statusWhere(m.svc, (s) => s.app === 'inService');
    const out = await api(m, '/api/v1/commands/out-of-service', { token: m.tokens.operate, body: { reason: 'cassette swap at 14:00' } });
    expect(out.status).toBe(202);
    expect(out.json).toMatchObject({ command: 'out-of-service', by: 'remote:ops-desk', forcedOut: true });
    await statusWhere(m.svc, (s) => s.app === 'outOfService' && s.forcedOut);
    const cmd = m.kiosk.journal.query({ kind: 'remote.command' }).at(-1)!;
    expect(cmd.seq).toBe(out.json.journalSeq);
    expect(cmd.data).toMatchObject({ command: 'out-of-service', by: 'remote:ops-desk', token: 'ops-desk', reason: 'cassette swap at 14:00' });
    expect(m.kiosk.journal.query({ kind: 'service.mode' }).at(-1)!.data).toEqual({ mode: 'out', by: 'remote:ops-desk' });
    const alerts = await api(m, '/api/v1/alerts', { token: m.tokens.read });
    expect((alerts.json as { active: Array<{ id: string }> }).active.map((a) => a.id)).toContain('app.outOfService');

    const back = await api(m, '/api/v1/commands/in-service', { token: m.tokens.operate, method: 'POST' });
    expect(back.status).toBe(202);
    await statusWhere(m.svc, (s) => s.app === 'inService' && !s.forcedOut);
    expect(m.kiosk.journal.query({ kind: 'service.mode' }).at(-1)!.data).toEqual({ mode: 'in', by: 'remote:ops-desk' });
    const after = await api(m, '/api/v1/alerts', { token: m.tokens.read });
    const a = after.json as { active: Array<{ id: string }>; history: Array<{ id: string; clearedAt: string }> };
    expect(a.active.map((x) => x.id)).not.toContain('app.outOfService');
    expect(a.history[0]).toMatchObject({ id: 'app.outOfService' });
    expect(a.history[0]!.clearedAt).toMatch(/^\d{4}-/);
  });

  it('restart: refused when unsupervised and during a session (unless forced); otherwise journaled, then the process restarts', async () => {
    m.restart.isSupervised = false;
    const unsupervised = await api(m, '/api/v1/commands/restart', { token: m.tokens.operate, body: {} });
    expect(unsupervised.status).toBe(409);
    expect(unsupervised.json.error?.code).toBe('not_supervised');
    m.restart.isSupervised = true;

    await waitForScreen(m.kiosk, 'welcome');
    sim(m.kiosk, { type: 'insertCard', cardId: 'visa-debit' });
    await waitForScreen(m.kiosk, 'enterPin');
    await statusWhere(m.svc, (s) => s.app === 'inSession');
    const busy = await api(m, '/api/v1/commands/restart', { token: m.tokens.operate, body: { reason: 'update' } });
    expect(busy.status).toBe(409);
    expect(busy.json.error?.code).toBe('session_in_progress');
    expect(m.restart.calls).toEqual([]);

    const restarted = m.restart.next();
    const forced = await api(m, '/api/v1/commands/restart', { token: m.tokens.operate, body: { reason: 'stuck', force: true } });
    expect(forced.status).toBe(202);
    expect(forced.json).toMatchObject({ command: 'restart', by: 'remote:ops-desk', exitCode: 75, app: 'inSession' });
    await restarted;
    expect(m.restart.calls).toEqual(['remote:ops-desk']);
    expect(m.kiosk.journal.query({ kind: 'remote.command' }).at(-1)!.data).toMatchObject({ command: 'restart', by: 'remote:ops-desk', reason: 'stuck', force: true, app: 'inSession' });
    // (this kiosk keeps running: the recorded restart stands in for the process exit, tested under the watchdog)
    sim(m.kiosk, { type: 'key', key: 'cancel' });
    await waitForScreen(m.kiosk, 'takeCard');
    sim(m.kiosk, { type: 'takeCard' });
    await waitForScreen(m.kiosk, 'welcome');
  });

  it('pull journal: JSON lines with hashes that chain, journaled, with a time filter', async () => {
    const before = m.kiosk.journal.query({ kind: 'remote.command' }).length;
    const r = await api(m, '/api/v1/commands/pull-journal', { token: m.tokens.operate, body: { sinceSeq: 0 } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('application/x-ndjson');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="journal-ATM00001-\d{4}-\d{2}-\d{2}\.jsonl"$/);
    const lines = r.text.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; hash: string; kind: string });
    expect(lines[0]!.seq).toBe(1);
    for (let i = 1; i < lines.length; i++) expect(lines[i]!.seq).toBe(lines[i - 1]!.seq + 1);
    // The pull itself is journaled before the export is read: it is the last line.
    expect(lines.at(-1)).toMatchObject({ kind: 'remote.command', seq: Number(r.headers.get('x-journal-command-seq')) });
    expect(m.kiosk.journal.query({ kind: 'remote.command' }).length).toBe(before + 1);
    const stored = m.kiosk.journal.query({ sinceSeq: 0, limit: 100000 });
    expect(lines.map((l) => l.hash)).toEqual(stored.slice(0, lines.length).map((e) => e.hash));

    const future = await api(m, '/api/v1/commands/pull-journal', { token: m.tokens.operate, body: { from: '2999-01-01T00:00:00Z' } });
    expect(future.text).toBe('');
    const bad = await api(m, '/api/v1/commands/pull-journal', { token: m.tokens.operate, body: { sinceSeq: -1, format: 'xml' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error?.details).toEqual(expect.arrayContaining(['format: unknown parameter']));
  });

  it('bad bodies: wrong type, invalid JSON, too large, wrong content type, card data in the reason', async () => {
    const wrongType = await api(m, '/api/v1/commands/out-of-service', { token: m.tokens.operate, body: { reason: 42 } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.error?.code).toBe('invalid_body');
    expect(wrongType.json.error?.details).toEqual(['reason: must be a string']);
    const invalid = await api(m, '/api/v1/commands/out-of-service', { token: m.tokens.operate, rawBody: '{"reason":', headers: { 'content-type': 'application/json' } });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error?.code).toBe('invalid_json');
    const huge = await api(m, '/api/v1/commands/out-of-service', { token: m.tokens.operate, body: { reason: 'x'.repeat(20_000) } });
    expect(huge.status).toBe(413);
    expect(huge.json.error?.code).toBe('payload_too_large');
    const form = await api(m, '/api/v1/commands/out-of-service', { token: m.tokens.operate, rawBody: 'reason=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    const pan = await api(m, '/api/v1/commands/out-of-service', { token: m.tokens.operate, body: { reason: 'card 4761739001010010 stuck' } });
    expect(pan.status).toBe(400);
    expect(pan.json.error?.message).toBe('reason: must not contain card data');
    expect(pan.text).not.toContain('4761739001010010');
    const multiLine = await api(m, '/api/v1/commands/out-of-service', { token: m.tokens.operate, body: { reason: 'a\nb' } });
    expect(multiLine.status).toBe(400);
    // none of these did anything
    expect(m.kiosk.status().forcedOut).toBe(false);
  });
});

describe('stream', () => {
  it('refuses an upgrade without a valid token, and from a foreign origin', async () => {
    const statusOf = (protocols: string[], headers: Record<string, string> = {}) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${m.url.replace('http', 'ws')}/api/v1/stream`, protocols, { headers });
        ws.on('unexpected-response', (req, res) => {
          resolve(res.statusCode ?? 0);
          req.destroy();
        });
        ws.on('close', (code) => resolve(code));
        ws.on('error', () => undefined);
      });
    expect(await statusOf([])).toBe(401);
    expect(await statusOf(['bearer', generateToken().token])).toBe(401);
    expect(await statusOf(['bearer', m.tokens.expired])).toBe(401);
    expect(await statusOf(['bearer', m.tokens.operateOnly])).toBe(403);
    expect(await statusOf(['bearer', m.tokens.read], { origin: 'https://evil.example' })).toBe(1008);
  });

  it('sends alerts raised and cleared as they happen', async () => {
    const ws = new WebSocket(`${m.url.replace('http', 'ws')}/api/v1/stream`, { headers: { authorization: `Bearer ${m.tokens.read}` } });
    const got: Array<{ type: string; alert?: { id: string } }> = [];
    const waitFor = (pred: (x: (typeof got)[number]) => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => got.some(pred) && resolve();
        check();
        ws.on('message', check);
      });
    ws.on('message', (d) => got.push(JSON.parse(d.toString())));
    await waitFor((x) => x.type === 'hello');
    const raised = nextEvent(m.svc, (e) => e.type === 'alert.raised' && e.alert.id === 'printer.paper.out');
    sim(m.kiosk, { type: 'fault', device: 'printer', fault: 'paperOut' });
    await raised;
    await waitFor((x) => x.type === 'alert.raised' && x.alert?.id === 'printer.paper.out');
    sim(m.kiosk, { type: 'fault', device: 'printer', fault: 'none' });
    await waitFor((x) => x.type === 'alert.cleared' && x.alert?.id === 'printer.paper.out');
    ws.close();
  });
});
