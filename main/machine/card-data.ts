/**
 * Card data parsed from track 2. Held only in the core's memory for the life of one customer session;
 * never journaled, logged, persisted or sent to the renderer (only maskedPan / lastFour leave).
 */
import { lastFour, maskPan } from '../../journals/pan';

export interface CardSession {
  pan: string;
  /** YYMM */
  expiry: string;
  serviceCode: string;
  /** Track 2 equivalent data for field 35 (no sentinels). */
  track2: string;
  maskedPan: string;
  lastFour: string;
  /** The reader powered a chip on this card (answer to reset received). */
  chip?: boolean;
  /** A chip card (service code 2xx/6xx) whose chip did not answer at insertion. */
  chipFailedAtRead?: boolean;
}

export type TrackParseError = 'noTrack2' | 'badFormat' | 'badPan';

export function parseTrack2(track2: string | undefined): CardSession | TrackParseError {
  if (!track2) return 'noTrack2';
  const t = track2.replace(/^;/, '').replace(/\?.?$/, '');
  const m = /^(\d{12,19})[=D](\d{4})(\d{3})(\d*)$/.exec(t);
  if (!m) return 'badFormat';
  const pan = m[1]!;
  if (!luhn(pan)) return 'badPan';
  return { pan, expiry: m[2]!, serviceCode: m[3]!, track2: t.replace('D', '='), maskedPan: maskPan(pan), lastFour: lastFour(pan) };
}

/** Card expired at the end of its expiry month. */
export function isExpired(expiryYYMM: string, now: Date): boolean {
  const yy = Number(expiryYYMM.slice(0, 2));
  const mm = Number(expiryYYMM.slice(2, 4));
  const y = now.getUTCFullYear() % 100;
  const m = now.getUTCMonth() + 1;
  return yy < y || (yy === y && mm < m);
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
