/**
 * The business steps of a customer session, each one device command or host exchange plus its journal and
 * transaction records. The XState machine sequences them; these keep the money rules:
 *   - nothing is dispensed without an approval,
 *   - the dispense intent is committed before the dispenser moves,
 *   - every cash outcome (incomplete, rejected, retracted, not taken) queues the right reversal.
 */
import type { KioskConfig } from '../config/config';
import type { CardReaderService } from '../../devices/card-reader/types';
import type { DispenserService, NoteCounts } from '../../devices/dispenser/types';
import type { PinPadService } from '../../devices/pinpad/types';
import type { PrinterService } from '../../devices/printer/types';
import type { SensorsService } from '../../devices/sensors/types';
import type { QrReaderService } from '../../devices/qr-reader/types';
import type { Journal } from '../../journals/journal';
import type { TransactionStore } from '../../journals/transactions';
import { isSuccess } from '../../devices/common/types';
import { HostUnavailableError, type HostLink } from '../host/host-link';
import { type HostProfile } from '../host/profile';
import { isExpired, parseTrack2, type CardSession } from './card-data';
import QRCode from 'qrcode';
import { makeAtmWithdrawalQr } from '../cardless/emvco-qr';
import { lastFour, maskPan } from '../../journals/pan';
import { cardlessReferenceField, newPinBlockField, parseStatement, readCardlessConfirmation, transferProcessingCode, type AccountKind } from '../host/messages';
import type { TerminalConfig } from '../emv/terminal-config';
import { fallbackPolicy } from '../emv/fallback-policy';
import { EmvSession } from './emv-session';
import { currencyDigits, decimalAmount, formatMoney } from '../common/money';

export interface AtmDeps {
  config: KioskConfig;
  profile: HostProfile;
  cardReader: CardReaderService;
  dispenser: DispenserService;
  pinpad: PinPadService;
  printer: PrinterService;
  sensors: SensorsService;
  qrReader?: QrReaderService;
  host: HostLink;
  journal: Journal;
  txns: TransactionStore;
  now: () => Date;
  /** Name of the PIN encryption key in the PIN pad's key store. */
  pinKeyName: string;
  /** EMV terminal configuration (country, currency, AIDs); chip is used when set and config.emv.enabled. */
  emvTerminal?: TerminalConfig;
}

export type ReadCardOutcome = { ok: true; card: CardSession } | { ok: false; reason: 'unreadable' | 'expired' | 'deviceError' | 'canceled' };

export type AuthKind = 'withdrawal' | 'balance' | 'statement' | 'pinChange' | 'transfer';

export interface AuthOptions {
  /** A PIN block already taken from the PIN pad, 'none' for no PIN, default: take it from the PIN pad now. */
  pinBlock?: Uint8Array | 'none';
  extraFields?: Record<number, string | Buffer>;
  cardless?: 'qr' | 'code';
  /** Cardless withdrawal: the confirmed QR reference / one-time code (placed in the profile's private field). */
  cardlessReference?: string;
  /** PIN change: the new PIN's block (placed in the profile's private field). */
  newPinBlock?: Uint8Array;
  /** Transfer: the card's accounts to move money between (processing code positions 3-6). */
  transfer?: { from: AccountKind; to: AccountKind };
}

export type CardlessStatus =
  | { status: 'confirmed'; card: CardSession; amount: number; reference: string }
  | { status: 'pending' }
  | { status: 'invalid'; responseCode: string }
  | { status: 'unavailable'; reason: string };

export interface AuthOutcome {
  txn: number;
  /** Mini statement lines, ready to print. */
  statement?: string[];
  responseCode: string;
  authCode?: string;
  rrn?: string;
  availableBalance?: number;
  ledgerBalance?: number;
  /** Set when the host could not be reached (the machine shows "unable to process"). */
  hostUnavailable?: 'timeout' | 'offline' | 'protocol';
  /** The chip could not be used and fallback is not allowed. */
  chipFailed?: boolean;
  /** The host approved but the card declined (AAC): reversed, nothing dispensed. */
  cardDeclinedAfterApproval?: boolean;
}

