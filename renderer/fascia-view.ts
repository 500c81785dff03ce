/**
 * The simulator fascia around the customer display: card slot with test cards, encrypting PIN pad with
 * function keys, FDKs beside the screen, cash slot, receipt slot, operator switch and fault injection.
 * Every control here acts on the simulated hardware (SimCommand), never on the state machine.
 */
import type { AtmBridge, FasciaModel, SimCommand } from '../main/common/contract';
import { PAD_KEYS } from '../main/common/contract';
import { h } from './dom';
import { formatMoney } from './i18n/translate';

type PadKey = (typeof PAD_KEYS)[number];

/** What the fascia tells the rest of the renderer: a key was pressed (speech stops; Help repeats). */
export interface FasciaHooks {
  currentQr(): string | null;
  onPadKey(key: PadKey): void;
}

export function mountFdks(leftCol: HTMLElement, rightCol: HTMLElement, bridge: AtmBridge, onKey: (key: PadKey) => void = () => {}): void {
  const sim = bridge.sim;
  if (!sim) return;
  for (const [col, keys] of [[leftCol, ['fdk01', 'fdk02', 'fdk03', 'fdk04']], [rightCol, ['fdk05', 'fdk06', 'fdk07', 'fdk08']]] as const) {
    for (const k of keys) {
      const b = h('button', { class: 'fdk', type: 'button', 'data-testid': k, 'aria-label': `function key ${k.slice(3)}` }, col === leftCol ? '▶' : '◀');
      b.addEventListener('click', () => {
        onKey(k);
        sim({ type: 'key', key: k });
      });
      col.append(b);
    }
  }
}

