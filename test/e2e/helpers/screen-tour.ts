/**
 * Drives a real kiosk (simulated devices, embedded host, SQLite) through every customer flow with the test
 * harness and records the ScreenModels the core publishes, so each screen can be drawn and screenshotted in
 * the real renderer. Each language gets its own kiosk (the first configured language is the session default).
 */
import type { Kiosk } from '../../../main/core/kiosk';
import type { ScreenId, ScreenModel, SimCommand } from '../../../main/common/contract';
import { card, select, sim, startTestKiosk, waitForScreen } from '../../support/kiosk-harness';

type TestKiosk = Awaited<ReturnType<typeof startTestKiosk>>;

export class ScreenRecorder {
  readonly first = new Map<ScreenId, ScreenModel>();
  private readonly offs: Array<() => void> = [];

  watch(k: Kiosk): void {
    const keep = (m: ScreenModel) => {
      if (!this.first.has(m.screen)) this.first.set(m.screen, structuredClone(m));
    };
    keep(k.ui.screen());
    this.offs.push(k.ui.onScreen(keep));
  }

  stop(): void {
    for (const off of this.offs) off();
  }
}

/** The current or a later screen, published after `afterSeq`, that satisfies `pred`. */
export function next(k: Kiosk, pred: (m: ScreenModel) => boolean, afterSeq = -1, timeoutMs = 5000): Promise<ScreenModel> {
  return new Promise((resolve, reject) => {
    const now = k.ui.screen();
    if (now.seq > afterSeq && pred(now)) return resolve(now);
    const t = setTimeout(() => {
      off();
      reject(new Error(`timed out; on ${k.ui.screen().screen} (${k.ui.screen().title ?? ''} ${k.ui.screen().message ?? ''})`));
    }, timeoutMs);
    const off = k.ui.onScreen((m) => {
      if (m.seq > afterSeq && pred(m)) {
        clearTimeout(t);
        off();
        resolve(m);
      }
    });
  });
}

export async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const keys = (k: Kiosk, digits: string) => {
  for (const d of digits) sim(k, { type: 'key', key: d as '0' });
};

async function pin(k: Kiosk, cardId: string, pinDigits: string): Promise<void> {
  await waitForScreen(k, 'welcome');
  sim(k, { type: 'insertCard', cardId });
  await waitForScreen(k, 'enterPin');
  keys(k, pinDigits);
  sim(k, { type: 'key', key: 'enter' });
}

