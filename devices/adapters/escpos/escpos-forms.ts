/**
 * Receipt printer form templates for the ESC/POS adapter (XFS4IoT Printer.PrintForm): receipt, journal and
 * totals. A template line is `[{center|right}][{double}]text with ${field}`; a missing field is a fieldError,
 * except on a line whose only field is missing (optional line, dropped). A `${field}` value with newlines expands
 * to several lines. Values that look like a full card number are refused: only masked PANs may be printed.
 */
import { FormError } from '../../printer/forms';
import type { Align, ReceiptLine } from './escpos-commands';

export const ESCPOS_FORMS: Readonly<Record<string, readonly string[]>> = {
  receipt: [
    '{center}{double}${bank}',
    '{center}${location}',
    '',
    'DATE ${date}      TIME ${time}',
    'TERMINAL ${terminal}   TXN ${txn}',
    'CARD ${maskedPan}',
    '',
    '${transaction}',
    '{double}AMOUNT ${amount}',
    'AVAILABLE BALANCE ${balance}',
    'AUTH ${authCode}   RRN ${rrn}',
    '',
    '{center}${message}',
    '{center}THANK YOU',
  ],
  journal: ['${date} ${time} T${terminal} #${txn}', '${event}', '${detail}', '--------'],
  totals: ['{center}{double}CASSETTE TOTALS', 'DATE ${date}  TIME ${time}', 'TERMINAL ${terminal}', '', '${body}', '', '{center}END OF TOTALS'],
};

const FIELD = /\$\{(\w+)\}/g;

export function renderEscPosForm(form: string, fields: Record<string, string>, width = 42): ReceiptLine[] {
  const tpl = Object.prototype.hasOwnProperty.call(ESCPOS_FORMS, form) ? ESCPOS_FORMS[form] : undefined;
  if (!tpl) throw new FormError('formNotFound', `form "${form}" not found`);
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string' && looksLikeClearPan(value)) throw new FormError('fieldError', `field "${name}" looks like an unmasked card number`);
  }
  const out: ReceiptLine[] = [];
  for (const raw of tpl) {
    let text = raw;
    let alignTo: Align = 'left';
    let double = false;
    for (;;) {
      if (text.startsWith('{center}')) {
        alignTo = 'center';
        text = text.slice(8);
      } else if (text.startsWith('{right}')) {
        alignTo = 'right';
        text = text.slice(7);
      } else if (text.startsWith('{double}')) {
        double = true;
        text = text.slice(8);
      } else break;
    }
    const names = [...text.matchAll(FIELD)].map((m) => m[1]!);
    const missing = names.find((n) => fields[n] === undefined);
    if (missing !== undefined) {
      if (names.length === 1) continue;
      throw new FormError('fieldError', `form "${form}" needs field "${missing}"`);
    }
    const rendered = text.replace(FIELD, (_, n: string) => fields[n] ?? '');
    const lineWidth = double ? Math.floor(width / 2) : width;
    for (const part of rendered.split('\n')) {
      for (const chunk of wrap(part, lineWidth)) {
        out.push({ text: chunk, align: alignTo, ...(double ? { size: { width: 2, height: 2 } } : {}) });
      }
    }
  }
  return out;
}

function wrap(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += width) parts.push(text.slice(i, i + width));
  return parts;
}

/** 13-19 consecutive digits passing Luhn: a clear PAN must never reach paper. */
export function looksLikeClearPan(value: string): boolean {
  for (const m of value.matchAll(/\d{13,19}/g)) if (luhn(m[0])) return true;
  return false;
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1 && (d *= 2) > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}
