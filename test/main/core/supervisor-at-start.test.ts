/**
 * The operator switch turned while the kiosk is still starting (or already on at start): the ATM enters supervisor
 * mode once start-up ends, instead of retrying start-up out of service forever; back in service when switched off.
 */
import { afterEach, expect, it } from 'vitest';
import type { Kiosk } from '../../../main/core/kiosk';
import { sim, startTestKiosk, waitForScreen } from '../../support/kiosk-harness';

let kiosk: (Kiosk & { dataDir: string }) | null = null;
afterEach(async () => {
  await kiosk?.stop();
  kiosk = null;
});

it('enters supervisor mode when the switch was turned during start-up', async () => {
  kiosk = await startTestKiosk({}, { outOfServiceRetryMs: 60_000 });
  const k = kiosk;
  expect(k.actor.getSnapshot().matches('starting')).toBe(true);
  sim(k, { type: 'operatorSwitch', position: 'supervisor' });
  await waitForScreen(k, 'supervisorLogin', 5000);
  expect(k.actor.getSnapshot().matches('supervisor')).toBe(true);
  sim(k, { type: 'operatorSwitch', position: 'run' });
  await waitForScreen(k, 'welcome', 5000);
});
