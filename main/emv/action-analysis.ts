/**
 * Terminal action analysis (EMV Book 3 10.7) with TAC/IAC. Absent IACs default to 00..00 (denial)
 * and FF..FF (online, default).
 */
export type CryptogramType = 'AAC' | 'TC' | 'ARQC';

export interface ActionCodes {
  tacDenial: Uint8Array;
  tacOnline: Uint8Array;
  tacDefault: Uint8Array;
  iacDenial?: Uint8Array;
  iacOnline?: Uint8Array;
  iacDefault?: Uint8Array;
}

const FF = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff);
const ZERO = new Uint8Array(5);

function hits(tvr: Uint8Array, ...codes: Uint8Array[]): boolean {
  return tvr.some((b, i) => codes.some((c) => (b & (c[i] ?? 0)) !== 0));
}

/** First GENERATE AC for an online-only terminal: AAC on denial, else ARQC. */
export function firstAcDecision(tvr: Uint8Array, c: ActionCodes): { type: 'AAC' | 'ARQC'; reason: 'denial' | 'online' } {
  if (hits(tvr, c.tacDenial, c.iacDenial ?? ZERO)) return { type: 'AAC', reason: 'denial' };
  return { type: 'ARQC', reason: 'online' };
}

/** When the host cannot be reached: default action codes decide AAC or TC. */
export function defaultActionDecision(tvr: Uint8Array, c: ActionCodes): 'AAC' | 'TC' {
  return hits(tvr, c.tacDefault, c.iacDefault ?? FF) ? 'AAC' : 'TC';
}
