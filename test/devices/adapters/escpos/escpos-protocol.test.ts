import { describe, expect, it } from 'vitest';
import { FormError } from '../../../../devices/printer/forms';
import { characterSize, encodeReceipt, feedAndPartialCut, realTimeStatus, textBytes } from '../../../../devices/adapters/escpos/escpos-commands';
import { decodeStatus, isStatusByte, toPrinterStatus } from '../../../../devices/adapters/escpos/escpos-status';
import { looksLikeClearPan, renderEscPosForm } from '../../../../devices/adapters/escpos/escpos-forms';

describe('ESC/POS commands', () => {
  it('encodes init, alignment, size, text, LF and feed-and-partial-cut', () => {
    const bytes = [...encodeReceipt([{ text: 'BANK', align: 'center', size: { width: 2, height: 2 } }, { text: 'x' }], 3)];
    expect(bytes).toEqual([0x1b, 0x40, 0x1b, 0x61, 1, 0x1d, 0x21, 0x11, ...Buffer.from('BANK'), 0x0a, 0x1b, 0x61, 0, 0x1d, 0x21, 0x00, 0x78, 0x0a, 0x1d, 0x56, 66, 3]);
  });
  it('clamps sizes and feeds; replaces control bytes in text', () => {
    expect(characterSize(9, 0)).toEqual([0x1d, 0x21, 0x70]);
    expect(feedAndPartialCut(300)).toEqual([0x1d, 0x56, 66, 255]);
    expect(textBytes('a\x1b\u00e9')).toEqual([0x61, 0x3f, 0x3f]);
    expect(realTimeStatus(4)).toEqual([0x10, 0x04, 4]);
  });
});

describe('ESC/POS status', () => {
  it('checks the fixed bits', () => {
    expect(isStatusByte(0x12)).toBe(true);
    expect(isStatusByte(0x7e)).toBe(true);
    expect(isStatusByte(0xff)).toBe(false);
    expect(isStatusByte(0x00)).toBe(false);
  });
  it('maps paper full / near end / roll end, cover open, cutter error, unrecoverable error', () => {
    const base = { printer: 0x12, offline: 0x12, paper: 0x12 };
    expect(toPrinterStatus(decodeStatus(base), 'notPresent')).toEqual({ device: 'online', paper: 'full', media: 'notPresent' });
    expect(toPrinterStatus(decodeStatus({ ...base, paper: 0x1e }), 'notPresent')).toMatchObject({ device: 'online', paper: 'low' });
    expect(toPrinterStatus(decodeStatus({ printer: 0x1a, offline: 0x32, paper: 0x7e }), 'notPresent')).toMatchObject({ device: 'online', paper: 'out' });
    expect(toPrinterStatus(decodeStatus({ printer: 0x1a, offline: 0x16, paper: 0x12 }), 'notPresent')).toMatchObject({ device: 'userError', detail: 'cover open' });
    expect(toPrinterStatus(decodeStatus({ printer: 0x1a, offline: 0x52, error: 0x1a, paper: 0x12 }), 'notPresent')).toMatchObject({ device: 'hardwareError', paper: 'jammed', media: 'jammed' });
    expect(toPrinterStatus(decodeStatus({ printer: 0x1a, offline: 0x52, error: 0x32, paper: 0x12 }), 'notPresent')).toMatchObject({ device: 'hardwareError', paper: 'full' });
    expect(toPrinterStatus(decodeStatus({ printer: 0x1a, offline: 0x12, paper: 0x12 }), 'notPresent')).toMatchObject({ device: 'offline' });
  });
});

describe('ESC/POS forms', () => {
  const fields = { bank: 'OPEN BANK', location: 'MAIN ST', date: '2025-01-02', time: '10:11', terminal: 'T1', txn: '42', maskedPan: '476173******0010', transaction: 'WITHDRAWAL', amount: '40.00', authCode: 'A1', rrn: 'R1' };
  it('renders the receipt with layout, dropping optional lines', () => {
    const lines = renderEscPosForm('receipt', fields);
    expect(lines[0]).toEqual({ text: 'OPEN BANK', align: 'center', size: { width: 2, height: 2 } });
    expect(lines.map((l) => l.text)).toContain('AMOUNT 40.00');
    expect(lines.some((l) => l.text.includes('BALANCE'))).toBe(false);
    expect(lines.at(-1)).toEqual({ text: 'THANK YOU', align: 'center' });
  });
  it('renders journal and multi-line totals', () => {
    expect(renderEscPosForm('journal', { date: 'd', time: 't', terminal: '1', txn: '2', event: 'DISPENSE 40.00' }).map((l) => l.text)).toEqual(['d t T1 #2', 'DISPENSE 40.00', '--------']);
    const totals = renderEscPosForm('totals', { date: 'd', time: 't', terminal: '1', body: 'CST1 20.00 x 10\nCST2 50.00 x 5' }).map((l) => l.text);
    expect(totals).toContain('CST1 20.00 x 10');
    expect(totals).toContain('CST2 50.00 x 5');
  });
  it('wraps long lines (double width at half the width)', () => {
    expect(renderEscPosForm('journal', { date: 'd', time: 't', terminal: '1', txn: '2', event: 'x'.repeat(50) }, 42).map((l) => l.text.length)).toEqual([9, 42, 8, 8]);
  });
  it('fails with formNotFound / fieldError; refuses clear PANs', () => {
    expect(() => renderEscPosForm('nope', {})).toThrow(FormError);
    expect(() => renderEscPosForm('receipt', { ...fields, terminal: undefined as unknown as string })).toThrow(/terminal/);
    expect(() => renderEscPosForm('receipt', { ...fields, maskedPan: '4761739001010010' })).toThrow(/unmasked/);
    expect(looksLikeClearPan('476173******0010')).toBe(false);
  });
});
