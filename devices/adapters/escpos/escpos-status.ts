/**
 * ESC/POS real-time status bytes (DLE EOT n) and their mapping to the XFS4IoT printer status.
 * Every status byte has fixed bits: bit 1 and bit 4 set, bit 0 and bit 7 clear.
 */
import type { PrinterStatus } from '../../printer/types';

export const STATUS_FIXED_MASK = 0x93;
export const STATUS_FIXED_VALUE = 0x12;
export const isStatusByte = (b: number): boolean => (b & STATUS_FIXED_MASK) === STATUS_FIXED_VALUE;

/** n=1 printer status. */
export const PRINTER_OFFLINE = 0x08;
/** n=2 offline cause. */
export const COVER_OPEN = 0x04;
export const FEED_BUTTON = 0x08;
export const PAPER_END_STOP = 0x20;
export const ERROR_OCCURRED = 0x40;
/** n=3 error cause. */
export const CUTTER_ERROR = 0x08;
export const UNRECOVERABLE_ERROR = 0x20;
export const AUTO_RECOVERABLE_ERROR = 0x40;
/** n=4 paper roll sensor. */
export const PAPER_NEAR_END = 0x0c;
export const PAPER_ROLL_END = 0x60;

export interface EscPosStatus {
  offline: boolean;
  coverOpen: boolean;
  paperEndStop: boolean;
  error: boolean;
  cutterError: boolean;
  unrecoverable: boolean;
  nearEnd: boolean;
  rollEnd: boolean;
}

export function decodeStatus(bytes: { printer: number; offline: number; error?: number; paper: number }): EscPosStatus {
  const err = bytes.error ?? STATUS_FIXED_VALUE;
  return {
    offline: (bytes.printer & PRINTER_OFFLINE) !== 0,
    coverOpen: (bytes.offline & COVER_OPEN) !== 0,
    paperEndStop: (bytes.offline & PAPER_END_STOP) !== 0,
    error: (bytes.offline & ERROR_OCCURRED) !== 0,
    cutterError: (err & CUTTER_ERROR) !== 0,
    unrecoverable: (err & UNRECOVERABLE_ERROR) !== 0,
    nearEnd: (bytes.paper & PAPER_NEAR_END) !== 0,
    rollEnd: (bytes.paper & PAPER_ROLL_END) !== 0,
  };
}

export function toPrinterStatus(s: EscPosStatus, media: PrinterStatus['media']): PrinterStatus {
  const jammed = s.cutterError;
  const paper: PrinterStatus['paper'] = jammed ? 'jammed' : s.rollEnd || s.paperEndStop ? 'out' : s.nearEnd ? 'low' : 'full';
  const device: PrinterStatus['device'] = s.error || s.unrecoverable || jammed ? 'hardwareError' : s.coverOpen ? 'userError' : s.offline && !s.paperEndStop ? 'offline' : 'online';
  const detail = s.coverOpen ? 'cover open' : jammed ? 'cutter error (paper jam)' : s.unrecoverable ? 'unrecoverable printer error' : s.paperEndStop || s.rollEnd ? 'paper out' : s.nearEnd ? 'paper low' : undefined;
  return { device, paper, media: jammed ? 'jammed' : media, ...(detail ? { detail } : {}) };
}
