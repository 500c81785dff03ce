import type { CommonStatus, Completion, TypedEmitter } from '../common/types';

/** CardReader command-specific error codes (XFS4IoT CardReader.ReadRawData / Move / Reset). */
export type CardReaderErrorCode =
  | 'mediaJam'
  | 'shutterFail'
  | 'noMedia'
  | 'invalidMedia'
  | 'cardTooShort'
  | 'cardTooLong'
  | 'securityFail'
  | 'cardCollision'
  | 'retainBinFull'
  | 'mediaRetained';

export type MediaStatus = 'unknown' | 'present' | 'notPresent' | 'jammed' | 'entering' | 'latched';

export interface CardReaderStatus extends CommonStatus {
  media: MediaStatus;
  /** Retain bin (XFS4IoT CardUnit "retain"). */
  retainBin: { count: number; capacity: number; state: 'ok' | 'high' | 'full' };
}

export interface CardReaderCapabilities {
  type: 'motor' | 'dip' | 'swipe';
  readTracks: Array<'track1' | 'track2' | 'track3'>;
  chip: boolean;
  retainCapable: boolean;
}

/** Raw data as read off the card. Lives only in the core's memory; never journaled, logged or sent to a screen. */
export interface RawCardData {
  track1?: string;
  track2?: string;
  track3?: string;
  /** Answer-to-reset when the chip was powered. */
  chipAtr?: Uint8Array;
}

export interface CardReaderEvents extends Record<string, unknown> {
  mediaInserted: Record<string, never>;
  mediaRemoved: Record<string, never>;
  cardAction: { action: 'retained' | 'ejected' | 'reset' };
  statusChanged: CardReaderStatus;
}

export interface CardReaderService {
  readonly events: TypedEmitter<CardReaderEvents>;
  status(): CardReaderStatus;
  capabilities(): CardReaderCapabilities;
  /** Waits (up to timeoutMs) for a card, then reads the requested tracks. */
  readRawData(req: { tracks: Array<'track1' | 'track2' | 'track3'>; chip?: boolean; timeoutMs?: number }, signal?: AbortSignal): Promise<Completion<RawCardData, CardReaderErrorCode>>;
  /** Move the card to the exit (eject) or into the retain bin. */
  move(req: { to: 'exit' | 'retain' }): Promise<Completion<Record<string, never>, CardReaderErrorCode>>;
  reset(req?: { to?: 'exit' | 'retain' | 'currentPosition' }): Promise<Completion<Record<string, never>, CardReaderErrorCode>>;
  /** Exchange an APDU with the chip (EMV). */
  chipIO(req: { apdu: Uint8Array }): Promise<Completion<{ response: Uint8Array }, CardReaderErrorCode>>;
  chipPower(req: { action: 'cold' | 'warm' | 'off' }): Promise<Completion<{ atr?: Uint8Array }, CardReaderErrorCode>>;
  /** Common.Cancel: ends the pending readRawData with `canceled`. */
  cancel(): void;
}
