/**
 * Maps the machine's state to the ScreenModel the renderer draws. Labels are catalogue keys; the renderer
 * translates. Option ids are exactly what the state accepts as SELECT, and each gets an FDK so the whole flow
 * is operable from the PIN pad and function keys alone.
 */
import type { SnapshotFrom } from 'xstate';
import type { Fdk, ScreenId, ScreenModel, ScreenOption } from '../common/contract';
import { TRANSFER_DIRECTIONS, type AtmMachine } from './atm-machine';

export interface ScreenSettings {
  locale: string;
  currency: string;
  fastCash: number[];
  languages: string[];
  cardless: { qr: boolean; oneTimeCode: boolean };
  /** Transfers between the card's own accounts offered in the menu, and the largest (minor units). */
  transfers: { enabled: boolean; maxAmount: number };
  now: () => number;
  timers: { screenTimeoutMs: number; moreTimeMs: number; cardTakeMs: number; cashTakeMs: number };
}

const LEFT: Fdk[] = ['fdk01', 'fdk02', 'fdk03', 'fdk04'];
const RIGHT: Fdk[] = ['fdk05', 'fdk06', 'fdk07', 'fdk08'];

function withFdks(options: Array<Omit<ScreenOption, 'fdk'>>): ScreenOption[] {
  // Fill the right column first (like most ATM layouts put "continue" options on the right), then the left.
  const order = [...RIGHT, ...LEFT];
  return options.map((o, i) => ({ ...o, fdk: order[i] }));
}

type Snapshot = SnapshotFrom<AtmMachine>;

/** Catalogue keys per transfer direction (literal, so the catalogue test finds them). */
const TRANSFER_KEYS: Record<string, { option: string; confirm: string }> = {
  'savings:checking': { option: 'opt.transfer.savings.checking', confirm: 'msg.transfer.savings.checking' },
  'checking:savings': { option: 'opt.transfer.checking.savings', confirm: 'msg.transfer.checking.savings' },
};

