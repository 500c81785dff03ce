/** startKiosk starts remote monitoring when the config enables it, stops it with the kiosk, and survives its failure. */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { sim, startTestKiosk, waitForScreen } from '../../support/kiosk-harness';
import { generateToken } from '../../../main/monitoring/tokens';
import type { Kiosk } from '../../../main/core/kiosk';

let kiosk: Kiosk | null = null;
afterEach(async () => {
  await kiosk?.stop();
  kiosk = null;
});

describe('kiosk start-up', () => {
  it('is off by default', async () => {
    kiosk = await startTestKiosk();
    expect(kiosk.monitoring).toBeNull();
  });

  it('serves the API when enabled, and stops it with the kiosk', async () => {
    const t = generateToken();
    kiosk = await startTestKiosk({ monitoring: { enabled: true, port: 0, tokens: [{ name: 'noc', sha256: t.sha256, scopes: ['read'], expiresAt: '2999-01-01T00:00:00Z' }] } });
    const url = kiosk.monitoring!.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await fetch(`${url}/api/v1/status`, { headers: { authorization: `Bearer ${t.token}` } });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { terminalId: string }).terminalId).toBe('ATM00001');
    await kiosk.stop();
    kiosk = null;
    await expect(fetch(`${url}/api/v1/status`)).rejects.toThrow();
  });

  it('a port already taken is journaled and the kiosk runs without monitoring', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      kiosk = await startTestKiosk({ monitoring: { enabled: true, port } });
      expect(kiosk.monitoring).toBeNull();
      const failed = kiosk.journal.query({ kind: 'monitoring.failed' });
      expect(failed).toHaveLength(1);
      expect(String(failed[0]!.data.error)).toContain('EADDRINUSE');
      await waitForScreen(kiosk, 'welcome'); // serving customers
    } finally {
      blocker.close();
    }
  });

  it('the alert history survives a restart of the kiosk', async () => {
    const t = generateToken();
    const cfg = { monitoring: { enabled: true, port: 0, tokens: [{ name: 'noc', sha256: t.sha256, scopes: ['read' as const], expiresAt: '2999-01-01T00:00:00Z' }] } };
    const first = await startTestKiosk(cfg);
    kiosk = first;
    await waitForScreen(first, 'welcome');
    const mon = first.monitoring!;
    const cleared = new Promise<void>((resolve) => mon.monitor.on((e) => e.type === 'alert.cleared' && e.alert.id === 'printer.paper.out' && resolve()));
    const raised = new Promise<void>((resolve) => mon.monitor.on((e) => e.type === 'alert.raised' && e.alert.id === 'printer.paper.out' && resolve()));
    sim(first, { type: 'fault', device: 'printer', fault: 'paperOut' });
    await raised;
    sim(first, { type: 'fault', device: 'printer', fault: 'none' });
    await cleared;
    await first.stop();
    kiosk = await startTestKiosk(cfg, {}, first.dataDir);
    const r = await fetch(`${kiosk.monitoring!.url}/api/v1/alerts`, { headers: { authorization: `Bearer ${t.token}` } });
    const body = (await r.json()) as { history: Array<{ id: string; severity: string; clearedAt: string }> };
    expect(body.history[0]).toMatchObject({ id: 'printer.paper.out', severity: 'critical' });
  });
});
