/**
 * What audio guidance says for a screen (ADA 2010 section 707.5 speech output): title, message, the screen's
 * figures (amounts, balances), then every option with its key position ("Press the right key number 1 for
 * Cash withdrawal") and how to repeat. Pure, so it is unit-tested. Never speaks PIN digits (the model has
 * none; PIN entry gets tones instead) and redacts anything that looks like a card number.
 */
import type { ScreenModel } from '../../main/common/contract';
import type { LocaleContext } from '../i18n/locale';
import { minorPerMajor, translate } from '../i18n/translate';
import { fdkPosition } from '../screen/options';

/** 8+ digits, possibly masked with '*' or grouped with spaces/dashes: a PAN or part of one. */
const CARD_NUMBER = /[0-9*](?:[ -]?[0-9*]){7,}/g;

export function redact(text: string): string {
  return text.replace(CARD_NUMBER, '…');
}

export function announcement(m: ScreenModel, ctx: LocaleContext): string[] {
  const t = (key: string | undefined, params: Record<string, string | number> = m.params) => translate(key, params, ctx);
  const lines: string[] = [];
  if (m.title) lines.push(t(m.title));
  if (m.message) lines.push(t(m.message));
  if (m.pinLength !== undefined) lines.push(t('audio.pinTones'));
  if (m.amountEntry !== undefined && m.amountEntry !== '') lines.push(enteredAmount(m, ctx));
  if (m.screen === 'balance') lines.push(t('audio.balances', { available: Number(m.params.available ?? 0), ledger: Number(m.params.ledger ?? 0) }));
  if ((m.screen === 'takeCash' || m.screen === 'denomination') && m.params.amount) lines.push(t('audio.cashAmount', { amount: Number(m.params.amount) }));
  for (const o of m.options) {
    if (!o.fdk) continue;
    const pos = fdkPosition(o.fdk);
    lines.push(t(pos.side === 'left' ? 'audio.optionLeft' : 'audio.optionRight', { n: pos.n, label: t(o.label, o.params ?? {}) }));
  }
  lines.push(t('audio.help', {}));
  return lines.filter((l) => l.trim() !== '').map(redact);
}

export function enteredAmount(m: ScreenModel, ctx: LocaleContext): string {
  const minor = Number(m.amountEntry || '0') * minorPerMajor(ctx.currency);
  return redact(translate('audio.enteredAmount', { amount: minor }, ctx));
}