export function screenOf(snap: Snapshot, seq: number, st: ScreenSettings): ScreenModel {
  const c = snap.context;
  const base = { seq, params: {} as Record<string, string | number>, options: [] as ScreenOption[], locale: st.locale, currency: st.currency, lang: c.lang };
  const m = (s: ScreenId, extra: Partial<ScreenModel> = {}): ScreenModel => ({ ...base, screen: s, ...extra });
  const timeout = (ms: number) => st.now() + ms;

  if (snap.matches('starting')) return m('starting', { title: 'screen.starting' });
  if (snap.matches('outOfService'))
    return m('outOfService', { title: 'screen.outOfService', message: c.forcedOut ? 'msg.closedForService' : c.online ? 'msg.technicalProblem' : 'msg.hostUnavailable' });
  if (snap.matches('supervisor')) return m('supervisor', { title: 'screen.supervisor' });

  const s = snap.matches.bind(snap);
  if (s({ inService: 'idle' }))
    return m('welcome', {
      title: 'screen.welcome',
      message: 'msg.insertCard',
      options: withFdks([
        ...(st.cardless.qr ? [{ id: 'cardless', label: 'opt.cardlessQr' }] : []),
        ...(st.cardless.oneTimeCode ? [{ id: 'code', label: 'opt.oneTimeCode' }] : []),
        ...(st.languages.length > 1 ? st.languages.filter((l) => l !== c.lang).map((l) => ({ id: `lang:${l}`, label: `lang.${l}` })) : []),
      ]),
    });
  if (s({ inService: 'pin' }) || s({ inService: 'afterPin' }) || s({ inService: 'pinChangeCurrent' }))
    return m('enterPin', { title: 'screen.enterPin', message: 'msg.pinPrivacy', pinLength: c.pinLength, options: withFdks([{ id: 'cancel', label: 'opt.cancel' }]), timeoutAt: timeout(st.timers.screenTimeoutMs) });
  if (s({ inService: 'pinChangeNew' }) || s({ inService: 'pinChangeNewBlock' }))
    return m('enterPin', { title: 'screen.enterNewPin', message: 'msg.pinPrivacy', pinLength: c.pinLength, options: withFdks([{ id: 'cancel', label: 'opt.cancel' }]) });
  if (s({ inService: 'pinChangeConfirm' }) || s({ inService: 'pinChangeConfirmBlock' }))
    return m('enterPin', { title: 'screen.confirmNewPin', message: 'msg.pinPrivacy', pinLength: c.pinLength, options: withFdks([{ id: 'cancel', label: 'opt.cancel' }]) });
  if (s({ inService: 'pinChangeRejected' }))
    return m('declined', { title: 'screen.sorry', message: c.message ?? 'msg.newPinMismatch', options: withFdks([{ id: 'retry', label: 'opt.tryAgain' }, { id: 'cancel', label: 'opt.cancel' }]) });
  if (s({ inService: 'pinChanged' }))
    return m('pinChanged', { title: 'screen.pinChanged', message: 'msg.pinChanged', options: withFdks([{ id: 'another', label: 'opt.anotherTransaction' }, { id: 'done', label: 'opt.finish' }]), timeoutAt: timeout(st.timers.screenTimeoutMs) });
  if (s({ inService: 'cardlessAmount' }))
    return m('amount', {
      title: 'screen.cardlessAmount',
      options: withFdks([...st.fastCash.map((a) => ({ id: `fast:${a}`, label: 'opt.amount', params: { amount: a } })), { id: 'cancel', label: 'opt.cancel' }]),
      timeoutAt: timeout(st.timers.screenTimeoutMs),
    });
  if (s({ inService: 'cardlessCheck' }) || s({ inService: 'cardlessQr' }) || s({ inService: 'codeChecking' }) || s({ inService: 'codeConfirmed' }))
    return m('processing', { title: 'screen.processing', message: 'msg.pleaseWait' });
  if (s({ inService: 'cardlessWaiting' }))
    return m('showQr', {
      title: 'screen.scanQr',
      message: 'msg.scanQr',
      params: { amount: c.pending?.kind === 'withdrawal' ? c.pending.amount : 0 },
      ...(c.cardless?.qr ? { qr: c.cardless.qr } : {}),
      options: withFdks([{ id: 'cancel', label: 'opt.cancel' }]),
    });
  if (s({ inService: 'codeEntry' }))
    return m('codeEntry', { title: 'screen.codeEntry', message: 'msg.codeEntryHelp', pinLength: c.amountEntry.length, options: withFdks([{ id: 'cancel', label: 'opt.cancel' }]), timeoutAt: timeout(st.timers.screenTimeoutMs) });
  if (s({ inService: 'codeRejected' }))
    return m('declined', { title: 'screen.sorry', message: 'msg.codeRejected', options: withFdks([{ id: 'retry', label: 'opt.tryAgain' }, { id: 'cancel', label: 'opt.cancel' }]) });
  if (s({ inService: 'menu' }))
    return m('menu', {
      title: 'screen.menu',
      options: withFdks([
        { id: 'withdrawal', label: 'opt.withdrawal' },
        { id: 'balance', label: 'opt.balance' },
        { id: 'statement', label: 'opt.statement' },
        { id: 'pinChange', label: 'opt.pinChange' },
        ...(st.transfers.enabled && c.mode === 'card' ? [{ id: 'transfer', label: 'opt.transfer' }] : []),
        ...(st.languages.length > 1 ? st.languages.filter((l) => l !== c.lang).map((l) => ({ id: `lang:${l}`, label: `lang.${l}` })) : []),
        { id: 'cancel', label: 'opt.cancel' },
      ]),
      timeoutAt: timeout(st.timers.screenTimeoutMs),
    });
  if (s({ inService: 'amount' }))
    return m('amount', {
      title: 'screen.amount',
      options: withFdks([
        ...st.fastCash.map((a) => ({ id: `fast:${a}`, label: 'opt.amount', params: { amount: a } })),
        { id: 'other', label: 'opt.otherAmount' },
        { id: 'cancel', label: 'opt.cancel' },
      ]),
      timeoutAt: timeout(st.timers.screenTimeoutMs),
    });
  if (s({ inService: 'transferAccounts' }))
    return m('transferAccounts', {
      title: 'screen.transferAccounts',
      options: withFdks([
        ...TRANSFER_DIRECTIONS.map((d) => ({ id: `xfer:${d.from}:${d.to}`, label: TRANSFER_KEYS[`${d.from}:${d.to}`]!.option })),
        { id: 'cancel', label: 'opt.cancel' },
      ]),
      timeoutAt: timeout(st.timers.screenTimeoutMs),
    });
  if (s({ inService: 'transferAmount' }))
    return m('transferAmount', {
      title: 'screen.transferAmount',
      message: 'msg.transferAmountHelp',
      params: { amount: st.transfers.maxAmount },
      amountEntry: c.amountEntry,
      timeoutAt: timeout(st.timers.screenTimeoutMs),
    });
  if (s({ inService: 'transferAmountRejected' }))
    return m('declined', { title: 'screen.sorry', message: 'msg.transferAmountInvalid', params: { amount: st.transfers.maxAmount }, options: withFdks([{ id: 'ok', label: 'opt.ok' }, { id: 'cancel', label: 'opt.cancel' }]) });
  if (s({ inService: 'transferConfirm' }) && c.pending?.kind === 'transfer')
    return m('transferConfirm', {
      title: 'screen.transferConfirm',
      message: TRANSFER_KEYS[`${c.pending.from}:${c.pending.to}`]!.confirm,
      params: { amount: c.pending.amount },
      options: withFdks([
        { id: 'confirm', label: 'opt.confirm' },
        { id: 'change', label: 'opt.changeAmount' },
        { id: 'cancel', label: 'opt.cancel' },
      ]),
      timeoutAt: timeout(st.timers.screenTimeoutMs),
    });
  if (s({ inService: 'transferDone' }))
    return m('transferDone', {
      title: 'screen.transferDone',
      message: c.auth?.availableBalance !== undefined ? 'msg.transferDoneBalance' : 'msg.transferDone',
      params: { amount: c.pending?.kind === 'transfer' ? c.pending.amount : 0, ...(c.auth?.availableBalance !== undefined ? { available: c.auth.availableBalance } : {}) },
      options: withFdks([
        { id: 'printReceipt', label: 'opt.printReceipt' },
        { id: 'another', label: 'opt.anotherTransaction' },
        { id: 'done', label: 'opt.finish' },
      ]),
      timeoutAt: timeout(st.timers.screenTimeoutMs),
    });
  if (s({ inService: 'otherAmount' }))
    return m('otherAmount', { title: 'screen.otherAmount', message: 'msg.otherAmountHelp', amountEntry: c.amountEntry, timeoutAt: timeout(st.timers.screenTimeoutMs) });
  if (s({ inService: 'amountRejected' }))
    return m('declined', { title: 'screen.sorry', message: 'msg.amountNotAvailable', options: withFdks([{ id: 'ok', label: 'opt.ok' }, { id: 'cancel', label: 'opt.cancel' }]) });
  if (s({ inService: 'denomination' }))
    return m('denomination', {
      title: 'screen.denomination',
      params: { amount: c.pending?.kind === 'withdrawal' ? c.pending.amount : 0 },
      options: withFdks([
        { id: 'mix:auto', label: 'opt.mixAuto' },
        ...c.denominations.map((d) => ({ id: `mix:${d}`, label: 'opt.mixPrefer', params: { amount: d } })),
        { id: 'cancel', label: 'opt.cancel' },
      ]),
      timeoutAt: timeout(st.timers.screenTimeoutMs),
    });
  if (s({ inService: 'denominationCheck' })) return m('processing', { title: 'screen.processing', message: 'msg.pleaseWait' });
  if (s({ inService: 'receiptQuestion' }))
    return m('receiptQuestion', {
      title: 'screen.receiptQuestion',
      options: withFdks([
        { id: 'receiptYes', label: 'opt.yes' },
        { id: 'receiptNo', label: 'opt.no' },
        { id: 'cancel', label: 'opt.cancel' },
      ]),
      timeoutAt: timeout(st.timers.screenTimeoutMs),
    });
  if (s({ inService: 'authorizing' }) && c.appChoices)
    return m('chooseApplication', {
      title: 'screen.chooseApplication',
      options: withFdks([...c.appChoices.map((a) => ({ id: `app:${a.aid}`, label: 'opt.application', params: { name: a.label } })), { id: 'cancel', label: 'opt.cancel' }]),
    });
  if (s({ inService: 'checkingAmount' }) || s({ inService: 'authorizing' }) || s({ inService: 'printingBalance' }) || s({ inService: 'printingStatement' }) || s({ inService: 'printingTransfer' }))
    return m('processing', { title: 'screen.processing', message: 'msg.pleaseWait' });
  if (s({ inService: 'wrongPin' })) return m('declined', { title: 'screen.sorry', message: 'msg.wrongPin', options: withFdks([{ id: 'retry', label: 'opt.tryAgain' }, { id: 'cancel', label: 'opt.cancel' }]) });
  if (s({ inService: 'declined' }))
    return m('declined', {
      title: 'screen.sorry',
      message: c.message ?? 'msg.declined',
      options: withFdks([
        { id: 'another', label: 'opt.anotherTransaction' },
        { id: 'done', label: 'opt.finish' },
      ]),
      timeoutAt: timeout(st.timers.screenTimeoutMs),
    });
  if (s({ inService: 'balanceResult' }))
    return m('balance', {
      title: 'screen.balance',
      params: { available: c.auth?.availableBalance ?? 0, ledger: c.auth?.ledgerBalance ?? c.auth?.availableBalance ?? 0 },
      options: withFdks([
        { id: 'printBalance', label: 'opt.printBalance' },
        { id: 'another', label: 'opt.anotherTransaction' },
        { id: 'done', label: 'opt.finish' },
      ]),
      timeoutAt: timeout(st.timers.screenTimeoutMs),
    });
  if (s({ inService: 'dispensing' })) return m('dispensing', { title: 'screen.dispensing', message: 'msg.countingNotes' });
  if (s({ inService: 'returningCard' }) || s({ inService: 'takeCardBeforeCash' }) || s({ inService: 'ejecting' }) || s({ inService: 'takeCard' }))
    return m('takeCard', {
      title: 'screen.takeCard',
      message: c.message ?? (s({ inService: 'takeCardBeforeCash' }) || s({ inService: 'returningCard' }) ? 'msg.cashFollows' : 'msg.takeCard'),
      timeoutAt: timeout(st.timers.cardTakeMs),
    });
  if (s({ inService: 'presenting' }) || s({ inService: 'takeCash' }))
    return m('takeCash', { title: 'screen.takeCash', params: { amount: c.dispensed?.amount ?? 0 }, timeoutAt: timeout(st.timers.cashTakeMs) });
  if (s({ inService: 'cashLeft' })) return m('takeCash', { title: 'screen.takeCash', message: 'msg.cashLeft', params: { amount: c.dispensed?.amount ?? 0 } });
  if (s({ inService: 'retracting' })) return m('cashRetracted', { title: 'screen.sorry', message: 'msg.cashRetracted' });
  if (s({ inService: 'printing' })) return m('printing', { title: 'screen.printing', message: 'msg.pleaseWait' });
  if (s({ inService: 'takeReceipt' })) return m('takeReceipt', { title: 'screen.takeReceipt' });
  if (s({ inService: 'retaining' }) || s({ inService: 'retainingBeforeCash' }) || s({ inService: 'cardRetained' }))
    return m('cardRetained', { title: 'screen.cardRetained', message: c.message ?? 'msg.cardRetainedContactBank' });
  if (s({ inService: 'cancelCash' })) return m('processing', { title: 'screen.processing', message: 'msg.transactionCanceled' });
  if (s({ inService: 'moreTime' }))
    return m('moreTime', {
      title: 'screen.moreTime',
      options: withFdks([
        { id: 'yes', label: 'opt.yes' },
        { id: 'no', label: 'opt.no' },
      ]),
      timeoutAt: timeout(st.timers.moreTimeMs),
    });
  if (s({ inService: 'goodbye' })) return m('goodbye', { title: 'screen.goodbye', message: c.message ?? 'msg.thankYou' });
  return m('error', { title: 'screen.error', message: 'msg.technicalProblem' });
}