export interface DispenseOutcome {
  ok: boolean;
  counts: NoteCounts;
  amount: number;
  /** Why cash is not going to the customer, when !ok. */
  reason?: 'notDispensable' | 'deviceError' | 'jam';
}

/** Asks the cardholder to choose a chip application; resolves with the AID, or undefined to cancel. */
export type AppChoicePrompt = (apps: Array<{ aid: string; label: string }>) => Promise<string | undefined>;

export class SessionServices {
  /** Set by the composition root: shows the application choice on screen. */
  appChoice: AppChoicePrompt | null = null;

  /** Original-message data of each authorised transaction (for reversals), kept in memory for the session. */
  private originals = new Map<number, { stan: string; transmissionDateTime: string; mti: string; processingCode: string; amount: number; rrn?: string }>();

  constructor(private readonly d: AtmDeps) {}

  async readCard(signal: AbortSignal): Promise<ReadCardOutcome> {
    const r = await this.d.cardReader.readRawData({ tracks: ['track1', 'track2'], chip: this.d.config.emv.enabled }, signal);
    if (!isSuccess(r)) {
      if (r.completionCode === 'canceled') return { ok: false, reason: 'canceled' };
      this.d.journal.append('card.readFailed', { completion: r.completionCode, error: r.errorCode ?? null });
      return { ok: false, reason: r.completionCode === 'commandErrorCode' ? 'unreadable' : 'deviceError' };
    }
    const card = parseTrack2(r.payload.track2);
    if (typeof card === 'string') {
      this.d.journal.append('card.readFailed', { error: card });
      return { ok: false, reason: 'unreadable' };
    }
    if (r.payload.chipAtr && /^[26]/.test(card.serviceCode)) card.chip = true;
    else if (this.d.config.emv.enabled && /^[26]/.test(card.serviceCode)) card.chipFailedAtRead = true;
    this.d.journal.append('card.read', { serviceCode: card.serviceCode, chip: card.chip === true }, { maskedPan: card.maskedPan });
    if (isExpired(card.expiry, this.d.now())) {
      this.d.journal.append('card.expired', {}, { maskedPan: card.maskedPan });
      return { ok: false, reason: 'expired' };
    }
    return { ok: true, card };
  }

  async enterPin(minLen: number, maxLen: number, timeoutMs: number, signal: AbortSignal): Promise<'entered' | 'cancel' | 'timeout' | 'error'> {
    const r = await this.d.pinpad.pinEntry({ minLen, maxLen, autoEnd: false, timeoutMs }, signal);
    if (isSuccess(r)) return r.payload.completion === 'cancel' ? 'cancel' : 'entered';
    if (r.completionCode === 'timeOut') return 'timeout';
    this.d.journal.append('pinpad.error', { completion: r.completionCode });
    return r.completionCode === 'canceled' ? 'cancel' : 'error';
  }

  async enterAmount(timeoutMs: number, signal: AbortSignal, maxLen = 6): Promise<{ kind: 'entered'; digits: string } | { kind: 'cancel' | 'timeout' | 'error' }> {
    const r = await this.d.pinpad.dataEntry({ maxLen, timeoutMs }, signal);
    if (isSuccess(r)) return r.payload.completion === 'enter' ? { kind: 'entered', digits: r.payload.digits } : { kind: 'cancel' };
    return { kind: r.completionCode === 'timeOut' ? 'timeout' : r.completionCode === 'canceled' ? 'cancel' : 'error' };
  }

  /** Scans a withdrawal code shown on the customer's phone; resolves only with a code (never on timeout). */
  async scanCode(signal: AbortSignal): Promise<string> {
    const reader = this.d.qrReader;
    if (!reader) return new Promise<string>(() => undefined);
    for (;;) {
      const r = await reader.read({}, signal);
      if (isSuccess(r)) {
        this.d.journal.append('qr.scanned', { length: r.payload.data.length });
        return r.payload.data.trim();
      }
      if (r.completionCode === 'canceled' || signal.aborted) return new Promise<string>(() => undefined);
      if (r.completionCode !== 'commandErrorCode') return new Promise<string>(() => undefined);
    }
  }

