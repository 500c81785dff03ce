/**
 * The ATM application as one XState v5 machine. Devices and host are injected through SessionServices
 * (actors are promises over them); device and UI events arrive as machine events. The machine decides
 * *what* happens next; SessionServices keep the money rules. A snapshot of this machine is never persisted
 * or trusted to resume a cash movement: after a restart, recovery (main/core/recovery.ts) reconciles from the
 * journal and the devices, and the machine starts afresh.
 */
import { assign, fromPromise, setup } from 'xstate';
import type { CardSession } from './card-data';
import type { AuthOutcome, CardlessStatus, DispenseOutcome, ReadCardOutcome, SessionServices } from './session-services';
import { CAPTURE_CODES, RC } from '../host/profile';
import type { AccountKind } from '../host/messages';

export type AtmEvent =
  | { type: 'SELECT'; option: string }
  | { type: 'CANCEL' }
  | { type: 'PIN_DIGITS'; length: number }
  | { type: 'DATA_DIGIT'; digit: string }
  | { type: 'CARD_TAKEN' }
  | { type: 'CASH_TAKEN' }
  | { type: 'RECEIPT_TAKEN' }
  | { type: 'SUPERVISOR'; on: boolean }
  | { type: 'HOST_ONLINE' }
  | { type: 'HOST_OFFLINE' }
  /** The chip has several applications: the cardholder chooses (shown while authorising). */
  | { type: 'APP_CHOICE'; apps: Array<{ aid: string; label: string }> }
  /** Operator/remote command: take the ATM out of service (after the current session) or put it back. */
  | { type: 'SERVICE_MODE'; mode: 'in' | 'out' };

export type PendingOp =
  | { kind: 'withdrawal'; amount: number }
  | { kind: 'balance' }
  | { kind: 'statement' }
  | { kind: 'pinChange' }
  | { kind: 'transfer'; amount: number; from: AccountKind; to: AccountKind };

/** The two directions a transfer between the card's own accounts can take (option id `xfer:<from>:<to>`). */
export const TRANSFER_DIRECTIONS: ReadonlyArray<{ from: AccountKind; to: AccountKind }> = [
  { from: 'savings', to: 'checking' },
  { from: 'checking', to: 'savings' },
];

/** How the customer identified: a card in the reader, a wallet-confirmed QR, or a one-time code. */
export type SessionMode = 'card' | 'qr' | 'code';

export interface CardlessContext {
  reference: string;
  qr?: { payload: string; modules: string; size: number };
  /** Set once the host confirmed the reference (QR paid in the wallet / code valid): sent with the withdrawal. */
  confirmed?: string;
  startedAt: number;
}

export interface AtmContext {
  card: CardSession | null;
  pinLength: number;
  amountEntry: string;
  pending: PendingOp | null;
  wantReceipt: boolean;
  auth: AuthOutcome | null;
  dispensed: DispenseOutcome | null;
  /** Catalogue key of the message to show on declined/error screens. */
  message: string | null;
  /** The state a "more time?" answer returns to. */
  returnTo: (typeof MORE_TIME_TARGETS)[number];
  wrongPins: number;
  online: boolean;
  /** Media the customer took while the device command that offered it was still completing. */
  taken: { card: boolean; cash: boolean; receipt: boolean };
  /** Set by an operator/remote command: stays out of service until put back in. */
  forcedOut: boolean;
  lang: string;
  mode: SessionMode;
  cardless: CardlessContext | null;
  /** Denominations the customer may prefer for the chosen amount, and the choice (0 = machine's choice). */
  denominations: number[];
  preferDenomination: number;
  /** Chip applications offered for the cardholder's choice (labels only), while authorising. */
  appChoices: Array<{ aid: string; label: string }> | null;
  /** PIN change: encrypted blocks of the current and the new PIN (memory only, this session only). */
  pinChange: { current?: Uint8Array; next?: Uint8Array; step: 'new' | 'confirm' };
  /** Transfer: the direction chosen, before the amount is known. */
  transferAccounts: { from: AccountKind; to: AccountKind } | null;
}

/** States a "do you need more time?" answer can return to. */
const MORE_TIME_TARGETS = ['menu', 'amount', 'receiptQuestion', 'balanceResult', 'declined', 'pin', 'otherAmount', 'codeEntry', 'transferAccounts', 'transferAmount', 'transferConfirm', 'transferDone'] as const;

export interface AtmTimers {
  screenTimeoutMs: number;
  moreTimeMs: number;
  cardTakeMs: number;
  cashTakeMs: number;
  messageMs: number;
  receiptTakeMs: number;
  outOfServiceRetryMs: number;
}

export interface AtmMachineOptions {
  services: SessionServices;
  timers: AtmTimers;
  fastCash: number[];
  minPin: number;
  maxPin: number;
  /** Smallest dispensable unit in minor units (other amounts must be a multiple). */
  noteMultiple: number;
  /** Minor units per major unit (100 for USD/EUR/CNY). */
  minorPerMajor: number;
  /** Start-up: crash recovery, then host sign-on; resolves true when the host is reachable. */
  startup: () => Promise<boolean>;
  /** Whether to capture the card on host instruction (04/41/43/75). */
  captureCards: boolean;
  languages: string[];
  /** Delivers the cardholder's chip application choice (AID, or undefined for cancel) to the pending prompt. */
  onAppChosen?: (aid: string | undefined) => void;
  cardless: { qr: boolean; oneTimeCode: boolean; oneTimeCodePin: boolean; qrTimeoutMs: number; pollIntervalMs: number };
  /**
   * Cash the customer does not take in time: 'retract' it and reverse, or 'leave' it in the open slot (where a
   * regulator forbids retracting), keep the customer debited and wait until it is taken.
   */
  cashNotTaken: 'retract' | 'leave';
  /** Transfers between the card's savings and checking accounts (card sessions only); largest amount in minor units. */
  transfers: { enabled: boolean; maxAmount: number };
}

