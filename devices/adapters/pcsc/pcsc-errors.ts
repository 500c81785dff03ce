/**
 * Failures of PC/SC chip access, classified. The binding rejects with the PC/SC error text only (no code), so
 * the texts of pcsc-lite / winscard errors are mapped here. Messages name the reader at most, never APDU data.
 */
export type PcscFailureKind =
  /** The `smartcard` module / libpcsclite is not installed. */
  | 'unavailable'
  /** pcscd (or the Windows smart card service) is not running or stopped. */
  | 'serviceUnavailable'
  /** No reader, or not the configured one. */
  | 'noReader'
  /** The reader has no card. */
  | 'noCard'
  /** The card left the reader (possibly during an APDU exchange). */
  | 'cardRemoved'
  /** The card was reset by another application. */
  | 'cardReset'
  /** The card does not answer to reset (mute) or is not supported. */
  | 'unresponsive'
  /** Another application holds the card exclusively. */
  | 'sharingViolation'
  | 'timeout'
  /** The exchange failed on the line (reader or card contact). */
  | 'communication'
  /** The card answered outside the transport protocol (e.g. endless 61xx). */
  | 'protocol'
  /** Chip commands before power-on. */
  | 'notPowered'
  | 'other';

export class PcscError extends Error {
  override name = 'PcscError';
  constructor(
    readonly kind: PcscFailureKind,
    message: string,
  ) {
    super(message);
  }
}

const PATTERNS: Array<[RegExp, PcscFailureKind]> = [
  [/service not running|service stopped|no_service|service_stopped|context is not valid/i, 'serviceUnavailable'],
  [/no readers available|unknown reader|reader unavailable|reader not ready/i, 'noReader'],
  [/no smart card present|no_smartcard/i, 'noCard'],
  [/card was removed|removed_card/i, 'cardRemoved'],
  [/card was reset|reset_card/i, 'cardReset'],
  [/unresponsive|unpowered|not supported|unsupported_card|invalid atr/i, 'unresponsive'],
  [/sharing violation/i, 'sharingViolation'],
  [/timed out|timeout/i, 'timeout'],
  [/communication error|transaction failed|not_transacted|comm_error|protocol mismatch/i, 'communication'],
];

/** Maps an error thrown by the binding to a failure kind. */
export function classifyPcscError(e: unknown): PcscFailureKind {
  if (e instanceof PcscError) return e.kind;
  const text = e instanceof Error ? e.message : String(e);
  for (const [re, kind] of PATTERNS) if (re.test(text)) return kind;
  return 'other';
}

/** The binding's message, first line only (it never carries APDU data). */
export const pcscMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
