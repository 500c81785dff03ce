import type { CommonStatus, Completion, TypedEmitter } from '../common/types';

export type PrinterErrorCode = 'formNotFound' | 'fieldError' | 'mediaOverflow' | 'mediaJammed' | 'shutterFail' | 'paperOut' | 'noMediaPresent' | 'flushFail';

export interface PrinterStatus extends CommonStatus {
  paper: 'full' | 'low' | 'out' | 'jammed';
  media: 'notPresent' | 'present' | 'entering' | 'jammed';
}

export interface PrintedMedia {
  id: number;
  form: string;
  lines: string[];
  printedAt: number;
  taken: boolean;
}

export interface PrinterEvents extends Record<string, unknown> {
  mediaPresented: { media: PrintedMedia };
  mediaTaken: { id: number };
  statusChanged: PrinterStatus;
}

export interface PrinterService {
  readonly events: TypedEmitter<PrinterEvents>;
  status(): PrinterStatus;
  /** Prints a named form with field values, cuts and presents it. */
  printForm(req: { form: string; fields: Record<string, string> }): Promise<Completion<{ media: PrintedMedia }, PrinterErrorCode>>;
  printRaw(req: { lines: string[] }): Promise<Completion<{ media: PrintedMedia }, PrinterErrorCode>>;
}