function declineMessage(rc: string): string {
  switch (rc) {
    case RC.insufficientFunds:
      return 'msg.insufficientFunds';
    case RC.expired:
      return 'msg.cardExpired';
    case RC.overLimit:
    case RC.tooManyWithdrawals:
      return 'msg.limitExceeded';
    case RC.invalidAmount:
      return 'msg.invalidAmount';
    case RC.invalidCard:
      return 'msg.invalidCard';
    case RC.notPermitted:
    case '58':
      return 'msg.notPermitted';
    case RC.issuerInoperative:
      return 'msg.hostUnavailable';
    default:
      return 'msg.declined';
  }
}

/** A transfer amount typed in whole major units: more than zero, at most the configured maximum. */
function transferAmountOf(digits: string, o: AtmMachineOptions): number | null {
  if (!/^\d{1,7}$/.test(digits)) return null;
  const minor = Number(digits) * o.minorPerMajor;
  return minor > 0 && minor <= o.transfers.maxAmount ? minor : null;
}

function validOtherAmount(digits: string, o: AtmMachineOptions): boolean {
  if (!/^\d{1,6}$/.test(digits)) return false;
  const minor = Number(digits) * o.minorPerMajor;
  return minor > 0 && minor % o.noteMultiple === 0;
}

export function createAtmMachine(o: AtmMachineOptions) {
  const s = o.services;
  const moreTimeTargets = MORE_TIME_TARGETS;
  const anyFast = (option: string) => option.startsWith('fast:') && o.fastCash.includes(Number(option.slice(5)));

  return setup({
    types: {
      context: {} as AtmContext,
      events: {} as AtmEvent,
    },
    actors: {
      startup: fromPromise(async () => o.startup()),
      readCard: fromPromise<ReadCardOutcome>(({ signal }) => s.readCard(signal)),
      pinEntry: fromPromise(({ signal }) => s.enterPin(o.minPin, o.maxPin, o.timers.screenTimeoutMs, signal)),
      amountEntry: fromPromise<{ kind: 'entered'; digits: string } | { kind: 'cancel' | 'timeout' | 'error' }>(({ signal }) => s.enterAmount(o.timers.screenTimeoutMs, signal)),
      transferAmountEntry: fromPromise<{ kind: 'entered'; digits: string } | { kind: 'cancel' | 'timeout' | 'error' }>(({ signal }) => s.enterAmount(o.timers.screenTimeoutMs, signal, 7)),
      checkAmount: fromPromise<boolean, { amount: number }>(({ input }) => s.canDispense(input.amount)),
      authorize: fromPromise<AuthOutcome, { op: PendingOp; card: CardSession; mode: SessionMode; cardless: CardlessContext | null; pinChange: AtmContext['pinChange']; pinless: boolean }>(({ input }) => {
        return s.authorize(input.op.kind, input.card, input.op.kind === 'withdrawal' || input.op.kind === 'transfer' ? input.op.amount : 0, {
          ...(input.op.kind === 'transfer' ? { transfer: { from: input.op.from, to: input.op.to } } : {}),
          ...(input.op.kind === 'pinChange' && input.pinChange.current ? { pinBlock: input.pinChange.current } : {}),
          ...(input.op.kind === 'pinChange' && input.pinChange.next ? { newPinBlock: input.pinChange.next } : {}),
          ...(input.pinless ? { pinBlock: 'none' as const } : {}),
          ...(input.cardless?.confirmed ? { cardlessReference: input.cardless.confirmed } : {}),
          ...(input.mode !== 'card' ? { cardless: input.mode } : {}),
        });
      }),
      pinBlock: fromPromise<Uint8Array | null, { card: CardSession }>(({ input }) => s.pinBlockFor(input.card)),
      cardlessQr: fromPromise<CardlessContext, { amount: number }>(async ({ input }) => {
        const q = s.cardlessQr(input.amount);
        return { reference: q.reference, qr: { payload: q.payload, modules: q.modules, size: q.size }, startedAt: Date.now() };
      }),
      cardlessStatus: fromPromise<CardlessStatus, { kind: 'qr' | 'code'; ref: string }>(({ input }) => s.cardlessStatus(input.kind, input.ref)),
      scanCode: fromPromise<string>(({ signal }) => s.scanCode(signal)),
      codeEntry: fromPromise<{ kind: 'entered'; digits: string } | { kind: 'cancel' | 'timeout' | 'error' }>(({ signal }) => s.enterAmount(o.timers.screenTimeoutMs, signal, 8)),
      printStatement: fromPromise<boolean, { txn: number; card: CardSession; lines: string[]; available?: number }>(({ input }) => s.printStatement(input.txn, input.card, input.lines, input.available)),
      dispense: fromPromise<DispenseOutcome, { txn: number; amount: number; prefer: number }>(({ input }) => s.dispense(input.txn, input.amount, input.prefer || undefined)),
      denominationChoices: fromPromise<number[], { amount: number }>(({ input }) => s.denominationChoices(input.amount)),
      ejectCard: fromPromise(() => s.ejectCard()),
      retainCard: fromPromise<void, { reason: string }>(({ input }) => s.retainCard(input.reason)),
      present: fromPromise<boolean, { txn: number }>(({ input }) => s.present(input.txn)),
      retractCash: fromPromise<void, { txn: number }>(({ input }) => s.retractCash(input.txn)),
      rejectStacked: fromPromise<void, { txn: number }>(async ({ input }) => {
        await s.cancelStackedCash(input.txn);
      }),
      printReceipt: fromPromise<boolean, { txn: number; card: CardSession | null; kind: 'withdrawal' | 'balance' | 'transfer'; amount?: number; available?: number; ledger?: number; transfer?: { from: AccountKind; to: AccountKind } }>(({ input }) =>
        s.printReceipt(input.txn, input.card, input.kind, { amount: input.amount, availableBalance: input.available, ledgerBalance: input.ledger, transfer: input.transfer }),
      ),
    },
    delays: {
      screenTimeout: () => o.timers.screenTimeoutMs,
      moreTime: () => o.timers.moreTimeMs,
      cardTake: () => o.timers.cardTakeMs,
      cashTake: () => o.timers.cashTakeMs,
      message: () => o.timers.messageMs,
      receiptTake: () => o.timers.receiptTakeMs,
      retry: () => o.timers.outOfServiceRetryMs,
      poll: () => o.cardless.pollIntervalMs,
    },
    guards: {
      startedOnline: ({ event }) => (event as unknown as { output: boolean }).output === true,
    },
    actions: {
      clearSession: assign({
        // Each customer starts in the terminal's first language, whatever the last one chose.
        lang: o.languages[0] ?? 'en',
        card: null,
        pinLength: 0,
        amountEntry: '',
        pending: null,
        wantReceipt: false,
        auth: null,
        dispensed: null,
        message: null,
        wrongPins: 0,
        mode: 'card',
        cardless: null,
        pinChange: { step: 'new' },
        denominations: [],
        preferDenomination: 0,
        appChoices: null,
        transferAccounts: null,
      }),
    },
  }).createMachine({
    id: 'atm',
    initial: 'starting',
    context: {
      card: null,
      pinLength: 0,
      amountEntry: '',
      pending: null,
      wantReceipt: false,
      auth: null,
      dispensed: null,
      message: null,
      returnTo: 'menu',
      wrongPins: 0,
      online: false,
      taken: { card: false, cash: false, receipt: false },
      forcedOut: false,
      lang: o.languages[0] ?? 'en',
      mode: 'card',
      cardless: null,
      pinChange: { step: 'new' },
      denominations: [],
      preferDenomination: 0,
      appChoices: null,
      transferAccounts: null,
    },
    on: {
      HOST_ONLINE: { actions: assign({ online: true }) },
      HOST_OFFLINE: { actions: assign({ online: false }) },
      SERVICE_MODE: { actions: assign({ forcedOut: ({ event }) => event.mode === 'out' }) },
    },
    states: {
      starting: {
        invoke: {
          src: 'startup',
          onDone: [
            { guard: ({ context }) => context.forcedOut, target: 'outOfService' },
            { guard: 'startedOnline', target: 'inService', actions: assign({ online: true }) },
            { target: 'outOfService', actions: assign({ online: false }) },
          ],
          onError: { target: 'outOfService' },
        },
      },
      outOfService: {
        on: {
          SUPERVISOR: { guard: ({ event }) => event.on, target: 'supervisor' },
          HOST_ONLINE: { guard: ({ context }) => !context.forcedOut, target: 'starting', actions: assign({ online: true }) },
          SERVICE_MODE: { guard: ({ event }) => event.mode === 'in', target: 'starting', actions: assign({ forcedOut: false }) },
        },
        after: { retry: { guard: ({ context }) => !context.forcedOut, target: 'starting' } },
      },
      supervisor: {
        on: { SUPERVISOR: { guard: ({ event }) => !event.on, target: 'starting' } },
      },
      inService: {
        initial: 'idle',
        states: {
          idle: {
            entry: 'clearSession',
            // Out of service by command, or because the host went offline during the last customer's session.
            always: { guard: ({ context }) => context.forcedOut || !context.online, target: '#atm.outOfService' },
            invoke: {
              src: 'readCard',
              onDone: [
                {
                  guard: ({ event }) => event.output.ok,
                  target: 'pin',
                  actions: assign({ card: ({ event }) => (event.output.ok ? event.output.card : null), pending: null }),
                },
                { guard: ({ event }) => !event.output.ok && event.output.reason === 'canceled', target: 'idle', reenter: true },
                {
                  target: 'ejecting',
                  actions: assign({ message: ({ event }) => (!event.output.ok && event.output.reason === 'expired' ? 'msg.cardExpired' : 'msg.cardUnreadable') }),
                },
              ],
              onError: { target: '#atm.outOfService' },
            },
            on: {
              SUPERVISOR: { guard: ({ event }) => event.on, target: '#atm.supervisor' },
              HOST_OFFLINE: { target: '#atm.outOfService', actions: assign({ online: false }) },
              SERVICE_MODE: { guard: ({ event }) => event.mode === 'out', target: '#atm.outOfService', actions: assign({ forcedOut: true }) },
              SELECT: [
                { guard: ({ event }) => event.option.startsWith('lang:') && o.languages.includes(event.option.slice(5)), actions: assign({ lang: ({ event }) => event.option.slice(5) }) },
                { guard: ({ event }) => event.option === 'cardless' && o.cardless.qr, target: 'cardlessAmount', actions: assign({ mode: 'qr' }) },
                { guard: ({ event }) => event.option === 'code' && o.cardless.oneTimeCode, target: 'codeEntry', actions: assign({ mode: 'code' }) },
              ],
            },
          },
          pin: {
            entry: assign({ pinLength: 0 }),
            invoke: {
              src: 'pinEntry',
              onDone: [
                { guard: ({ event }) => event.output === 'entered', target: 'afterPin' },
                { guard: ({ event }) => event.output === 'timeout', target: 'moreTime', actions: assign({ returnTo: 'pin' }) },
                { target: 'ejecting', actions: assign({ message: null }) },
              ],
              onError: { target: 'ejecting', actions: assign({ message: 'msg.technicalProblem' }) },
            },
            on: { PIN_DIGITS: { actions: assign({ pinLength: ({ event }) => event.length }) }, CANCEL: 'ejecting' },
          },
          afterPin: {
            always: [
              { guard: ({ context }) => context.pending?.kind === 'pinChange', target: 'pinChangeCurrent' },
              { guard: ({ context }) => context.pending !== null, target: 'authorizing' },
              { target: 'menu' },
            ],
          },
          pinChangeCurrent: {
            invoke: {
              src: 'pinBlock',
              input: ({ context }) => ({ card: context.card! }),
              onDone: [
                { guard: ({ event }) => event.output !== null, target: 'pinChangeNew', actions: assign({ pinChange: ({ event }) => ({ current: event.output!, step: 'new' as const }) }) },
                { target: 'ejecting', actions: assign({ message: 'msg.technicalProblem' }) },
              ],
              onError: { target: 'ejecting', actions: assign({ message: 'msg.technicalProblem' }) },
            },
          },
          pinChangeNew: {
            entry: assign({ pinLength: 0 }),
            invoke: {
              src: 'pinEntry',
              onDone: [{ guard: ({ event }) => event.output === 'entered', target: 'pinChangeNewBlock' }, { target: 'ejecting' }],
              onError: 'ejecting',
            },
            on: { PIN_DIGITS: { actions: assign({ pinLength: ({ event }) => event.length }) }, CANCEL: 'ejecting' },
          },
          pinChangeNewBlock: {
            invoke: {
              src: 'pinBlock',
              input: ({ context }) => ({ card: context.card! }),
              onDone: [
                {
                  guard: ({ event, context }) => event.output !== null && context.pinChange.current !== undefined && s.samePin(event.output, context.pinChange.current),
                  target: 'pinChangeRejected',
                  actions: assign({ message: 'msg.newPinSameAsOld' }),
                },
                { guard: ({ event }) => event.output !== null, target: 'pinChangeConfirm', actions: assign({ pinChange: ({ context, event }) => ({ ...context.pinChange, next: event.output!, step: 'confirm' as const }) }) },
                { target: 'ejecting', actions: assign({ message: 'msg.technicalProblem' }) },
              ],
              onError: 'ejecting',
            },
          },
          pinChangeConfirm: {
            entry: assign({ pinLength: 0 }),
            invoke: {
              src: 'pinEntry',
              onDone: [{ guard: ({ event }) => event.output === 'entered', target: 'pinChangeConfirmBlock' }, { target: 'ejecting' }],
              onError: 'ejecting',
            },
            on: { PIN_DIGITS: { actions: assign({ pinLength: ({ event }) => event.length }) }, CANCEL: 'ejecting' },
          },
          pinChangeConfirmBlock: {
            invoke: {
              src: 'pinBlock',
              input: ({ context }) => ({ card: context.card! }),
              onDone: [
                { guard: ({ event, context }) => event.output !== null && context.pinChange.next !== undefined && s.samePin(event.output, context.pinChange.next), target: 'authorizing' },
                { target: 'pinChangeRejected', actions: assign({ message: 'msg.newPinMismatch', pinChange: ({ context }) => ({ current: context.pinChange.current, step: 'new' as const }) }) },
              ],
              onError: 'ejecting',
            },
          },
          pinChangeRejected: {
            after: { message: 'pinChangeNew' },
            on: { SELECT: [{ guard: ({ event }) => event.option === 'cancel', target: 'ejecting' }, { target: 'pinChangeNew' }], CANCEL: 'ejecting' },
          },
          pinChanged: {
            on: {
              SELECT: [
                { guard: ({ event }) => event.option === 'another', target: 'pin', actions: assign({ pending: null }) },
                { target: 'ejecting' },
              ],
              CANCEL: 'ejecting',
            },
            after: { screenTimeout: 'ejecting' },
          },
          menu: {
            on: {
              SELECT: [
                { guard: ({ event }) => event.option === 'withdrawal', target: 'amount' },
                { guard: ({ event }) => event.option === 'balance', target: 'authorizing', actions: assign({ pending: { kind: 'balance' } }) },
                { guard: ({ event }) => event.option === 'statement', target: 'authorizing', actions: assign({ pending: { kind: 'statement' } }) },
                { guard: ({ event }) => event.option === 'pinChange', target: 'pinChangeCurrent', actions: assign({ pending: { kind: 'pinChange' } }) },
                { guard: ({ event, context }) => event.option === 'transfer' && o.transfers.enabled && context.mode === 'card', target: 'transferAccounts', actions: assign({ pending: null, transferAccounts: null }) },
                { guard: ({ event }) => event.option.startsWith('lang:') && o.languages.includes(event.option.slice(5)), actions: assign({ lang: ({ event }) => event.option.slice(5) }) },
                { guard: ({ event }) => event.option === 'cancel', target: 'ejecting' },
              ],
              CANCEL: 'ejecting',
            },
            after: { screenTimeout: { target: 'moreTime', actions: assign({ returnTo: 'menu' }) } },
          },
          amount: {
            on: {
              SELECT: [
                {
                  guard: ({ event }) => anyFast(event.option),
                  target: 'checkingAmount',
                  actions: assign({ pending: ({ event }) => ({ kind: 'withdrawal' as const, amount: Number(event.option.slice(5)) }) }),
                },
                { guard: ({ event }) => event.option === 'other', target: 'otherAmount' },
                { guard: ({ event }) => event.option === 'cancel', target: 'ejecting' },
              ],
              CANCEL: 'ejecting',
            },
            after: { screenTimeout: { target: 'moreTime', actions: assign({ returnTo: 'amount' }) } },
          },
          otherAmount: {
            entry: assign({ amountEntry: '', message: null }),
            invoke: {
              src: 'amountEntry',
              onDone: [
                {
                  guard: ({ event }) => event.output.kind === 'entered' && validOtherAmount(event.output.digits, o),
                  target: 'checkingAmount',
                  actions: assign({ pending: ({ event }) => ({ kind: 'withdrawal' as const, amount: Number(event.output.kind === 'entered' ? event.output.digits : 0) * o.minorPerMajor }) }),
                },
                { guard: ({ event }) => event.output.kind === 'entered', target: 'amountRejected' },
                { guard: ({ event }) => event.output.kind === 'timeout', target: 'moreTime', actions: assign({ returnTo: 'otherAmount' }) },
                { target: 'amount' },
              ],
              onError: 'amount',
            },
            on: { DATA_DIGIT: { actions: assign({ amountEntry: ({ context, event }) => (context.amountEntry + event.digit).slice(0, 6) }) }, CANCEL: 'amount' },
          },
          checkingAmount: {
            invoke: {
              src: 'checkAmount',
              input: ({ context }) => ({ amount: context.pending?.kind === 'withdrawal' ? context.pending.amount : 0 }),
              onDone: [{ guard: ({ event }) => event.output, target: 'denominationCheck' }, { target: 'amountRejected' }],
              onError: 'amountRejected',
            },
          },
          denominationCheck: {
            entry: assign({ preferDenomination: 0, denominations: [] }),
            invoke: {
              src: 'denominationChoices',
              input: ({ context }) => ({ amount: context.pending?.kind === 'withdrawal' ? context.pending.amount : 0 }),
              onDone: [
                { guard: ({ event }) => event.output.length > 0, target: 'denomination', actions: assign({ denominations: ({ event }) => event.output }) },
                { target: 'receiptQuestion' },
              ],
              onError: 'receiptQuestion',
            },
          },
          denomination: {
            on: {
              SELECT: [
                { guard: ({ event }) => event.option === 'mix:auto', target: 'receiptQuestion' },
                {
                  guard: ({ event, context }) => event.option.startsWith('mix:') && context.denominations.includes(Number(event.option.slice(4))),
                  target: 'receiptQuestion',
                  actions: assign({ preferDenomination: ({ event }) => Number(event.option.slice(4)) }),
                },
                { guard: ({ event }) => event.option === 'cancel', target: 'ejecting' },
              ],
              CANCEL: 'ejecting',
            },
            after: { screenTimeout: 'receiptQuestion' },
          },
          amountRejected: {
            entry: assign({ message: 'msg.amountNotAvailable', pending: null }),
            after: { message: 'amount' },
            on: { SELECT: [{ guard: ({ event }) => event.option === 'cancel', target: 'ejecting' }, { target: 'amount' }], CANCEL: 'ejecting' },
          },
          receiptQuestion: {
            on: {
              SELECT: [
                { guard: ({ event }) => event.option === 'receiptYes', target: 'authorizing', actions: assign({ wantReceipt: true }) },
                { guard: ({ event }) => event.option === 'receiptNo', target: 'authorizing', actions: assign({ wantReceipt: false }) },
                { guard: ({ event }) => event.option === 'cancel', target: 'ejecting' },
              ],
              CANCEL: 'ejecting',
            },
            after: { screenTimeout: { target: 'moreTime', actions: assign({ returnTo: 'receiptQuestion' }) } },
          },
          transferAccounts: {
            on: {
              SELECT: [
                {
                  guard: ({ event }) => TRANSFER_DIRECTIONS.some((d) => event.option === `xfer:${d.from}:${d.to}`),
                  target: 'transferAmount',
                  actions: assign({ transferAccounts: ({ event }) => TRANSFER_DIRECTIONS.find((d) => event.option === `xfer:${d.from}:${d.to}`)! }),
                },
                { guard: ({ event }) => event.option === 'cancel', target: 'ejecting' },
              ],
              CANCEL: 'ejecting',
            },
            after: { screenTimeout: { target: 'moreTime', actions: assign({ returnTo: 'transferAccounts' }) } },
          },
          transferAmount: {
            entry: assign({ amountEntry: '', message: null }),
            invoke: {
              src: 'transferAmountEntry',
              onDone: [
                {
                  guard: ({ event, context }) => event.output.kind === 'entered' && !!context.transferAccounts && transferAmountOf(event.output.digits, o) !== null,
                  target: 'transferConfirm',
                  actions: assign({
                    pending: ({ event, context }) => ({
                      kind: 'transfer' as const,
                      amount: transferAmountOf(event.output.kind === 'entered' ? event.output.digits : '', o) ?? 0,
                      from: context.transferAccounts!.from,
                      to: context.transferAccounts!.to,
                    }),
                  }),
                },
                { guard: ({ event }) => event.output.kind === 'entered', target: 'transferAmountRejected' },
                { guard: ({ event }) => event.output.kind === 'timeout', target: 'moreTime', actions: assign({ returnTo: 'transferAmount' }) },
                { target: 'transferAccounts' },
              ],
              onError: 'transferAccounts',
            },
            on: { DATA_DIGIT: { actions: assign({ amountEntry: ({ context, event }) => (context.amountEntry + event.digit).slice(0, 7) }) }, CANCEL: 'transferAccounts' },
          },
          transferAmountRejected: {
            entry: assign({ message: 'msg.transferAmountInvalid', pending: null }),
            after: { message: 'transferAmount' },
            on: { SELECT: [{ guard: ({ event }) => event.option === 'cancel', target: 'ejecting' }, { target: 'transferAmount' }], CANCEL: 'ejecting' },
          },
          transferConfirm: {
            on: {
              SELECT: [
                { guard: ({ event, context }) => event.option === 'confirm' && context.pending?.kind === 'transfer', target: 'authorizing' },
                { guard: ({ event }) => event.option === 'change', target: 'transferAmount' },
                { guard: ({ event }) => event.option === 'cancel', target: 'ejecting' },
              ],
              CANCEL: 'ejecting',
            },
            after: { screenTimeout: { target: 'moreTime', actions: assign({ returnTo: 'transferConfirm' }) } },
          },
          transferDone: {
            on: {
              SELECT: [
                { guard: ({ event }) => event.option === 'printReceipt', target: 'printingTransfer' },
                { guard: ({ event }) => event.option === 'another', target: 'pin', actions: assign({ pending: null, transferAccounts: null }) },
                { target: 'ejecting' },
              ],
              CANCEL: 'ejecting',
            },
            after: { screenTimeout: { target: 'moreTime', actions: assign({ returnTo: 'transferDone' }) } },
          },
          printingTransfer: {
            invoke: {
              src: 'printReceipt',
              input: ({ context }) => ({
                txn: context.auth!.txn,
                card: context.card,
                kind: 'transfer' as const,
                amount: context.pending?.kind === 'transfer' ? context.pending.amount : 0,
                available: context.auth?.availableBalance,
                ...(context.pending?.kind === 'transfer' ? { transfer: { from: context.pending.from, to: context.pending.to } } : {}),
              }),
              onDone: [{ guard: ({ event }) => event.output, target: 'ejecting' }, { target: 'ejecting', actions: assign({ message: 'msg.receiptUnavailable' }) }],
              onError: 'ejecting',
            },
          },
          authorizing: {
            entry: assign({ appChoices: null }),
            exit: assign({ appChoices: null }),
            on: {
              APP_CHOICE: { actions: assign({ appChoices: ({ event }) => event.apps }) },
              SELECT: { guard: ({ context, event }) => !!context.appChoices && (event.option === 'cancel' || event.option.startsWith('app:')), actions: [({ event }) => o.onAppChosen?.(event.option === 'cancel' ? undefined : event.option.slice(4)), assign({ appChoices: null })] },
            },
            invoke: {
              src: 'authorize',
              input: ({ context }) => ({
                op: context.pending!,
                card: context.card!,
                mode: context.mode,
                cardless: context.cardless,
                pinChange: context.pinChange,
                pinless: context.mode === 'code' && !o.cardless.oneTimeCodePin,
              }),
              onDone: [
                {
                  guard: ({ event }) => !!event.output.chipFailed,
                  target: 'ejecting',
                  actions: assign({ auth: ({ event }) => event.output, message: 'msg.chipUnusable' }),
                },
                {
                  guard: ({ event }) => !!event.output.hostUnavailable,
                  target: 'ejecting',
                  actions: assign({ auth: ({ event }) => event.output, message: 'msg.hostUnavailable' }),
                },
                {
                  guard: ({ event, context }) => event.output.responseCode === RC.approved && context.pending?.kind === 'withdrawal',
                  target: 'dispensing',
                  actions: assign({ auth: ({ event }) => event.output }),
                },
                {
                  guard: ({ event, context }) => event.output.responseCode === RC.approved && context.pending?.kind === 'statement',
                  target: 'printingStatement',
                  actions: assign({ auth: ({ event }) => event.output }),
                },
                {
                  guard: ({ event, context }) => event.output.responseCode === RC.approved && context.pending?.kind === 'transfer',
                  target: 'transferDone',
                  actions: assign({ auth: ({ event }) => event.output }),
                },
                {
                  guard: ({ event, context }) => event.output.responseCode === RC.approved && context.pending?.kind === 'pinChange',
                  target: 'pinChanged',
                  actions: assign({ auth: ({ event }) => event.output, pinChange: { step: 'new' } }),
                },
                {
                  guard: ({ event }) => event.output.responseCode === RC.approved,
                  target: 'balanceResult',
                  actions: assign({ auth: ({ event }) => event.output }),
                },
                {
                  guard: ({ event }) => event.output.responseCode === RC.wrongPin,
                  target: 'wrongPin',
                  actions: assign({ auth: ({ event }) => event.output, wrongPins: ({ context }) => context.wrongPins + 1 }),
                },
                {
                  guard: ({ event }) => o.captureCards && CAPTURE_CODES.has(event.output.responseCode),
                  target: 'retaining',
                  actions: assign({ auth: ({ event }) => event.output, message: ({ event }) => (event.output.responseCode === RC.pinTriesExceeded ? 'msg.pinTriesExceeded' : 'msg.cardRetainedContactBank') }),
                },
                {
                  target: 'declined',
                  actions: assign({ auth: ({ event }) => event.output, message: ({ event }) => declineMessage(event.output.responseCode) }),
                },
              ],
              onError: { target: 'ejecting', actions: assign({ message: 'msg.technicalProblem' }) },
            },
          },
          wrongPin: {
            entry: assign({ message: 'msg.wrongPin' }),
            after: { message: 'pin' },
            on: { SELECT: [{ guard: ({ event }) => event.option === 'cancel', target: 'ejecting' }, { target: 'pin' }], CANCEL: 'ejecting' },
          },
          declined: {
            on: {
              SELECT: [
                { guard: ({ event }) => event.option === 'another', target: 'pin', actions: assign({ pending: null, message: null }) },
                { target: 'ejecting', actions: assign({ message: null }) },
              ],
              CANCEL: { target: 'ejecting', actions: assign({ message: null }) },
            },
            after: { screenTimeout: { target: 'moreTime', actions: assign({ returnTo: 'declined' }) } },
          },
          balanceResult: {
            on: {
              SELECT: [
                { guard: ({ event }) => event.option === 'printBalance', target: 'printingBalance' },
                { guard: ({ event }) => event.option === 'another', target: 'pin', actions: assign({ pending: null }) },
                { target: 'ejecting' },
              ],
              CANCEL: 'ejecting',
            },
            after: { screenTimeout: { target: 'moreTime', actions: assign({ returnTo: 'balanceResult' }) } },
          },
          printingStatement: {
            invoke: {
              src: 'printStatement',
              input: ({ context }) => ({ txn: context.auth!.txn, card: context.card!, lines: context.auth?.statement ?? [], available: context.auth?.availableBalance }),
              onDone: [{ guard: ({ event }) => event.output, target: 'ejecting', actions: assign({ message: 'msg.takeCardAndStatement' }) }, { target: 'ejecting', actions: assign({ message: 'msg.receiptUnavailable' }) }],
              onError: 'ejecting',
            },
          },
          printingBalance: {
            invoke: {
              src: 'printReceipt',
              input: ({ context }) => ({ txn: context.auth!.txn, card: context.card, kind: 'balance' as const, available: context.auth?.availableBalance, ledger: context.auth?.ledgerBalance }),
              onDone: 'ejecting',
              onError: 'ejecting',
            },
          },
          dispensing: {
            invoke: {
              src: 'dispense',
              input: ({ context }) => ({ txn: context.auth!.txn, amount: context.pending?.kind === 'withdrawal' ? context.pending.amount : 0, prefer: context.preferDenomination }),
              onDone: [
                { guard: ({ event, context }) => event.output.ok && context.mode !== 'card', target: 'presenting', actions: assign({ dispensed: ({ event }) => event.output }) },
                { guard: ({ event }) => event.output.ok, target: 'returningCard', actions: assign({ dispensed: ({ event }) => event.output }) },
                { target: 'ejecting', actions: assign({ dispensed: ({ event }) => event.output, message: 'msg.dispenseFailed' }) },
              ],
              onError: { target: 'ejecting', actions: assign({ message: 'msg.technicalProblem' }) },
            },
          },
          returningCard: {
            entry: assign({ taken: ({ context }) => ({ ...context.taken, card: false }) }),
            on: { CARD_TAKEN: { actions: assign({ taken: ({ context }) => ({ ...context.taken, card: true }) }) } },
            invoke: {
              src: 'ejectCard',
              onDone: [
                { guard: ({ event, context }) => event.output && context.taken.card, target: 'presenting' },
                { guard: ({ event }) => event.output, target: 'takeCardBeforeCash' },
                { target: 'cancelCash', actions: assign({ message: 'msg.technicalProblem' }) },
              ],
              onError: { target: 'cancelCash' },
            },
          },
          takeCardBeforeCash: {
            on: { CARD_TAKEN: 'presenting' },
            after: { cardTake: { target: 'retainingBeforeCash' } },
          },
          retainingBeforeCash: {
            invoke: { src: 'retainCard', input: { reason: 'notTaken' }, onDone: 'cancelCash', onError: 'cancelCash' },
          },
          cancelCash: {
            invoke: {
              src: 'rejectStacked',
              input: ({ context }) => ({ txn: context.auth!.txn }),
              onDone: { target: 'goodbye', actions: assign({ message: 'msg.transactionCanceled' }) },
              onError: { target: 'goodbye', actions: assign({ message: 'msg.transactionCanceled' }) },
            },
          },
          presenting: {
            entry: assign({ taken: ({ context }) => ({ ...context.taken, cash: false }) }),
            on: { CASH_TAKEN: { actions: assign({ taken: ({ context }) => ({ ...context.taken, cash: true }) }) } },
            invoke: {
              src: 'present',
              input: ({ context }) => ({ txn: context.auth!.txn }),
              onDone: [
                { guard: ({ event, context }) => event.output && context.taken.cash && context.wantReceipt, target: 'printing', actions: ({ context }) => s.cashTaken(context.auth!.txn) },
                { guard: ({ event, context }) => event.output && context.taken.cash, target: 'goodbye', actions: ({ context }) => s.cashTaken(context.auth!.txn) },
                { guard: ({ event }) => event.output, target: 'takeCash' },
                { target: 'goodbye', actions: assign({ message: 'msg.dispenseFailed' }) },
              ],
              onError: { target: 'goodbye', actions: assign({ message: 'msg.technicalProblem' }) },
            },
          },
          takeCash: {
            on: {
              CASH_TAKEN: [
                { guard: ({ context }) => context.wantReceipt, target: 'printing', actions: ({ context }) => s.cashTaken(context.auth!.txn) },
                { target: 'goodbye', actions: ({ context }) => s.cashTaken(context.auth!.txn) },
              ],
            },
            after: { cashTake: [{ guard: () => o.cashNotTaken === 'leave', target: 'cashLeft' }, { target: 'retracting' }] },
          },
          cashLeft: {
            entry: ({ context }) => s.cashLeftInSlot(context.auth!.txn),
            on: {
              CASH_TAKEN: [
                { guard: ({ context }) => context.wantReceipt, target: 'printing', actions: ({ context }) => s.cashTaken(context.auth!.txn) },
                { target: 'goodbye', actions: ({ context }) => s.cashTaken(context.auth!.txn) },
              ],
            },
          },
          retracting: {
            invoke: {
              src: 'retractCash',
              input: ({ context }) => ({ txn: context.auth!.txn }),
              onDone: { target: 'goodbye', actions: assign({ message: 'msg.cashRetracted' }) },
              onError: { target: 'goodbye', actions: assign({ message: 'msg.cashRetracted' }) },
            },
          },
          printing: {
            entry: assign({ taken: ({ context }) => ({ ...context.taken, receipt: false }) }),
            on: { RECEIPT_TAKEN: { actions: assign({ taken: ({ context }) => ({ ...context.taken, receipt: true }) }) } },
            invoke: {
              src: 'printReceipt',
              input: ({ context }) => ({
                txn: context.auth!.txn,
                card: context.card,
                kind: 'withdrawal' as const,
                amount: context.dispensed?.amount,
                available: context.auth?.availableBalance,
              }),
              onDone: [
                { guard: ({ event, context }) => event.output && context.taken.receipt, target: 'goodbye' },
                { guard: ({ event }) => event.output, target: 'takeReceipt' },
                { target: 'goodbye', actions: assign({ message: 'msg.receiptUnavailable' }) },
              ],
              onError: { target: 'goodbye' },
            },
          },
          takeReceipt: {
            on: { RECEIPT_TAKEN: 'goodbye' },
            after: { receiptTake: 'goodbye' },
          },
          ejecting: {
            always: { guard: ({ context }) => context.mode !== 'card', target: 'goodbye' },
            entry: assign({ taken: ({ context }) => ({ ...context.taken, card: false }) }),
            on: { CARD_TAKEN: { actions: assign({ taken: ({ context }) => ({ ...context.taken, card: true }) }) } },
            invoke: {
              src: 'ejectCard',
              onDone: [
                { guard: ({ event, context }) => event.output && context.taken.card, target: 'goodbye' },
                { guard: ({ event }) => event.output, target: 'takeCard' },
                { target: 'retaining', actions: assign({ message: 'msg.technicalProblem' }) },
              ],
              onError: { target: 'retaining' },
            },
          },
          takeCard: {
            on: { CARD_TAKEN: 'goodbye' },
            after: { cardTake: { target: 'retaining', actions: assign({ message: 'msg.cardRetainedNotTaken' }) } },
          },
          retaining: {
            always: { guard: ({ context }) => context.mode !== 'card', target: 'goodbye' },
            invoke: {
              src: 'retainCard',
              input: ({ context }) => ({ reason: context.message ?? 'retain' }),
              onDone: 'cardRetained',
              onError: 'cardRetained',
            },
          },
          cardRetained: {
            after: { message: 'idle' },
          },
          cardlessAmount: {
            on: {
              SELECT: [
                { guard: ({ event }) => anyFast(event.option), target: 'cardlessCheck', actions: assign({ pending: ({ event }) => ({ kind: 'withdrawal' as const, amount: Number(event.option.slice(5)) }) }) },
                { target: 'goodbye', actions: assign({ message: null }) },
              ],
              CANCEL: 'goodbye',
            },
            after: { screenTimeout: 'goodbye' },
          },
          cardlessCheck: {
            invoke: {
              src: 'checkAmount',
              input: ({ context }) => ({ amount: context.pending?.kind === 'withdrawal' ? context.pending.amount : 0 }),
              onDone: [{ guard: ({ event }) => event.output, target: 'cardlessQr' }, { target: 'goodbye', actions: assign({ message: 'msg.amountNotAvailable' }) }],
              onError: { target: 'goodbye', actions: assign({ message: 'msg.technicalProblem' }) },
            },
          },
          cardlessQr: {
            invoke: {
              src: 'cardlessQr',
              input: ({ context }) => ({ amount: context.pending?.kind === 'withdrawal' ? context.pending.amount : 0 }),
              onDone: { target: 'cardlessWaiting', actions: assign({ cardless: ({ event }) => event.output }) },
              onError: { target: 'goodbye', actions: assign({ message: 'msg.technicalProblem' }) },
            },
          },
          cardlessWaiting: {
            initial: 'polling',
            on: { CANCEL: 'goodbye', SELECT: { guard: ({ event }) => event.option === 'cancel', target: 'goodbye' } },
            after: { [o.cardless.qrTimeoutMs]: { target: 'goodbye', actions: assign({ message: 'msg.qrExpired' }) } },
            states: {
              polling: {
                invoke: {
                  src: 'cardlessStatus',
                  input: ({ context }) => ({ kind: 'qr' as const, ref: context.cardless!.reference }),
                  onDone: [
                    {
                      guard: ({ event, context }) => event.output.status === 'confirmed' && context.pending?.kind === 'withdrawal' && event.output.amount === context.pending.amount,
                      target: '#atm.inService.pin',
                      actions: assign({
                        card: ({ event }) => (event.output.status === 'confirmed' ? event.output.card : null),
                        cardless: ({ context, event }) => ({ ...context.cardless!, confirmed: event.output.status === 'confirmed' ? event.output.reference : undefined }),
                      }),
                    },
                    { guard: ({ event }) => event.output.status === 'pending' || event.output.status === 'unavailable', target: 'waiting' },
                    { target: '#atm.inService.goodbye', actions: assign({ message: 'msg.qrRejected' }) },
                  ],
                  onError: 'waiting',
                },
              },
              waiting: { after: { poll: 'polling' } },
            },
          },
          codeEntry: {
            entry: assign({ amountEntry: '' }),
            invoke: [
              {
                // The code can also be shown to the scanner from the banking app.
                src: 'scanCode',
                onDone: [
                  { guard: ({ event }) => /^\d{6,8}$/.test(event.output), target: 'codeChecking', actions: assign({ cardless: ({ event }) => ({ reference: event.output, startedAt: Date.now() }) }) },
                  { target: 'codeRejected' },
                ],
              },
              {
              src: 'codeEntry',
              onDone: [
                { guard: ({ event }) => event.output.kind === 'entered' && /^\d{6,8}$/.test(event.output.digits), target: 'codeChecking', actions: assign({ cardless: ({ event }) => ({ reference: event.output.kind === 'entered' ? event.output.digits : '', startedAt: Date.now() }) }) },
                { guard: ({ event }) => event.output.kind === 'entered', target: 'codeRejected' },
                { guard: ({ event }) => event.output.kind === 'timeout', target: 'moreTime', actions: assign({ returnTo: 'codeEntry' }) },
                { target: 'goodbye' },
              ],
              onError: 'goodbye',
              },
            ],
            on: { DATA_DIGIT: { actions: assign({ amountEntry: ({ context, event }) => (context.amountEntry + event.digit).slice(0, 8) }) }, CANCEL: 'goodbye' },
          },
          codeChecking: {
            invoke: {
              src: 'cardlessStatus',
              input: ({ context }) => ({ kind: 'code' as const, ref: context.cardless!.reference }),
              onDone: [
                {
                  guard: ({ event }) => event.output.status === 'confirmed',
                  target: 'codeConfirmed',
                  actions: assign({
                    card: ({ event }) => (event.output.status === 'confirmed' ? event.output.card : null),
                    pending: ({ event }) => ({ kind: 'withdrawal' as const, amount: event.output.status === 'confirmed' ? event.output.amount : 0 }),
                    cardless: ({ context, event }) => ({ ...context.cardless!, confirmed: event.output.status === 'confirmed' ? event.output.reference : undefined }),
                  }),
                },
                { guard: ({ event }) => event.output.status === 'unavailable', target: 'goodbye', actions: assign({ message: 'msg.hostUnavailable' }) },
                { target: 'codeRejected' },
              ],
              onError: 'goodbye',
            },
          },
          codeConfirmed: {
            invoke: {
              src: 'checkAmount',
              input: ({ context }) => ({ amount: context.pending?.kind === 'withdrawal' ? context.pending.amount : 0 }),
              onDone: [
                { guard: ({ event }) => !event.output, target: 'goodbye', actions: assign({ message: 'msg.amountNotAvailable' }) },
                { guard: () => o.cardless.oneTimeCodePin, target: 'pin' },
                { target: 'authorizing' },
              ],
              onError: { target: 'goodbye', actions: assign({ message: 'msg.technicalProblem' }) },
            },
          },
          codeRejected: {
            entry: assign({ message: 'msg.codeRejected' }),
            after: { message: 'goodbye' },
            on: { SELECT: [{ guard: ({ event }) => event.option === 'retry', target: 'codeEntry', actions: assign({ message: null }) }, { target: 'goodbye' }], CANCEL: 'goodbye' },
          },
          moreTime: {
            on: {
              SELECT: [
                ...moreTimeTargets.map((t) => ({
                  guard: ({ context, event }: { context: AtmContext; event: AtmEvent }) => event.type === 'SELECT' && event.option === 'yes' && context.returnTo === t,
                  target: t,
                })),
                { target: 'ejecting' },
              ],
              CANCEL: 'ejecting',
            },
            after: { moreTime: 'ejecting' },
          },
          goodbye: {
            after: { message: 'idle' },
          },
        },
      },
    },
  });
}

export type AtmMachine = ReturnType<typeof createAtmMachine>;
