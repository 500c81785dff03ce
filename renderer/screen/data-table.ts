/**
 * Generic supervisor parts: the `table` (cash units, device status, journal, totals) and the `input` field
 * typed on the PIN pad. Column headers and the input label may be catalogue keys (translated) or plain text;
 * a cell is plain text or a catalogue reference (a state, a role), translated. All text goes through textContent.
 */
import type { ScreenModel } from '../../main/common/contract';
import { h } from '../dom';
import type { Translate } from '../i18n/translate';

export function dataTable(table: NonNullable<ScreenModel['table']>, t: Translate): HTMLElement {
  const head = h('tr', {});
  for (const c of table.columns) head.append(h('th', { scope: 'col' }, t(c, {})));
  const body = h('tbody', {});
  for (const row of table.rows) {
    const tr = h('tr', {});
    row.forEach((cell, i) => {
      const text = typeof cell === 'string' ? cell : t(cell.key, cell.params ?? {});
      tr.append(i === 0 ? h('th', { scope: 'row' }, text) : h('td', {}, text));
    });
    body.append(tr);
  }
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data-table', 'data-testid': 'data-table' }, h('thead', {}, head), body));
}

export function inputField(input: NonNullable<ScreenModel['input']>, t: Translate): HTMLElement {
  const shown = input.masked ? '•'.repeat(input.value.length) : input.value;
  return h('div', { class: 'input-field', 'data-testid': 'input-field' },
    h('div', { class: 'input-label' }, t(input.label, {})),
    h('div', { class: `input-value${input.masked ? ' masked' : ''}`, 'data-testid': 'input-value', 'aria-live': 'polite' }, shown || '\u00a0'),
  );
}