  /** Card not taken before cash (or returned failed): stacked notes go to the reject bin; reverse in full. */
  async cancelStackedCash(txn: number): Promise<void> {
    const rej = await this.d.dispenser.reject();
    this.d.journal.append('dispense.rejected', { completion: rej.completionCode, counts: isSuccess(rej) ? rej.payload.counts : {} }, { txn });
    this.d.txns.update(txn, { state: 'failed' }, 'dispense.canceled', { reason: 'card not taken before cash' });
    this.reverse(txn, 0, this.d.profile.reversalReason.notDispensed);
  }

  /** Checks that the amount can be paid from the cassettes before asking the host. */
  async canDispense(amount: number): Promise<boolean> {
    if (amount <= 0 || amount > this.d.config.terminal.maxWithdrawal) return false;
    const r = await this.d.dispenser.denominate({ amount, currency: this.d.config.terminal.currency, mix: 'minimumNotes' });
    return isSuccess(r);
  }

  async authorize(kind: AuthKind, card: CardSession, amount: number, opts: AuthOptions = {}): Promise<AuthOutcome> {
    const codes = this.d.profile.processingCodes;
    if (kind === 'transfer' && (!opts.transfer || opts.transfer.from === opts.transfer.to)) throw new Error('a transfer needs two different accounts');
    const pc =
      kind === 'transfer' ? transferProcessingCode(this.d.profile, opts.transfer!.from, opts.transfer!.to) : { withdrawal: codes.withdrawal, balance: codes.balance, statement: codes.statement, pinChange: codes.pinChange }[kind];
    // Money moves at the host on a withdrawal and a transfer: both are financial (0200) and reversed when unanswered.
    const financial = kind === 'withdrawal' || kind === 'transfer';
    const mti = financial ? '0200' : '0100';
    const txn = this.d.txns.begin(kind, this.d.config.terminal.currency, card.maskedPan);
    this.d.txns.update(txn, { state: 'authorizing', amount }, 'host.request', { mti, amount, entry: opts.cardless ?? 'card', ...(opts.transfer ? { from: opts.transfer.from, to: opts.transfer.to } : {}) });
    let pinBlock: Uint8Array | undefined;
    if (opts.pinBlock instanceof Uint8Array) pinBlock = opts.pinBlock;
    else if (opts.pinBlock !== 'none') {
      const pin = await this.d.pinpad.getPinBlock({ keyName: this.d.pinKeyName, format: 0, pan: card.pan });
      if (!isSuccess(pin)) {
        this.d.txns.update(txn, { state: 'failed' }, 'pinpad.error', { completion: pin.completionCode, error: pin.errorCode ?? null });
        return { txn, responseCode: '96', hostUnavailable: 'protocol' };
      }
      pinBlock = pin.payload.pinBlock;
    }
    // Chip: run the kernel to the first GENERATE AC; its ARQC data goes in field 55.
    let emv: EmvSession | null = null;
    let posEntryMode = opts.cardless === 'qr' ? this.d.profile.posEntryQr : opts.cardless === 'code' ? this.d.profile.posEntryManual : this.d.profile.posEntryMagstripe;
    let icc: Uint8Array | undefined;
    let hostCard: CardSession = card;
    const extra: Record<number, string | Buffer> = {
      ...(opts.extraFields ?? {}),
      ...(opts.cardless && opts.cardlessReference ? cardlessReferenceField(this.d.profile, opts.cardless, opts.cardlessReference) : {}),
      ...(opts.newPinBlock ? newPinBlockField(this.d.profile, opts.newPinBlock) : {}),
    };
    if (card.chipFailedAtRead && this.d.emvTerminal && !opts.cardless) {
      const fb = fallbackPolicy({ trigger: 'chipIo', serviceCode: card.serviceCode, pan: card.pan, config: this.d.emvTerminal, fallbackEnabled: this.d.config.emv.fallback, pinCapable: true });
      this.d.journal.append('emv.failed', { stage: 'answer to reset', code: 'chipIo', fallback: fb.allowed ? fb.posEntryMode : fb.reason }, { txn });
      if (!fb.allowed) {
        this.d.txns.update(txn, { state: 'failed', responseCode: 'Z3' });
        return { txn, responseCode: 'Z3', chipFailed: true };
      }
      posEntryMode = fb.posEntryMode;
    }
    if (card.chip && this.d.config.emv.enabled && this.d.emvTerminal && !opts.cardless) {
      const prompt = this.appChoice;
      const session = new EmvSession(this.d.cardReader, this.d.emvTerminal, prompt ? (list) => prompt(list.map((c) => ({ aid: c.aid, label: c.label }))) : undefined);
      const first = await session.first(amount, kind);
      if (first.kind === 'online') {
        emv = session;
        icc = first.field55;
        posEntryMode = this.d.profile.posEntryChip;
        if (first.card) {
          hostCard = { ...card, pan: first.card.pan, track2: first.card.track2Equivalent.replace(/D/g, '=').replace(/F+$/, '') };
          if (first.card.panSequence) extra[23] = first.card.panSequence.padStart(3, '0');
        }
        this.d.journal.append('emv.arqc', { aid: first.aid, tvr: first.tvr }, { txn, maskedPan: card.maskedPan });
      } else if (first.kind === 'declined') {
        this.d.txns.update(txn, { state: 'declined', responseCode: 'Z1' }, 'emv.declinedOffline', { aid: first.aid, reason: first.reason, tvr: first.tvr });
        return { txn, responseCode: 'Z1' };
      } else {
        const fb = fallbackPolicy({ trigger: first.code, serviceCode: card.serviceCode, pan: card.pan, config: this.d.emvTerminal, fallbackEnabled: this.d.config.emv.fallback, pinCapable: true });
        this.d.journal.append('emv.failed', { stage: first.stage, code: first.code, fallback: fb.allowed ? fb.posEntryMode : fb.reason }, { txn });
        if (!fb.allowed) {
          this.d.txns.update(txn, { state: 'failed', responseCode: 'Z3' });
          return { txn, responseCode: 'Z3', chipFailed: true };
        }
        posEntryMode = fb.posEntryMode;
      }
    }
    // Write-ahead: the STAN and field 7 are recorded before the request leaves, so recovery can reverse it.
    const reserved = this.d.host.reserve();
    this.d.txns.update(txn, { stan: reserved.stan, originalData: { stan: reserved.stan, transmissionDateTime: reserved.transmissionDateTime, mti, processingCode: pc } });
    try {
      const reply = await this.d.host.authorize({
        reserved,
        mti,
        processingCode: pc,
        amount,
        card: hostCard,
        pinBlock,
        posEntryMode,
        ...(icc ? { icc } : {}),
        ...(Object.keys(extra).length ? { extraFields: extra } : {}),
      });
      this.originals.set(txn, { stan: reply.stan, transmissionDateTime: reply.transmissionDateTime, mti, processingCode: pc, amount, rrn: reply.rrn });
      let approved = reply.responseCode === '00';
      if (emv) {
        const f55 = reply.fields[55];
        const done = await emv.complete(true, reply.responseCode, f55 instanceof Buffer ? f55 : undefined);
        this.d.journal.append('emv.completed', { result: done.result, issuerAuthentication: done.issuerAuthentication, tvr: done.tvr, tsi: done.tsi, scripts: done.scriptResults }, { txn });
        if (approved && !done.dispense) {
          // The host approved but the card said no (AAC) or failed: reverse, never dispense.
          approved = false;
          this.d.txns.update(txn, { state: 'declined', responseCode: reply.responseCode }, 'emv.cardDeclinedAfterApproval', { result: done.result });
          if (financial) this.reverse(txn, 0, this.d.profile.reversalReason.cardDeclined);
          this.d.txns.addCounter(`type:${kind}:declined`, 1);
          return { txn, responseCode: 'Z3', cardDeclinedAfterApproval: true };
        }
      }
      this.d.txns.update(
        txn,
        {
          state: approved ? (kind === 'withdrawal' ? 'approved' : 'completed') : 'declined',
          stan: reply.stan,
          rrn: reply.rrn ?? null,
          authCode: reply.authCode ?? null,
          responseCode: reply.responseCode,
          originalData: { stan: reply.stan, transmissionDateTime: reply.transmissionDateTime, mti, processingCode: pc },
        },
        'host.response',
        { responseCode: reply.responseCode, authCode: reply.authCode ?? null },
      );
      this.d.txns.addCounter(`type:${kind}:${approved ? 'approved' : 'declined'}`, 1);
      const out: AuthOutcome = { txn, responseCode: reply.responseCode };
      if (reply.authCode) out.authCode = reply.authCode;
      if (reply.rrn) out.rrn = reply.rrn;
      if (reply.availableBalance !== undefined) out.availableBalance = reply.availableBalance;
      if (reply.ledgerBalance !== undefined) out.ledgerBalance = reply.ledgerBalance;
      const stmt = reply.fields[this.d.profile.privateFields.statement];
      if (kind === 'statement' && typeof stmt === 'string') out.statement = statementLines(stmt, this.d.config.terminal);
      return out;
    } catch (e) {
      const reason = e instanceof HostUnavailableError ? e.reason : 'protocol';
      this.d.txns.update(txn, { state: 'failed' }, 'host.unavailable', { reason });
      if (emv) {
        const done = await emv.complete(false, undefined, undefined).catch(() => null);
        if (done) this.d.journal.append('emv.completed', { result: done.result, tvr: done.tvr, tsi: done.tsi }, { txn });
      }
      if (financial) {
        // Unless the request provably never left, the host may have approved and moved money: reverse in full
        // (nothing was dispensed). A reversal of an original the host never saw is acknowledged and ignored.
        const sent = e instanceof HostUnavailableError ? e.request : undefined;
        this.d.host.queueReversal(
          txn,
          { stan: sent?.stan ?? '', transmissionDateTime: sent?.transmissionDateTime ?? '', mti, processingCode: pc, amount },
          0,
          this.d.profile.reversalReason.timeout,
        );
      }
      return { txn, responseCode: '91', hostUnavailable: reason };
    }
  }

