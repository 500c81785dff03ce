/**
 * Progress through a cash withdrawal: card, PIN, amount, cash. Derived from the screen (and, for the card
 * return before cash, its message), so the core does not have to send it.
 */
import type { ScreenModel } from '../../main/common/contract';
import { h } from '../dom';
import type { Translate } from '../i18n/translate';

export const WITHDRAWAL_STEPS = ['card', 'pin', 'amount', 'cash'] as const;
export type WithdrawalStep = (typeof WITHDRAWAL_STEPS)[number];

export function stepOf(m: Pick<ScreenModel, 'screen' | 'title' | 'message'>): WithdrawalStep | null {
  switch (m.screen) {
    case 'welcome':
    case 'readingCard':
      return 'card';
    case 'enterPin':
      return m.title === 'screen.enterPin' ? 'pin' : null;
    case 'menu':
    case 'amount':
    case 'otherAmount':
    case 'denomination':
    case 'receiptQuestion':
      return 'amount';
    case 'dispensing':
    case 'takeCash':
      return 'cash';
    case 'takeCard':
      return m.message === 'msg.cashFollows' ? 'cash' : null;
    default:
      return null;
  }
}

export function stepIndicator(m: ScreenModel, t: Translate): HTMLElement | null {
  const step = stepOf(m);
  if (!step) return null;
  const current = WITHDRAWAL_STEPS.indexOf(step);
  const list = h('ol', {
    class: 'steps',
    'data-testid': 'steps',
    'data-step': step,
    'aria-label': t('step.progress', { n: current + 1, total: WITHDRAWAL_STEPS.length, name: t(`step.${step}`) }),
  });
  WITHDRAWAL_STEPS.forEach((s, i) => {
    const state = i < current ? 'done' : i === current ? 'current' : 'todo';
    list.append(
      h('li', { class: `step ${state}`, 'aria-current': i === current ? 'step' : undefined },
        h('span', { class: 'step-no', 'aria-hidden': 'true' }, i < current ? '✓' : String(i + 1)),
        h('span', { class: 'step-name' }, t(`step.${s}`)),
      ),
    );
  });
  return list;
}
