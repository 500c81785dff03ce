/**
 * The middle of the customer display, per screen: message, PIN dots, the amount being typed, balances, the
 * cash amount, the QR code, supervisor table and input. Amounts are formatted with Intl for the configured
 * currency in the session language's locale.
 */
import type { ScreenModel } from '../../main/common/contract';
import { h } from '../dom';
import type { LocaleContext } from '../i18n/locale';
import { formatMoney, minorPerMajor, type Translate } from '../i18n/translate';
import { dataTable, inputField } from './data-table';
import { qrCanvas } from './qr-canvas';

export function bodyParts(m: ScreenModel, t: Translate, ctx: LocaleContext): HTMLElement[] {
  const out: HTMLElement[] = [];
  const money = (minor: number) => formatMoney(minor, ctx.currency, ctx.locale);
  if (m.message) out.push(h('p', { class: 'message', 'data-testid': 'screen-message' }, t(m.message)));
  if (m.pinLength !== undefined) out.push(pinDots(m.pinLength, m.screen === 'codeEntry' ? 8 : 4, t));
  if (m.amountEntry !== undefined) {
    const minor = Number(m.amountEntry || '0') * minorPerMajor(ctx.currency);
    out.push(h('div', { class: 'amount-entry', 'data-testid': 'amount-entry', 'aria-label': t('label.enteredAmount', {}) }, money(minor)));
  }
  if (m.screen === 'balance') {
    out.push(
      h('dl', { class: 'balances' },
        h('dt', {}, t('label.available')), h('dd', { 'data-testid': 'balance-available' }, money(Number(m.params.available ?? 0))),
        h('dt', {}, t('label.ledger')), h('dd', { 'data-testid': 'balance-ledger' }, money(Number(m.params.ledger ?? 0))),
      ),
    );
  }
  if ((m.screen === 'takeCash' || m.screen === 'denomination') && m.params.amount) {
    out.push(h('p', { class: 'amount-big', 'data-testid': 'cash-amount' }, money(Number(m.params.amount))));
  }
  if (m.qr) out.push(h('div', { class: 'qr-frame' }, qrCanvas(m.qr, t('label.qr', {}))));
  if (m.input) out.push(inputField(m.input, t));
  if (m.table) out.push(dataTable(m.table, t));
  return out;
}

function pinDots(length: number, min: number, t: Translate): HTMLElement {
  const dots = h('div', { class: 'pin-dots', 'data-testid': 'pin-dots', role: 'img', 'aria-label': t('label.digitsEntered', { count: length }) });
  for (let i = 0; i < Math.max(min, length); i++) dots.append(h('span', { class: i < length ? 'dot filled' : 'dot' }));
  return dots;
}
