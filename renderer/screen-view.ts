/**
 * Draws the customer display from a ScreenModel: step indicator and title on top, the screen's content in the
 * middle, the options in two columns level with the function keys beside the screen (fdk01-04 left, fdk05-08
 * right), the timeout countdown at the bottom. Touching an option sends the same intent as pressing its FDK.
 */
import type { ScreenModel, UserIntent } from '../main/common/contract';
import { h } from './dom';
import { localeContext } from './i18n/locale';
import { translator } from './i18n/translate';
import { bodyParts } from './screen/body-parts';
import { startCountdown } from './screen/countdown';
import { optionColumns } from './screen/options';
import { stepIndicator } from './screen/step-indicator';

export interface ScreenHooks {
  send(intent: UserIntent): void;
  /** Ten seconds before the screen times out (audio mode speaks it). */
  onTimeWarning?(seconds: number, m: ScreenModel): void;
}

export function renderScreen(root: HTMLElement, m: ScreenModel, hooks: ScreenHooks): void {
  const ctx = localeContext(m);
  const t = translator(ctx, m.params);
  document.documentElement.lang = ctx.lang === 'zh' ? 'zh-CN' : ctx.lang;
  root.dataset.screen = m.screen;
  root.dataset.seq = String(m.seq);
  root.dataset.lang = m.lang;

  const head = h('header', { class: 'screen-head' }, stepIndicator(m, t), h('h1', { class: 'title', 'data-testid': 'screen-title' }, t(m.title)));
  const side = (keys: string[]) => !m.options.some((o) => o.fdk && keys.includes(o.fdk));
  const cls = ['screen-body', m.table ? 'has-table' : '', side(['fdk01', 'fdk02', 'fdk03', 'fdk04']) ? 'wide-left' : '', side(['fdk05', 'fdk06', 'fdk07', 'fdk08']) ? 'wide-right' : ''];
  const body = h('div', { class: cls.filter(Boolean).join(' '), 'data-testid': 'screen-body' }, ...bodyParts(m, t, ctx));
  const [left, right] = optionColumns(m.options, t, hooks.send);
  const countdown = h('div', { class: 'countdown', 'data-testid': 'countdown', 'aria-live': 'off' });
  root.replaceChildren(head, left, body, right, h('footer', { class: 'screen-foot' }, countdown));
  if (m.timeoutAt) {
    startCountdown(countdown, m.timeoutAt, () => root.dataset.seq === String(m.seq), (s) => t('label.secondsLeft', { seconds: s }), (s) => hooks.onTimeWarning?.(s, m));
  }
}
