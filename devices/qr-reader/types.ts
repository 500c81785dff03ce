import type { CommonStatus, Completion, TypedEmitter } from '../common/types';

/** Barcode/QR reader (XFS4IoT Barcode reader class): the customer shows a code from their phone. */
export type QrReaderErrorCode = 'readFailure' | 'noSymbology';

export interface QrReaderEvents extends Record<string, unknown> {
  statusChanged: CommonStatus;
}

export interface QrReaderService {
  readonly events: TypedEmitter<QrReaderEvents>;
  status(): CommonStatus;
  /** Turns the scanner on and waits for one code (or the timeout / cancel). */
  read(req: { timeoutMs?: number }, signal?: AbortSignal): Promise<Completion<{ symbology: 'qr' | 'code128'; data: string }, QrReaderErrorCode>>;
}
