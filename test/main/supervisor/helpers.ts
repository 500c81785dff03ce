/**
 * Drives the branch-staff panel of a real test kiosk the way staff do: the operator switch and the PIN pad on
 * the simulator fascia, options by FDK/touch. Every wait is on a published ScreenModel (no sleeps).
 */
import type { Kiosk } from '../../../main/core/kiosk';
import type { ScreenModel } from '../../../main/common/contract';
import { select, sim, waitForScreen } from '../../support/kiosk-harness';

export type K = Kiosk & { dataDir: string };

/** The current screen offers an input with this label (the PIN pad is taking it). */
export function inputReady(k: K, label: string, pred: (m: ScreenModel) => boolean = () => true): Promise<ScreenModel> {
  return waitFor(k, (m) => m.input?.label === label && m.input.value === '' && pred(m), `input ${label}`);
}

export function waitFor(k: K, pred: (m: ScreenModel) => boolean, what: string, timeoutMs = 5000): Promise<ScreenModel> {
  return new Promise((resolve, reject) => {
    if (pred(k.ui.screen())) return resolve(k.ui.screen());
    const t = setTimeout(() => {
      off();
      const m = k.ui.screen();
      reject(new Error(`timed out waiting for ${what}; on ${m.screen} ${m.title ?? ''} ${m.message ?? ''} input=${m.input?.label ?? '-'}`));
    }, timeoutMs);
    const off = k.ui.onScreen((m) => {
      if (pred(m)) {
        clearTimeout(t);
        off();
        resolve(m);
      }
    });
  });
}

/** Types digits on the PIN pad and presses Enter. */
export function type(k: K, digits: string): void {
  for (const d of digits) sim(k, { type: 'key', key: d as '0' });
  sim(k, { type: 'key', key: 'enter' });
}

/** Types into the input labelled `label` once it is ready. */
export async function enter(k: K, label: string, digits: string): Promise<void> {
  await inputReady(k, label);
  type(k, digits);
}

export async function toSupervisor(k: K): Promise<void> {
  await waitForScreen(k, 'welcome');
  sim(k, { type: 'operatorSwitch', position: 'supervisor' });
  await inputReady(k, 'sup.operatorId', (m) => m.screen === 'supervisorLogin');
}

/** Logs in from the login screen; answers a forced password change with `newPassword`. Ends on the menu. */
export async function login(k: K, id: string, password: string, newPassword?: string): Promise<ScreenModel> {
  await enter(k, 'sup.operatorId', id);
  await enter(k, 'sup.password', password);
  if (newPassword) {
    await enter(k, 'sup.newPassword', newPassword);
    await enter(k, 'sup.confirmPassword', newPassword);
  }
  return waitFor(k, (m) => m.screen === 'supervisorMenu' && m.options.length > 0, 'menu');
}

export async function logout(k: K): Promise<void> {
  for (let i = 0; i < 4; i++) {
    const m = await waitFor(k, (s) => s.options.some((o) => o.id === 'back' || o.id === 'logout'), 'back or logout');
    if (m.options.some((o) => o.id === 'logout')) break;
    select(k, 'back');
    await waitFor(k, (s) => s.seq !== m.seq, 'next screen');
  }
  select(k, 'logout');
  await inputReady(k, 'sup.operatorId');
}

/** Selects an option once the current screen offers it. */
export async function choose(k: K, option: string): Promise<ScreenModel> {
  const m = await waitFor(k, (s) => s.options.some((o) => o.id === option), `option ${option}`);
  select(k, option);
  return m;
}

/** Admin: adds an operator with a one-time password. Leaves the admin on the operators screen. */
export async function addOperator(k: K, id: string, role: 'custodian' | 'technician' | 'admin', oneTime: string): Promise<void> {
  await choose(k, 'add');
  await enter(k, 'sup.operatorId', id);
  await choose(k, `role:${role}`);
  await enter(k, 'sup.newPassword', oneTime);
  await enter(k, 'sup.confirmPassword', oneTime);
  await waitFor(k, (m) => m.message === 'sup.operatorUpdated' && m.params.operator === id, `operator ${id} added`);
}
