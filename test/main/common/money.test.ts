import { describe, expect, it } from 'vitest';
import { currencyDigits, decimalAmount, formatMoney, minorPerMajor, numericCurrencyDigits, parseDecimalAmount } from '../../../main/common/money';

describe('money in minor units for any currency', () => {
  it('knows the decimals of ISO 4217 currencies', () => {
    expect([currencyDigits('USD'), currencyDigits('CNY'), currencyDigits('JPY'), currencyDigits('KRW'), currencyDigits('KWD')]).toEqual([2, 2, 0, 0, 3]);
    expect([minorPerMajor('EUR'), minorPerMajor('JPY'), minorPerMajor('BHD')]).toEqual([100, 1, 1000]);
    // Numeric codes (EMVCo QR tag 53): USD 840, CNY 156, JPY 392, KRW 410, KWD 414.
    expect(['840', '156', '392', '410', '414'].map(numericCurrencyDigits)).toEqual([2, 2, 0, 0, 3]);
  });

  it('formats with Intl', () => {
    expect(formatMoney(6000, 'USD', 'en-US')).toBe('$60.00');
    expect(formatMoney(6000, 'JPY', 'en-US')).toBe('¥6,000');
    expect(formatMoney(12345, 'KWD', 'en-US').replace(/\s/g, ' ')).toBe('KWD 12.345');
  });

  it('writes and reads QR amounts', () => {
    expect([decimalAmount(4000, 2), decimalAmount(4000, 0), decimalAmount(4000, 3), decimalAmount(5, 2)]).toEqual(['40.00', '4000', '4.000', '0.05']);
    expect([parseDecimalAmount('40.00', 2), parseDecimalAmount('40', 2), parseDecimalAmount('40.5', 2), parseDecimalAmount('4000', 0), parseDecimalAmount('4.000', 3)]).toEqual([4000, 4000, 4050, 4000, 4000]);
    for (const [text, digits] of [['40.001', 2], ['40.00', 0], ['0.00', 2], ['', 2], ['-1', 2], ['1e3', 2], ['40.', 2]] as const) expect(parseDecimalAmount(text, digits), `${text}/${digits}`).toBeNull();
  });
});