  /**
   * Funds transfer between the card's two accounts: an authorisation of kind 'transfer' (0200, processing code
   * transfer class + from + to), with a transaction record, the chip's cryptogram when the card is a chip card,
   * and a full reversal when unanswered or when the card declines after the host approved. No cash moves.
   */
  transfer(card: CardSession, from: AccountKind, to: AccountKind, amount: number, opts: { pinBlock?: Uint8Array } = {}): Promise<AuthOutcome> {
    return this.authorize('transfer', card, amount, { transfer: { from, to }, ...(opts.pinBlock ? { pinBlock: opts.pinBlock } : {}) });
  }

  /** The encrypted block of the PIN currently held by the PIN pad (the PIN pad wipes it afterwards). */
  async pinBlockFor(card: CardSession): Promise<Uint8Array | null> {
    const r = await this.d.pinpad.getPinBlock({ keyName: this.d.pinKeyName, format: 0, pan: card.pan });
    return isSuccess(r) ? r.payload.pinBlock : null;
  }

  /** New PIN entered twice: compares the two encrypted format 0 blocks (deterministic for the same PIN and PAN). */
  samePin(a: Uint8Array, b: Uint8Array): boolean {
    return a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
  }

  /** A fresh cardless reference and the dynamic EMVCo QR the customer scans with their wallet. */
  cardlessQr(amount: number): { reference: string; payload: string; modules: string; size: number } {
    const t = this.d.config.terminal;
    const reference = `${t.id.trim()}${Date.now().toString(36).toUpperCase()}${Math.floor(Math.random() * 1296).toString(36).toUpperCase()}`.slice(0, 25);
    const payload = makeAtmWithdrawalQr({
      amount: decimalAmount(amount, currencyDigits(t.currency)),
      currency: t.currencyNumeric,
      country: t.country,
      merchantName: 'OPEN ATM',
      city: t.city,
      reference,
      terminalId: t.id.trim(),
    });
    const qr = QRCode.create(payload, { errorCorrectionLevel: 'M' });
    let bits = '';
    for (let i = 0; i < qr.modules.data.length; i++) bits += qr.modules.data[i] ? '1' : '0';
    this.d.journal.append('cardless.qrShown', { reference, amount });
    return { reference, payload, modules: bits, size: qr.modules.size };
  }

