/**
 * The one renderer contract (DESIGN.md boundary 1): the core pushes a ScreenModel (and, in simulation, a
 * FasciaModel); the renderer sends UserIntents (and, in simulation, SimCommands to the simulated hardware).
 * Implemented twice with the same shapes: the Electron preload (contextBridge + IPC) and the browser-mode
 * WebSocket bridge. Everything arriving from the renderer is validated with these schemas, then against what
 * the current state accepts. No PAN, track data or PIN digit ever appears in these models.
 *
 * This file is in main/common: no Node or Electron imports, so the renderer bundle may include it.
 */
import { z } from 'zod';

export const SCREEN_IDS = [
  'starting',
  'outOfService',
  'supervisor',
  'welcome',
  'readingCard',
  'enterPin',
  'menu',
  'amount',
  'otherAmount',
  'processing',
  'declined',
  'takeCard',
  'dispensing',
  'takeCash',
  'receiptQuestion',
  'printing',
  'takeReceipt',
  'balance',
  'moreTime',
  'cardRetained',
  'cashRetracted',
  'goodbye',
  'error',
  'pinChanged',
  'showQr',
  'codeEntry',
  'supervisorLogin',
  'supervisorMenu',
  'supervisorPanel',
  'denomination',
  'chooseApplication',
  'transferAccounts',
  'transferAmount',
  'transferConfirm',
  'transferDone',
] as const;
export type ScreenId = (typeof SCREEN_IDS)[number];

export const FDKS = ['fdk01', 'fdk02', 'fdk03', 'fdk04', 'fdk05', 'fdk06', 'fdk07', 'fdk08'] as const;
export type Fdk = (typeof FDKS)[number];

export interface ScreenOption {
  id: string;
  /** Catalogue key of the label (renderer translates); `params` fill placeholders. */
  label: string;
  params?: Record<string, string | number>;
  fdk?: Fdk;
}

export interface ScreenModel {
  screen: ScreenId;
  /** Increments on every change, so a renderer can drop stale frames. */
  seq: number;
  /** Catalogue keys. */
  title?: string;
  message?: string;
  params: Record<string, string | number>;
  options: ScreenOption[];
  /** Number of PIN digits entered (masked dots); never the digits. */
  pinLength?: number;
  /** Clear-text amount being typed on the "other amount" screen, in minor units. */
  amountEntry?: string;
  locale: string;
  currency: string;
  /** Session language (catalogue id). */
  lang: string;
  /** Epoch ms when the screen times out, for a countdown. */
  timeoutAt?: number;
  /** Dynamic EMVCo QR to show (cardless): the payload and its module matrix as '0'/'1' rows, size x size. */
  qr?: { payload: string; size: number; modules: string };
  /**
   * Tabular data (supervisor screens: cash units, device status, journal, totals). Columns are catalogue keys;
   * a cell is plain text (ids, counts, money) or a catalogue reference for words (states, roles, unit types).
   */
  table?: { columns: string[]; rows: TableCell[][] };
  /** A field being typed on the PIN pad (supervisor: operator id, password masked, counts). */
  input?: { label: string; value: string; masked: boolean };
}

/** A table cell: plain text, or a catalogue key (with params) the renderer translates. */
export type TableCell = string | { key: string; params?: Record<string, string | number> };

export const userIntentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('select'), option: z.string().min(1).max(32).regex(/^[A-Za-z0-9_.:-]+$/) }),
  z.object({ type: z.literal('cancel') }),
]);
export type UserIntent = z.infer<typeof userIntentSchema>;

export const PAD_KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '00', 'enter', 'cancel', 'clear', 'backspace', 'help', ...FDKS] as const;

export const simCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('insertCard'), cardId: z.string().min(1).max(40).regex(/^[a-z0-9-]+$/) }),
  z.object({ type: z.literal('takeCard') }),
  z.object({ type: z.literal('key'), key: z.enum(PAD_KEYS) }),
  z.object({ type: z.literal('takeCash') }),
  z.object({ type: z.literal('takeReceipt') }),
  z.object({ type: z.literal('operatorSwitch'), position: z.enum(['run', 'supervisor']) }),
  /** The customer's phone (simulated wallet) scans the QR on screen and confirms with a test card. */
  z.object({ type: z.literal('walletConfirmQr'), payload: z.string().min(20).max(512).regex(/^[\x20-\x7e]+$/), cardId: z.string().min(1).max(40).regex(/^[a-z0-9-]+$/) }),
  /** The customer's banking app issues a one-time withdrawal code. */
  z.object({ type: z.literal('walletIssueCode'), cardId: z.string().min(1).max(40).regex(/^[a-z0-9-]+$/), amount: z.number().int().positive().max(10_000_000) }),
  z.object({ type: z.literal('headphone'), present: z.boolean() }),
  z.object({ type: z.literal('safeDoor'), state: z.enum(['open', 'closed']) }),
  /** The customer shows a code (from the banking app) to the barcode/QR scanner. */
  z.object({ type: z.literal('showCode'), data: z.string().min(1).max(512).regex(/^[\x20-\x7e]+$/) }),
  z.object({
    type: z.literal('fault'),
    device: z.enum(['cardReader', 'dispenser', 'printer', 'host']),
    fault: z.string().min(1).max(40).regex(/^[A-Za-z0-9:_-]+$/),
  }),
]);
export type SimCommand = z.infer<typeof simCommandSchema>;

export interface FasciaModel {
  cards: Array<{ id: string; label: string; maskedPan: string }>;
  cardSlot: { state: 'empty' | 'inside' | 'gate' | 'jammed'; cardId?: string; retained: number };
  cashSlot: { notes: Array<{ denomination: number; count: number }>; total: number } | null;
  receipt: { lines: string[] } | null;
  pinpad: { mode: 'idle' | 'pin' | 'data' };
  operatorSwitch: 'run' | 'supervisor';
  safeDoor: 'open' | 'closed';
  /** The barcode/QR scanner is on (a code can be shown to it). */
  scannerOn: boolean;
  /** Headphone jack sensor: a plugged headset starts audio guidance (ADA 707). */
  headphone: boolean;
  cassettes: Array<{ id: string; denomination: number; count: number; state: string }>;
  faults: { cardReader: string; dispenser: string; printer: string; host: string };
  /** The simulated phone: last wallet result and issued one-time code. */
  phone: { message: string | null; code: string | null };
  /** Lit guidance lights (card slot, cash slot, receipt slot). */
  lights: { card: boolean; cash: boolean; receipt: boolean };
  currency: string;
  locale: string;
}

/** Messages on the browser-mode WebSocket (and the IPC channel names in Electron). */
export type ServerMessage = { ch: 'screen'; model: ScreenModel } | { ch: 'fascia'; model: FasciaModel } | { ch: 'error'; message: string };
export const clientMessageSchema = z.discriminatedUnion('ch', [
  z.object({ ch: z.literal('intent'), intent: userIntentSchema }),
  z.object({ ch: z.literal('sim'), cmd: simCommandSchema }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

export const IPC = {
  screen: 'atm:screen',
  fascia: 'atm:fascia',
  intent: 'atm:intent',
  sim: 'atm:sim',
  ready: 'atm:ready',
} as const;

/** What the renderer sees as `window.atm` (Electron preload) or gets from the WebSocket bridge. */
export interface AtmBridge {
  onScreen(cb: (m: ScreenModel) => void): () => void;
  onFascia(cb: (m: FasciaModel) => void): () => void;
  sendIntent(intent: UserIntent): void;
  /** Present only when the kiosk runs on simulated devices. */
  sim?: (cmd: SimCommand) => void;
}