/** Takes whatever the kiosk gives back (card, cash, receipt) until it is on the welcome screen again. */
export async function takeAll(k: Kiosk, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (k.ui.screen().screen !== 'welcome') {
    if (Date.now() > end) throw new Error(`not back to welcome; on ${k.ui.screen().screen}`);
    const f = k.ui.fascia()!;
    const cmd: SimCommand | null = f.cardSlot.state === 'gate' ? { type: 'takeCard' } : f.cashSlot ? { type: 'takeCash' } : f.receipt ? { type: 'takeReceipt' } : null;
    if (cmd) sim(k, cmd);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const firstFast = (m: ScreenModel) => m.options.find((o) => o.id.startsWith('fast:'))!.id;

export async function tourCustomerFlows(k: TestKiosk): Promise<void> {
  const visa = card('visa-debit');
  // Withdrawal of another amount with a note choice and a receipt.
  await pin(k, visa.id, visa.pin);
  await waitForScreen(k, 'menu');
  select(k, 'withdrawal');
  await waitForScreen(k, 'amount');
  select(k, 'other');
  await waitForScreen(k, 'otherAmount');
  keys(k, '100');
  await waitForScreen(k, 'otherAmount', 5000, (m) => m.amountEntry === '100');
  sim(k, { type: 'key', key: 'enter' });
  const afterAmount = await next(k, (m) => m.screen === 'denomination' || m.screen === 'receiptQuestion');
  if (afterAmount.screen === 'denomination') {
    select(k, 'mix:auto');
    await waitForScreen(k, 'receiptQuestion');
  }
  select(k, 'receiptYes');
  await takeAll(k);

  // Balance.
  const mc = card('mc-debit');
  await pin(k, mc.id, mc.pin);
  await waitForScreen(k, 'menu');
  select(k, 'balance');
  await waitForScreen(k, 'balance');
  select(k, 'done');
  await takeAll(k);

  // Transfer from savings to checking, with a receipt.
  await pin(k, visa.id, visa.pin);
  await waitForScreen(k, 'menu');
  select(k, 'transfer');
  await waitForScreen(k, 'transferAccounts');
  select(k, 'xfer:savings:checking');
  await waitForScreen(k, 'transferAmount');
  keys(k, '125');
  await waitForScreen(k, 'transferAmount', 5000, (m) => m.amountEntry === '125');
  sim(k, { type: 'key', key: 'enter' });
  await waitForScreen(k, 'transferConfirm', 5000, (m) => m.params.amount === 12500);
  select(k, 'confirm');
  await waitForScreen(k, 'transferDone');
  select(k, 'printReceipt');
  await takeAll(k);

  // Wrong PIN (checked by the host with the first transaction), then give up.
  await pin(k, visa.id, '9999');
  await waitForScreen(k, 'menu');
  select(k, 'balance');
  await waitForScreen(k, 'declined', 5000, (m) => m.message === 'msg.wrongPin');
  select(k, 'cancel');
  await takeAll(k);

  // PIN change.
  await pin(k, mc.id, mc.pin);
  await waitForScreen(k, 'menu');
  select(k, 'pinChange');
  let seen = -1;
  for (let i = 0; i < 4; i++) {
    const m = await next(k, (s) => ['enterPin', 'pinChanged', 'declined'].includes(s.screen) && (s.screen !== 'enterPin' || s.pinLength === 0), seen);
    seen = m.seq;
    if (m.screen !== 'enterPin') break;
    keys(k, m.title === 'screen.enterPin' ? mc.pin : '2468');
    sim(k, { type: 'key', key: 'enter' });
  }
  await waitForScreen(k, 'pinChanged');
  select(k, 'done');
  await takeAll(k);

  // A chip card with two applications: the customer chooses.
  const up = card('unionpay-debit');
  await pin(k, up.id, up.pin);
  await waitForScreen(k, 'menu');
  select(k, 'withdrawal');
  const amount = await waitForScreen(k, 'amount');
  select(k, firstFast(amount));
  const q = await next(k, (m) => m.screen === 'denomination' || m.screen === 'receiptQuestion');
  if (q.screen === 'denomination') {
    select(k, 'mix:auto');
    await waitForScreen(k, 'receiptQuestion');
  }
  select(k, 'receiptNo');
  const app = await waitForScreen(k, 'chooseApplication');
  select(k, app.options[0]!.id);
  await takeAll(k);

  // Stolen card: captured.
  const stolen = card('stolen');
  await pin(k, stolen.id, stolen.pin);
  await waitForScreen(k, 'menu');
  select(k, 'withdrawal');
  select(k, firstFast(await waitForScreen(k, 'amount')));
  const q2 = await next(k, (m) => m.screen === 'denomination' || m.screen === 'receiptQuestion');
  if (q2.screen === 'denomination') {
    select(k, 'mix:auto');
    await waitForScreen(k, 'receiptQuestion');
  }
  select(k, 'receiptNo');
  await waitForScreen(k, 'cardRetained');
  await waitForScreen(k, 'welcome');

  // Cardless QR (shown, then canceled) and a one-time code that is not valid.
  select(k, 'cardless');
  select(k, firstFast(await waitForScreen(k, 'amount')));
  await waitForScreen(k, 'showQr');
  // (Until the host side of cardless answers "pending", the kiosk may already have left the QR screen.)
  if (k.ui.screen().screen === 'showQr') select(k, 'cancel');
  await waitForScreen(k, 'welcome');
  select(k, 'code');
  await waitForScreen(k, 'codeEntry');
  keys(k, '123');
  sim(k, { type: 'key', key: 'enter' });
  await waitForScreen(k, 'declined', 5000, (m) => m.message === 'msg.codeRejected');
  await waitForScreen(k, 'welcome');

  // Branch staff: the operator switch.
  sim(k, { type: 'operatorSwitch', position: 'supervisor' });
  await next(k, (m) => m.screen.startsWith('supervisor'));
  sim(k, { type: 'operatorSwitch', position: 'run' });
  await waitForScreen(k, 'welcome');
}

/** Timeouts: the "more time" prompt, then cash not taken (retracted). Needs a kiosk with short timers. */
export async function tourTimeouts(k: TestKiosk): Promise<void> {
  const visa = card('visa-debit');
  await pin(k, visa.id, visa.pin);
  await waitForScreen(k, 'menu');
  await waitForScreen(k, 'moreTime', 5000);
  select(k, 'yes');
  await waitForScreen(k, 'menu');
  select(k, 'withdrawal');
  select(k, firstFast(await waitForScreen(k, 'amount')));
  const q = await next(k, (m) => m.screen === 'denomination' || m.screen === 'receiptQuestion');
  if (q.screen === 'denomination') select(k, 'mix:auto');
  await waitForScreen(k, 'receiptQuestion');
  select(k, 'receiptNo');
  await waitForScreen(k, 'takeCard');
  await until(() => k.ui.fascia()!.cardSlot.state === 'gate');
  sim(k, { type: 'takeCard' });
  await waitForScreen(k, 'cashRetracted', 8000);
  await waitForScreen(k, 'welcome', 8000);
}