  /** Asks the host whether a QR reference / one-time code has been confirmed in the customer's wallet. */
  async cardlessStatus(kind: 'qr' | 'code', ref: string): Promise<CardlessStatus> {
    try {
      const reply = await this.d.host.authorize({
        mti: '0100',
        processingCode: this.d.profile.processingCodes.cardlessInquiry,
        amount: 0,
        card: { pan: '' },
        posEntryMode: kind === 'qr' ? this.d.profile.posEntryQr : this.d.profile.posEntryManual,
        extraFields: cardlessReferenceField(this.d.profile, kind, ref),
      });
      if (reply.responseCode === '09') return { status: 'pending' };
      // Issuer or network down: the host is unavailable, the code is not wrong.
      if (reply.responseCode === '91' || reply.responseCode === '96') return { status: 'unavailable', reason: `response ${reply.responseCode}` };
      if (reply.responseCode !== '00') {
        this.d.journal.append('cardless.rejected', { kind, responseCode: reply.responseCode });
        return { status: 'invalid', responseCode: reply.responseCode };
      }
      const confirmed = readCardlessConfirmation(reply.fields);
      if (!confirmed) return { status: 'invalid', responseCode: '30' };
      const { pan, amount } = confirmed;
      const card: CardSession = { pan, expiry: '', serviceCode: '', track2: '', maskedPan: maskPan(pan), lastFour: lastFour(pan) };
      this.d.journal.append('cardless.confirmed', { kind, amount }, { maskedPan: card.maskedPan });
      return { status: 'confirmed', card, amount, reference: ref };
    } catch (e) {
      return { status: 'unavailable', reason: e instanceof HostUnavailableError ? e.reason : 'protocol' };
    }
  }

