/**
 * Draws the customer display from a ScreenModel: title, message, PIN dots, amounts, and the options aligned
 * with the function keys beside the screen (fdk01-04 on the left, fdk05-08 on the right). Touching an
 * option sends the same intent as pressing its FDK.
 */
import type { AtmBridge, ScreenModel, ScreenOption } from '../main/common/contract';
import { h } from './dom';
import { translate } from './i18n/translate';

export function renderScreen(root: HTMLElement, m: ScreenModel, bridge: AtmBridge): void {
  const ctx = { lang: m.lang, locale: m.lang === 'zh' ? 'zh-CN' : m.locale, currency: m.currency };
  document.documentElement.lang = m.lang === 'zh' ? 'zh-CN' : m.lang;
  const t = (key?: string, params: Record<string, string | number> = m.params) => translate(key, params, ctx);
  root.dataset.screen = m.screen;
  root.dataset.seq = String(m.seq);
  const body = h('div', { class: 'screen-body' });
  body.append(h('h1', { class: 'title', 'data-testid': 'screen-title' }, t(m.title)));
  if (m.message) body.append(h('p', { class: 'message', 'data-testid': 'screen-message' }, t(m.message)));
  if (m.pinLength !== undefined) {
    const dots = h('div', { class: 'pin-dots', 'data-testid': 'pin-dots', 'aria-label': `${m.pinLength} digits entered` });
    for (let i = 0; i < Math.max(4, m.pinLength); i++) dots.append(h('span', { class: i < m.pinLength ? 'dot filled' : 'dot' }));
    body.append(dots);
  }
  if (m.amountEntry !== undefined) {
    const minor = Number(m.amountEntry || '0') * 100;
    body.append(h('div', { class: 'amount-entry', 'data-testid': 'amount-entry' }, translate('opt.amount', { amount: minor }, ctx)));
  }
  if (m.screen === 'balance') {
    body.append(
      h('dl', { class: 'balances' },
        h('dt', {}, t('label.available')), h('dd', { 'data-testid': 'balance-available' }, translate('opt.amount', { amount: Number(m.params.available ?? 0) }, ctx)),
        h('dt', {}, t('label.ledger')), h('dd', { 'data-testid': 'balance-ledger' }, translate('opt.amount', { amount: Number(m.params.ledger ?? 0) }, ctx)),
      ),
    );
  }
  if (m.qr) body.append(qrCanvas(m.qr));
  if (m.screen === 'takeCash' && m.params.amount) {
    body.append(h('p', { class: 'amount-big', 'data-testid': 'cash-amount' }, translate('opt.amount', { amount: Number(m.params.amount) }, ctx)));
  }
  const left = h('div', { class: 'options left' });
  const right = h('div', { class: 'options right' });
  const slot = (fdk: string) => m.options.find((o) => o.fdk === fdk);
  for (const fdk of ['fdk01', 'fdk02', 'fdk03', 'fdk04']) left.append(optionButton(slot(fdk), fdk, bridge, t));
  for (const fdk of ['fdk05', 'fdk06', 'fdk07', 'fdk08']) right.append(optionButton(slot(fdk), fdk, bridge, t));
  const countdown = h('div', { class: 'countdown', 'data-testid': 'countdown' });
  root.replaceChildren(left, body, right, countdown);
  if (m.timeoutAt) startCountdown(countdown, m.timeoutAt, m.seq, root, (s) => translate('label.secondsLeft', { seconds: s }, ctx));
}

function optionButton(o: ScreenOption | undefined, fdk: string, bridge: AtmBridge, t: (k?: string, p?: Record<string, string | number>) => string): HTMLElement {
  if (!o) return h('div', { class: 'option empty', 'data-fdk': fdk });
  const b = h('button', { class: 'option', 'data-fdk': fdk, 'data-option': o.id, 'data-testid': `option-${o.id}` }, t(o.label, o.params ?? {}));
  b.addEventListener('click', () => bridge.sendIntent({ type: 'select', option: o.id }));
  return b;
}

/** Draws the QR module matrix (computed by the core) with a quiet zone of 4 modules. */
function qrCanvas(qr: { payload: string; size: number; modules: string }): HTMLCanvasElement {
  const scale = 8;
  const quiet = 4;
  const px = (qr.size + quiet * 2) * scale;
  const c = h('canvas', { class: 'qr', width: String(px), height: String(px), 'data-testid': 'qr', 'data-payload': qr.payload, role: 'img', 'aria-label': 'QR code' });
  const g = c.getContext('2d');
  if (g) {
    g.fillStyle = '#fff';
    g.fillRect(0, 0, px, px);
    g.fillStyle = '#000';
    for (let y = 0; y < qr.size; y++)
      for (let x = 0; x < qr.size; x++) if (qr.modules[y * qr.size + x] === '1') g.fillRect((x + quiet) * scale, (y + quiet) * scale, scale, scale);
  }
  return c;
}

function startCountdown(el: HTMLElement, until: number, seq: number, root: HTMLElement, fmt: (s: number) => string): void {
  const tick = () => {
    if (root.dataset.seq !== String(seq)) return;
    const s = Math.max(0, Math.ceil((until - Date.now()) / 1000));
    el.textContent = s <= 15 ? fmt(s) : '';
    if (s > 0) setTimeout(tick, 500);
  };
  tick();
}
