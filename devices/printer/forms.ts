/**
 * Receipt/journal form templates (XFS4IoT Printer.PrintForm). A form is a list of lines with ${field}
 * placeholders; unknown fields are an error (fieldError), never a silently blank receipt.
 */
export const RECEIPT_WIDTH = 40;

export const FORMS: Record<string, string[]> = {
  receipt: [
    '{center}${bank}',
    '{center}${location}',
    '',
    'DATE ${date}      TIME ${time}',
    'TERMINAL ${terminal}   TXN ${txn}',
    'CARD ${maskedPan}',
    '',
    '${transaction}',
    'AMOUNT ${amount}',
    'AVAILABLE BALANCE ${balance}',
    'AUTH ${authCode}   RRN ${rrn}',
    '',
    '{center}${message}',
    '{center}THANK YOU',
  ],
  balance: [
    '{center}${bank}',
    'DATE ${date}      TIME ${time}',
    'TERMINAL ${terminal}   TXN ${txn}',
    'CARD ${maskedPan}',
    '',
    'LEDGER BALANCE ${ledger}',
    'AVAILABLE BALANCE ${balance}',
    '',
    '{center}THANK YOU',
  ],
  statement: [
    '{center}${bank}',
    '{center}MINI STATEMENT',
    'DATE ${date}      TIME ${time}',
    'TERMINAL ${terminal}   TXN ${txn}',
    'CARD ${maskedPan}',
    '',
    '${body}',
    '',
    'AVAILABLE BALANCE ${balance}',
    '{center}THANK YOU',
  ],
  totals: ['{center}CASSETTE TOTALS', 'DATE ${date}  TIME ${time}', 'TERMINAL ${terminal}', '', '${body}'],
};

export class FormError extends Error {
  constructor(
    readonly code: 'formNotFound' | 'fieldError',
    message: string,
  ) {
    super(message);
  }
}

export function renderForm(form: string, fields: Record<string, string>): string[] {
  const tpl = Object.prototype.hasOwnProperty.call(FORMS, form) ? FORMS[form] : undefined;
  if (!tpl) throw new FormError('formNotFound', `form "${form}" not found`);
  const out: string[] = [];
  for (const line of tpl) {
    let center = false;
    let text = line;
    if (text.startsWith('{center}')) {
      center = true;
      text = text.slice('{center}'.length);
    }
    let missing: string | null = null;
    text = text.replace(/\$\{(\w+)\}/g, (_, name: string) => {
      const v = fields[name];
      if (v === undefined) {
        missing = name;
        return '';
      }
      return v;
    });
    if (missing !== null) {
      // Optional lines: a line whose only field is absent is dropped (e.g. no balance on a withdrawal receipt).
      const onlyField = (line.match(/\$\{\w+\}/g) ?? []).length === 1;
      if (onlyField) continue;
      throw new FormError('fieldError', `form "${form}" needs field "${missing}"`);
    }
    for (const part of text.split('\n')) for (const chunk of wrap(part, RECEIPT_WIDTH)) out.push(center ? centerText(chunk, RECEIPT_WIDTH) : chunk);
  }
  return out;
}

function wrap(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += width) parts.push(text.slice(i, i + width));
  return parts;
}

function centerText(text: string, width: number): string {
  const pad = Math.max(0, Math.floor((width - text.length) / 2));
  return ' '.repeat(pad) + text;
}