  async printStatement(txn: number, card: CardSession, lines: string[], available?: number): Promise<boolean> {
    const now = this.d.now();
    const money = (m: number | undefined) => (m === undefined ? '' : formatMoney(m, this.d.config.terminal.currency, this.d.config.terminal.locale));
    const r = await this.d.printer.printForm({
      form: 'statement',
      fields: {
        bank: 'OPEN ATM BANK',
        date: now.toISOString().slice(0, 10),
        time: now.toISOString().slice(11, 19),
        terminal: this.d.config.terminal.id,
        txn: String(txn).padStart(4, '0'),
        maskedPan: card.lastFour,
        body: lines.join('\n'),
        balance: money(available),
      },
    });
    this.d.journal.append('statement.printed', { completion: r.completionCode, lines: lines.length }, { txn });
    return isSuccess(r);
  }

  /** Denominate, commit the intent, pick the notes into the stacker, commit the outcome. */
  /** Denominations the customer may prefer for this amount (each gives a different note mix). */
  async denominationChoices(amount: number): Promise<number[]> {
    const currency = this.d.config.terminal.currency;
    const base = await this.d.dispenser.denominate({ amount, currency, mix: 'minimumNotes' });
    if (!isSuccess(base)) return [];
    const seen = new Set([JSON.stringify(base.payload.counts)]);
    const units = this.d.dispenser.cashUnits().filter((u) => u.type === 'dispense' && u.currency === currency && u.count > 0);
    const out: number[] = [];
    for (const d of [...new Set(units.map((u) => u.denomination))].sort((a, b) => a - b)) {
      if (d > amount) continue;
      const r = await this.d.dispenser.denominate({ amount, currency, mix: { preferDenomination: d } });
      if (!isSuccess(r)) continue;
      const key = JSON.stringify(r.payload.counts);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(d);
    }
    return out;
  }

