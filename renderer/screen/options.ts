/**
 * The option columns beside the function keys: fdk01-04 on the left, fdk05-08 on the right, one row per key,
 * so every label sits level with its key. Each label carries its key number; touching it sends the same intent
 * as pressing the key.
 */
import type { Fdk, ScreenOption, UserIntent } from '../../main/common/contract';
import { h } from '../dom';
import type { Translate } from '../i18n/translate';

export const LEFT_FDKS: Fdk[] = ['fdk01', 'fdk02', 'fdk03', 'fdk04'];
export const RIGHT_FDKS: Fdk[] = ['fdk05', 'fdk06', 'fdk07', 'fdk08'];

/** Side and 1-based row of a function key ("the right key number 1"). */
export function fdkPosition(fdk: Fdk): { side: 'left' | 'right'; n: number } {
  const i = Number(fdk.slice(3)) - 1;
  return i < 4 ? { side: 'left', n: i + 1 } : { side: 'right', n: i - 3 };
}

export function optionColumns(options: ScreenOption[], t: Translate, send: (i: UserIntent) => void): [HTMLElement, HTMLElement] {
  const column = (side: 'left' | 'right', keys: Fdk[]) => {
    const col = h('div', { class: `options ${side}`, 'data-testid': `options-${side}` });
    for (const fdk of keys) col.append(optionButton(options.find((o) => o.fdk === fdk), fdk, t, send));
    return col;
  };
  return [column('left', LEFT_FDKS), column('right', RIGHT_FDKS)];
}

function optionButton(o: ScreenOption | undefined, fdk: Fdk, t: Translate, send: (i: UserIntent) => void): HTMLElement {
  if (!o) return h('div', { class: 'option empty', 'data-fdk': fdk, 'aria-hidden': 'true' });
  const label = t(o.label, o.params ?? {});
  const b = h('button', { class: 'option', type: 'button', 'data-fdk': fdk, 'data-option': o.id, 'data-testid': `option-${o.id}` },
    h('span', { class: 'option-label' }, label),
  );
  b.addEventListener('click', () => send({ type: 'select', option: o.id }));
  return b;
}
