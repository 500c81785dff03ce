/** PCI DSS masking: at most the first 6 and last 4 digits of a PAN are ever shown, printed, logged or stored. */
export function maskPan(pan: string): string {
  const digits = pan.replace(/\D/g, '');
  if (digits.length < 13) return '*'.repeat(digits.length);
  return digits.slice(0, 6) + '*'.repeat(digits.length - 10) + digits.slice(-4);
}

/** Short form for screens and receipts: last 4 only. */
export function lastFour(pan: string): string {
  const digits = pan.replace(/\D/g, '');
  return `**** ${digits.slice(-4)}`;
}

function luhn(d: string): boolean {
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let n = d.charCodeAt(d.length - 1 - i) - 48;
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return sum % 10 === 0;
}

/** True when the text contains something that looks like a full PAN (13-19 digits passing Luhn). */
export function containsPan(text: string): boolean {
  for (const m of text.matchAll(/(?<!\d)\d{13,19}(?!\d)/g)) if (luhn(m[0])) return true;
  return false;
}

/** True when the text contains track-2-like data (PAN '=' or 'D' separator then expiry/service code). */
export function containsTrackData(text: string): boolean {
  return /\d{12,19}[=D]\d{7}/.test(text) || /%?B\d{12,19}\^/.test(text);
}