  async dispense(txn: number, amount: number, preferDenomination?: number): Promise<DispenseOutcome> {
    const rec = this.d.txns.get(txn);
    if (!rec || rec.state !== 'approved' || rec.responseCode !== '00') {
      // Defence in depth: the machine never gets here without an approval, and this makes sure of it.
      throw new Error(`dispense refused: transaction ${txn} is not approved`);
    }
    const preferred = preferDenomination ? await this.d.dispenser.denominate({ amount, currency: rec.currency, mix: { preferDenomination } }) : null;
    const den = preferred && isSuccess(preferred) ? preferred : await this.d.dispenser.denominate({ amount, currency: rec.currency, mix: 'minimumNotes' });
    if (!isSuccess(den)) {
      this.d.txns.update(txn, { state: 'failed' }, 'dispense.notDispensable', { completion: den.completionCode, error: den.errorCode ?? null });
      this.reverse(txn, 0, this.d.profile.reversalReason.notDispensed);
      return { ok: false, counts: {}, amount: 0, reason: 'notDispensable' };
    }
    this.d.txns.recordDispenseIntent(txn, den.payload.counts, amount);
    const r = await this.d.dispenser.dispense({ counts: den.payload.counts });
    const picked = isSuccess(r) ? r.payload.counts : (r.payload?.counts ?? {});
    const pickedAmount = this.amountOf(picked);
    const complete = isSuccess(r) && pickedAmount === amount;
    this.d.txns.recordDispenseOutcome(txn, picked, pickedAmount, complete, complete ? {} : { completion: r.completionCode, error: (r as { errorCode?: string }).errorCode ?? null });
    if (complete) return { ok: true, counts: picked, amount };
    // Incomplete: what was picked goes to the reject bin, never to the customer; reverse in full.
    if (pickedAmount > 0) {
      const rej = await this.d.dispenser.reject();
      this.d.journal.append('dispense.rejected', { counts: isSuccess(rej) ? rej.payload.counts : picked, completion: rej.completionCode }, { txn });
    }
    this.d.txns.update(txn, { state: 'failed' }, 'dispense.failed', { picked: pickedAmount });
    this.reverse(txn, 0, this.d.profile.reversalReason.notDispensed);
    return { ok: false, counts: picked, amount: 0, reason: (r as { errorCode?: string }).errorCode === 'jam' ? 'jam' : 'deviceError' };
  }

  async present(txn: number): Promise<boolean> {
    const r = await this.d.dispenser.present();
    if (isSuccess(r)) {
      this.d.txns.update(txn, { state: 'presented' }, 'cash.presented', { counts: r.payload.counts, amount: this.amountOf(r.payload.counts) });
      return true;
    }
    this.d.journal.append('cash.presentFailed', { completion: r.completionCode, error: r.errorCode ?? null }, { txn });
    const rej = await this.d.dispenser.reject();
    this.d.journal.append('dispense.rejected', { completion: rej.completionCode }, { txn });
    this.d.txns.update(txn, { state: 'failed' }, 'dispense.failed', { reason: 'present failed' });
    this.reverse(txn, 0, this.d.profile.reversalReason.notDispensed);
    return false;
  }

  cashTaken(txn: number): void {
    const rec = this.d.txns.get(txn);
    this.d.txns.update(txn, { state: 'completed' }, 'cash.taken', { amount: rec?.dispensedAmount ?? 0 });
  }

  /**
   * Customer did not take the cash in time and the bank's policy forbids retracting it (transaction reversal
   * fraud): the notes stay in the open slot, the customer stays debited, nothing is reversed. Journaled so the
   * dispute desk sees it; the transaction completes when the notes are taken.
   */
  cashLeftInSlot(txn: number): void {
    const rec = this.d.txns.get(txn);
    this.d.journal.append('cash.leftInSlot', { amount: rec?.dispensedAmount ?? 0, policy: 'leave' }, { txn });
  }