export function renderFascia(root: HTMLElement, m: FasciaModel, bridge: AtmBridge, hooks: FasciaHooks): void {
  const sim = bridge.sim;
  if (!sim) return;
  const cmd = (c: SimCommand) => () => sim(c);
  const select = h('select', { 'data-testid': 'card-select', 'aria-label': 'test card' });
  for (const c of m.cards) select.append(h('option', { value: c.id }, `${c.label} — ${c.maskedPan}`));
  const prev = root.querySelector<HTMLSelectElement>('[data-testid=card-select]')?.value;
  if (prev) select.value = prev;
  const insert = h('button', { 'data-testid': 'insert-card', disabled: m.cardSlot.state !== 'empty' }, 'Insert card');
  insert.addEventListener('click', () => sim({ type: 'insertCard', cardId: select.value }));
  const takeCard = h('button', { 'data-testid': 'take-card', disabled: m.cardSlot.state !== 'gate', class: m.cardSlot.state === 'gate' ? 'attention' : undefined }, 'Take card');
  takeCard.addEventListener('click', cmd({ type: 'takeCard' }));

  const cardSlot = h('section', { class: `slot card-slot ${m.lights.card ? 'lit' : ''}`, 'data-testid': 'card-slot', 'data-state': m.cardSlot.state },
    h('h2', {}, 'Card reader'),
    h('div', { class: 'slot-mouth' }, m.cardSlot.state === 'empty' ? '' : m.cardSlot.state === 'gate' ? 'card in the gate' : m.cardSlot.state === 'jammed' ? 'card jammed' : 'card inside'),
    select, insert, takeCard,
    h('small', {}, `retained: ${m.cardSlot.retained}`),
  );

  const pad = h('div', { class: 'pinpad', 'data-testid': 'pinpad', 'data-mode': m.pinpad.mode });
  const layout: Array<[PadKey, string, string]> = [
    ['1', '1', ''], ['2', '2', ''], ['3', '3', ''], ['cancel', 'Cancel', 'fn cancel'],
    ['4', '4', ''], ['5', '5', 'tactile'], ['6', '6', ''], ['clear', 'Clear', 'fn clear'],
    ['7', '7', ''], ['8', '8', ''], ['9', '9', ''], ['enter', 'Enter', 'fn enter'],
    ['help', 'Help', 'fn'], ['0', '0', ''], ['00', '00', ''], ['backspace', '⌫', 'fn'],
  ];
  for (const [key, label, cls] of layout) {
    const b = h('button', { class: `key ${cls}`, 'data-testid': `key-${key}` }, label);
    b.addEventListener('click', () => {
      hooks.onPadKey(key);
      sim({ type: 'key', key });
    });
    pad.append(b);
  }

  const cash = m.cashSlot;
  const takeCash = h('button', { 'data-testid': 'take-cash', disabled: !cash, class: cash ? 'attention' : undefined }, 'Take cash');
  takeCash.addEventListener('click', cmd({ type: 'takeCash' }));
  const cashSlot = h('section', { class: `slot cash-slot ${m.lights.cash ? 'lit' : ''}`, 'data-testid': 'cash-slot' },
    h('h2', {}, 'Cash'),
    h('div', { class: 'slot-mouth', 'data-testid': 'cash-notes' },
      cash ? cash.notes.map((n) => `${n.count} × ${formatMoney(n.denomination, m.currency, m.locale)}`).join(', ') + ` = ${formatMoney(cash.total, m.currency, m.locale)}` : ''),
    takeCash,
  );

  const takeReceipt = h('button', { 'data-testid': 'take-receipt', disabled: !m.receipt, class: m.receipt ? 'attention' : undefined }, 'Take receipt');
  takeReceipt.addEventListener('click', cmd({ type: 'takeReceipt' }));
  const receiptSlot = h('section', { class: `slot receipt-slot ${m.lights.receipt ? 'lit' : ''}`, 'data-testid': 'receipt-slot' },
    h('h2', {}, 'Receipt'),
    h('pre', { class: 'receipt', 'data-testid': 'receipt' }, m.receipt ? m.receipt.lines.join('\n') : ''),
    takeReceipt,
  );

  const opSwitch = h('button', { 'data-testid': 'operator-switch', 'aria-pressed': m.operatorSwitch === 'supervisor' ? 'true' : 'false' }, `Operator switch: ${m.operatorSwitch}`);
  opSwitch.addEventListener('click', cmd({ type: 'operatorSwitch', position: m.operatorSwitch === 'run' ? 'supervisor' : 'run' }));

  const faults = h('details', { class: 'faults' }, h('summary', {}, 'Fault injection'));
  const faultChoices: Record<'cardReader' | 'dispenser' | 'printer' | 'host', string[]> = {
    cardReader: ['none', 'readError', 'cardJam', 'offline', 'retainBinFull'],
    dispenser: ['none', 'offline', 'shutterJam', 'jamAfterNotes:1', 'rejectNotes:2'],
    printer: ['none', 'offline', 'paperOut', 'paperOutMidReceipt', 'jam'],
    host: ['none', 'drop', 'delay', 'garble', 'disconnect', 'issuerDown'],
  };
  for (const device of Object.keys(faultChoices) as Array<keyof typeof faultChoices>) {
    const s = h('select', { 'data-testid': `fault-${device}`, 'aria-label': `${device} fault` });
    for (const f of faultChoices[device]) s.append(h('option', { value: f }, f));
    s.value = m.faults[device];
    s.addEventListener('change', () => sim({ type: 'fault', device, fault: s.value }));
    faults.append(h('label', {}, `${device} `, s));
  }
  const wasOpen = root.querySelector('details.faults')?.hasAttribute('open');
  if (wasOpen) faults.setAttribute('open', '');

  // The customer's phone: a wallet that scans the QR on screen, and a banking app that issues codes.
  const walletCard = h('select', { 'data-testid': 'wallet-card', 'aria-label': 'wallet card' });
  for (const c of m.cards) walletCard.append(h('option', { value: c.id }, `${c.label.replace(/ \(PIN.*\)$/, '')} ${c.maskedPan.slice(-4)}`));
  const prevWallet = root.querySelector<HTMLSelectElement>('[data-testid=wallet-card]')?.value;
  if (prevWallet) walletCard.value = prevWallet;
  const scan = h('button', { 'data-testid': 'wallet-scan', disabled: !hooks.currentQr() }, 'Scan QR and confirm');
  scan.addEventListener('click', () => {
    const payload = hooks.currentQr();
    if (payload) sim({ type: 'walletConfirmQr', payload, cardId: walletCard.value });
  });
  const codeAmount = h('select', { 'data-testid': 'wallet-code-amount', 'aria-label': 'code amount' });
  for (const a of [2000, 4000, 10000]) codeAmount.append(h('option', { value: String(a) }, formatMoney(a, m.currency, m.locale)));
  const getCode = h('button', { 'data-testid': 'wallet-get-code' }, 'Get withdrawal code');
  getCode.addEventListener('click', () => sim({ type: 'walletIssueCode', cardId: walletCard.value, amount: Number(codeAmount.value) }));
  const phone = h('section', { class: 'slot phone', 'data-testid': 'phone' },
    h('h2', {}, 'Phone (simulated wallet)'),
    walletCard, scan, codeAmount, getCode,
    h('div', { class: 'slot-mouth phone-screen', 'data-testid': 'phone-screen' },
      m.phone.message ? h('div', { 'data-testid': 'phone-message' }, m.phone.message) : null,
      m.phone.code ? h('div', { class: 'phone-code', 'data-testid': 'phone-code', 'aria-label': 'one-time withdrawal code' }, m.phone.code) : null,
    ),
  );
  const headphone = h('button', { 'data-testid': 'headphone-jack', 'aria-pressed': m.headphone ? 'true' : 'false', class: m.headphone ? 'attention' : undefined },
    m.headphone ? 'Unplug headphones' : 'Plug headphones');
  headphone.addEventListener('click', () => sim({ type: 'headphone', present: !m.headphone }));

  const cassettes = h('ul', { class: 'cassettes', 'data-testid': 'cassettes' });
  for (const c of m.cassettes) cassettes.append(h('li', { 'data-unit': c.id }, `${c.id} ${formatMoney(c.denomination, m.currency, m.locale)}: ${c.count} (${c.state})`));

  root.replaceChildren(
    cardSlot,
    h('section', { class: 'slot pad-slot' }, h('h2', {}, 'Encrypting PIN pad'), pad),
    cashSlot,
    receiptSlot,
    phone,
    h('section', { class: 'slot service' }, h('h2', {}, 'Service'), opSwitch, headphone, cassettes, faults),
  );
}
