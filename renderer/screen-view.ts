/**
 * Draws the customer display from a ScreenModel: title, message, PIN dots, amounts, and the options aligned
 * with the function keys beside the screen (fdk01-04 on the left, fdk05-08 on the right). Touching an
 * option sends the same intent as pressing its FDK.
 */
import type { AtmBridge, ScreenModel, ScreenOption } from '../main/common/contract';
import { h } from './dom';
import { translate } from './i18n/translate';

export function renderScreen(root: HTMLElement, m: ScreenModel, bridge: AtmBridge, lang: string): void {
  const ctx = { lang, locale: m.locale, currency: m.currency };
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

function startCountdown(el: HTMLElement, until: number, seq: number, root: HTMLElement, fmt: (s: number) => string): void {
  const tick = () => {
    if (root.dataset.seq !== String(seq)) return;
    const s = Math.max(0, Math.ceil((until - Date.now()) / 1000));
    el.textContent = s <= 15 ? fmt(s) : '';
    if (s > 0) setTimeout(tick, 500);
  };
  tick();
}