  /** Customer did not take the cash in time: retract it and reverse in full (retract policy). */
  async retractCash(txn: number): Promise<void> {
    const r = await this.d.dispenser.retract();
    const counts = isSuccess(r) ? r.payload.counts : {};
    this.d.txns.update(txn, { state: 'retracted' }, 'cash.retracted', { completion: r.completionCode, counts });
    this.reverse(txn, 0, this.d.profile.reversalReason.cashRetracted);
  }

  async ejectCard(): Promise<boolean> {
    const r = await this.d.cardReader.move({ to: 'exit' });
    this.d.journal.append('card.ejected', { completion: r.completionCode });
    return isSuccess(r);
  }

  async retainCard(reason: string): Promise<void> {
    const r = await this.d.cardReader.move({ to: 'retain' });
    this.d.journal.append('card.retained', { reason, completion: r.completionCode });
  }

  async printReceipt(
    txn: number,
    card: CardSession | null,
    kind: 'withdrawal' | 'balance' | 'transfer',
    extra: { amount?: number; availableBalance?: number; ledgerBalance?: number; transfer?: { from: AccountKind; to: AccountKind } | undefined },
  ): Promise<boolean> {
    const rec = this.d.txns.get(txn);
    const now = this.d.now();
    const fmt = (minor: number | undefined) => (minor === undefined ? undefined : formatMoney(minor, this.d.config.terminal.currency, this.d.config.terminal.locale));
    const fields: Record<string, string> = {
      bank: 'OPEN ATM BANK',
      location: this.d.config.terminal.location.trim(),
      date: now.toISOString().slice(0, 10),
      time: now.toISOString().slice(11, 19),
      terminal: this.d.config.terminal.id,
      txn: String(txn).padStart(4, '0'),
      maskedPan: card?.lastFour ?? rec?.maskedPan ?? '',
      transaction:
        kind === 'withdrawal' ? 'CASH WITHDRAWAL' : kind === 'transfer' ? `TRANSFER ${(extra.transfer?.from ?? '').toUpperCase()} TO ${(extra.transfer?.to ?? '').toUpperCase()}` : 'BALANCE INQUIRY',
      authCode: rec?.authCode ?? '',
      rrn: rec?.rrn ?? '',
      message: '',
    };
    const amount = fmt(extra.amount);
    if (amount) fields.amount = amount;
    const bal = fmt(extra.availableBalance);
    if (bal) fields.balance = bal;
    const ledger = fmt(extra.ledgerBalance);
    if (ledger) fields.ledger = ledger;
    const r = await this.d.printer.printForm({ form: kind === 'balance' ? 'balance' : 'receipt', fields });
    this.d.journal.append('receipt.printed', { completion: r.completionCode, error: isSuccess(r) ? null : (r.errorCode ?? null) }, { txn });
    return isSuccess(r);
  }

  private reverse(txn: number, dispensed: number, reason: string): void {
    const orig = this.originals.get(txn) ?? this.originalFromRecord(txn);
    if (!orig) return;
    this.d.host.queueReversal(txn, orig, dispensed, reason);
    this.d.txns.update(txn, { state: 'reversalQueued' });
  }

  private originalFromRecord(txn: number) {
    const rec = this.d.txns.get(txn);
    const od = rec?.originalData;
    if (!rec || !od || !od.stan) return undefined;
    return { stan: od.stan, transmissionDateTime: od.transmissionDateTime ?? '', mti: od.mti ?? '0200', processingCode: od.processingCode ?? '010000', amount: rec.amount, rrn: rec.rrn ?? undefined };
  }

  amountOf(counts: NoteCounts): number {
    const units = this.d.dispenser.cashUnits();
    return Object.entries(counts).reduce((sum, [id, n]) => sum + (units.find((u) => u.id === id)?.denomination ?? 0) * n, 0);
  }
}

function statementLines(value: string, t: { currency: string; locale: string }): string[] {
  return parseStatement(value).map((e) => {
    const amount = formatMoney(e.amount, t.currency, t.locale);
    return `${e.date} ${e.description.padEnd(12).slice(0, 12)} ${e.sign === 'D' ? '-' : '+'}${amount}`.slice(0, 40);
  });
}

