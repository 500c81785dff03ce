/**
 * EMV contact kernel for an online-only ATM (EMV 4.x Book 3 flow): application selection, GPO,
 * READ RECORD per AFL, processing restrictions, online PIN CVM, terminal risk management, terminal
 * action analysis, first GENERATE AC (ARQC), field 55, then completeOnline(): issuer
 * authentication, issuer scripts 71/72 and the second GENERATE AC.
 *
 * Never logs or returns in clear the PAN or track 2 equivalent except through cardData(), which
 * the core uses to build ISO 8583 fields 2/35/23 and must not log.
 */
import { ApduFormatError, SW, type ChipTransport } from '../../devices/card-reader/chip/apdu';
import { firstAcDecision, defaultActionDecision, type ActionCodes } from './action-analysis';
import { buildCandidateList, chooseCandidate, finalSelect, type AppCandidate, type ChooseApplication, type SelectedApplication } from './app-selection';
import { EmvFailure, transmit, unexpectedSw, type EmvFailureCode } from './card-io';
import { schemeFromAid, type Scheme } from './cryptogram';
import { processCvm } from './cvm';
import { buildDolData } from './dol';
import { processingRestrictions } from './processing-restrictions';
import type { TerminalConfig } from './terminal-config';
import { BitField, TSI, TVR } from './tvr';
import { decodeTlv, encodeTlv, findTag, tlv, TlvError, type TlvNode } from './tlv-codec';
import { parseAcResponse, type AcResponse } from './ac-response';
import { runIssuerScripts, scriptTemplates } from './issuer-scripts';
import { randomBytes as nodeRandomBytes } from 'node:crypto';

export interface EmvKernelDeps {
  transport: ChipTransport;
  config: TerminalConfig;
  /** On-screen application choice (labels only). Without it the highest priority application is used. */
  chooseApplication?: ChooseApplication;
  now?: () => Date;
  randomBytes?: (n: number) => Uint8Array;
}

export interface TransactionParams {
  /** Minor units (e.g. fen, cents). */
  amountMinor: number;
  amountOtherMinor?: number;
  /** 9C: 0x01 cash withdrawal (default), 0x31 balance inquiry. */
  transactionType?: number;
  /** 9F41 */
  sequenceCounter?: number;
  /** The PIN pad captured an online PIN block (default true). */
  onlinePinEntered?: boolean;
}

export type FirstAcOutcome =
  | { kind: 'online'; aid: string; scheme: Scheme | undefined; label: string; tvr: string; field55: Uint8Array }
  | { kind: 'declined'; aid: string; reason: 'terminal-denial' | 'card-declined'; tvr: string }
  | { kind: 'failed'; code: EmvFailureCode; stage: string; message: string };

export interface OnlineResponse {
  /** false when the host could not be reached (or did not answer): default action analysis applies. */
  hostReached: boolean;
  /** Authorisation Response Code, 2 characters ("00" approve). From field 39 or tag 8A. */
  arc?: string;
  /** Issuer Authentication Data (tag 91 value): ARPC || ARC, or ARPC || CSU || PAD. */
  arpc?: Uint8Array;
  /** Issuer script templates 71 (processed before the second GENERATE AC), encoded TLV. */
  scripts71?: Uint8Array | readonly Uint8Array[];
  /** Issuer script templates 72 (after the second GENERATE AC). */
  scripts72?: Uint8Array | readonly Uint8Array[];
}

export type CompletionResult =
  | 'approved' // host approved, card TC: dispense
  | 'declined' // host declined, card AAC
  | 'declinedByCardAfterApproval' // host approved but the card said AAC (or failed): reverse, do not dispense
  | 'declinedOffline' // host unreachable, AAC
  | 'approvedOffline'; // host unreachable, card TC: the ATM still must not dispense without host approval

export interface CompletionOutcome {
  result: CompletionResult;
  /** The caller must send a reversal (0400/0420) for the approved authorisation. */
  reverse: boolean;
  /** Only true for 'approved'. */
  dispense: boolean;
  issuerAuthentication: 'ok' | 'failed' | 'notPerformed';
  tvr: string;
  tsi: string;
  /** 9F5B Issuer Script Results, hex. */
  scriptResults: string;
  /** Field 55 for the completion/reversal: final cryptogram, TVR, TSI, script results. */
  field55: Uint8Array;
  /** Set when the chip failed during completion. */
  failure?: { code: EmvFailureCode; stage: string; message: string };
}

/** Sensitive card data for ISO 8583 fields 2, 35, 23, 14. Never log. */
export interface CardData {
  pan: string;
  track2Equivalent: string;
  expiry: string;
  panSequence?: string;
}

const ARQC_FIELD55_TAGS = ['9F26', '9F27', '9F10', '9F37', '9F36', '95', '9A', '9C', '9F02', '5F2A', '82', '9F1A', '9F03', '9F33', '9F34', '9F35', '9F1E', '84', '9F09', '9F41', '5F34'];
const APPROVAL_ARCS = ['00', '08', '10', '11'];
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
const bcd = (n: number, bytes: number): Uint8Array => Uint8Array.from(Buffer.from(String(n).padStart(bytes * 2, '0').slice(-bytes * 2), 'hex'));

function parseTlv(data: Uint8Array, stage: string): TlvNode[] {
  try {
    return decodeTlv(data);
  } catch (e) {
    if (e instanceof TlvError) throw new EmvFailure('cardProtocol', stage, e.message);
    throw e;
  }
}

/** Card-caused problems become EmvFailure values; programming errors still throw. */
function asFailure(e: unknown, stage: string): EmvFailure {
  if (e instanceof EmvFailure) return e;
  if (e instanceof TlvError || e instanceof ApduFormatError) return new EmvFailure('cardProtocol', stage, e.message);
  throw e;
}

export class EmvTransaction {
  private readonly tvr = new BitField(5);
  private readonly tsi = new BitField(2);
  private readonly card = new Map<string, Uint8Array>();
  private readonly terminal = new Map<string, Uint8Array>();
  private selected?: SelectedApplication;
  private first?: AcResponse;
  private final?: AcResponse;
  private scriptResults: Uint8Array[] = [];
  private started = false;
  private completed = false;
  private readonly now: () => Date;
  private readonly random: (n: number) => Uint8Array;

  constructor(private readonly deps: EmvKernelDeps) {
    this.now = deps.now ?? (() => new Date());
    this.random = deps.randomBytes ?? ((n) => Uint8Array.from(nodeRandomBytes(n)));
  }

  private value = (tag: string): Uint8Array | undefined => {
    if (tag === '95') return this.tvr.bytes;
    if (tag === '9B') return this.tsi.bytes;
    return this.terminal.get(tag) ?? this.card.get(tag);
  };

  private setupTerminalData(p: TransactionParams): void {
    const c = this.deps.config;
    const d = this.now();
    const two = (n: number): string => String(n).padStart(2, '0');
    this.terminal.set('9F02', bcd(p.amountMinor, 6));
    this.terminal.set('9F03', bcd(p.amountOtherMinor ?? 0, 6));
    this.terminal.set('9F1A', Uint8Array.from(Buffer.from(c.countryCode, 'hex')));
    this.terminal.set('5F2A', Uint8Array.from(Buffer.from(c.currencyCode, 'hex')));
    this.terminal.set('5F36', Uint8Array.of(c.currencyExponent));
    this.terminal.set('9A', Uint8Array.from(Buffer.from(two(d.getUTCFullYear() % 100) + two(d.getUTCMonth() + 1) + two(d.getUTCDate()), 'hex')));
    this.terminal.set('9F21', Uint8Array.from(Buffer.from(two(d.getUTCHours()) + two(d.getUTCMinutes()) + two(d.getUTCSeconds()), 'hex')));
    this.terminal.set('9C', Uint8Array.of(p.transactionType ?? 0x01));
    this.terminal.set('9F37', this.random(4));
    this.terminal.set('9F33', Uint8Array.from(Buffer.from(c.capabilities, 'hex')));
    this.terminal.set('9F35', Uint8Array.of(c.terminalType));
    this.terminal.set('9F40', Uint8Array.from(Buffer.from(c.additionalCapabilities, 'hex')));
    this.terminal.set('9F1E', Uint8Array.from(Buffer.from(c.ifdSerial, 'latin1')));
    this.terminal.set('9F41', bcd(p.sequenceCounter ?? 1, 4));
    this.terminal.set('9F34', Uint8Array.of(0x3f, 0x00, 0x00));
  }

  private isAtm(): boolean {
    const t = this.deps.config.terminalType;
    const cash = (Buffer.from(this.deps.config.additionalCapabilities, 'hex')[0]! & 0x80) !== 0;
    return (t === 0x14 || t === 0x15 || t === 0x16) && cash;
  }

  /** Runs the transaction up to the first GENERATE AC. Never throws for card or flow problems. */
  async start(p: TransactionParams): Promise<FirstAcOutcome> {
    if (this.started) throw new Error('an EmvTransaction runs once');
    this.started = true;
    try {
      return await this.run(p);
    } catch (e) {
      const f = asFailure(e, 'transaction');
      return { kind: 'failed', code: f.code, stage: f.stage, message: f.message };
    }
  }

  private async selectAndInitiate(): Promise<{ aip: Uint8Array; afl: Uint8Array }> {
    const { transport, config, chooseApplication } = this.deps;
    let candidates: AppCandidate[] = await buildCandidateList(transport, config);
    for (;;) {
      const pick = await chooseCandidate(candidates, chooseApplication);
      const sel = await finalSelect(transport, pick);
      candidates = candidates.filter((c) => c !== pick);
      if (!sel) continue;
      this.selected = sel;
      this.terminal.set('84', Uint8Array.from(Buffer.from(pick.aid, 'hex')));
      this.terminal.set('9F06', Uint8Array.from(Buffer.from(pick.config.aid, 'hex')));
      this.terminal.set('9F09', Uint8Array.from(Buffer.from(pick.config.appVersions[0]!, 'hex')));
      const pdolData = sel.pdol ? buildDolData(sel.pdol, this.value) : new Uint8Array(0);
      const gpo = await transmit(transport, { cla: 0x80, ins: 0xa8, p1: 0, p2: 0, data: encodeTlv(tlv('83', pdolData)), le: 0 }, 'GET PROCESSING OPTIONS');
      if (gpo.sw === SW.CONDITIONS_NOT_SATISFIED) continue; // back to selection without this application
      if (gpo.sw !== SW.OK) throw unexpectedSw('GET PROCESSING OPTIONS', gpo.sw);
      const nodes = parseTlv(gpo.data, 'GET PROCESSING OPTIONS');
      const f1 = nodes.find((n) => n.tag === '80');
      if (f1) {
        if (f1.value.length < 2) throw new EmvFailure('cardProtocol', 'GET PROCESSING OPTIONS', 'format 1 without AIP');
        return { aip: f1.value.slice(0, 2), afl: f1.value.slice(2) };
      }
      const aip = findTag(nodes, '82')?.value;
      const afl = findTag(nodes, '94')?.value;
      if (!aip || !afl) throw new EmvFailure('iccDataMissing', 'GET PROCESSING OPTIONS', 'AIP or AFL missing');
      return { aip, afl };
    }
  }

  private async readRecords(afl: Uint8Array): Promise<void> {
    if (afl.length === 0 || afl.length % 4 !== 0) throw new EmvFailure('cardProtocol', 'READ RECORD', 'bad AFL length');
    for (let i = 0; i < afl.length; i += 4) {
      const sfi = afl[i]! >> 3;
      const firstRec = afl[i + 1]!;
      const lastRec = afl[i + 2]!;
      if (sfi < 1 || sfi > 30 || firstRec < 1 || lastRec < firstRec) throw new EmvFailure('cardProtocol', 'READ RECORD', 'bad AFL entry');
      for (let rec = firstRec; rec <= lastRec; rec++) {
        const r = await transmit(this.deps.transport, { cla: 0, ins: 0xb2, p1: rec, p2: (sfi << 3) | 4, le: 0 }, 'READ RECORD');
        if (r.sw !== SW.OK) throw unexpectedSw('READ RECORD', r.sw);
        const nodes = parseTlv(r.data, 'READ RECORD');
        if (sfi <= 10 && (nodes.length !== 1 || nodes[0]!.tag !== '70')) throw new EmvFailure('cardProtocol', 'READ RECORD', 'record is not a 70 template');
        for (const n of nodes[0]?.children ?? []) {
          if (this.card.has(n.tag)) throw new EmvFailure('cardProtocol', 'READ RECORD', `duplicate tag ${n.tag}`);
          this.card.set(n.tag, n.value);
        }
      }
    }
    for (const t of ['5F24', '5A', '8C', '8D']) {
      if (!this.card.has(t)) throw new EmvFailure('iccDataMissing', 'READ RECORD', `mandatory tag ${t} missing`);
    }
  }

  private actionCodes(): ActionCodes {
    const tac = this.selected!.candidate.config.tac;
    const b = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
    const iac = (t: string): Uint8Array | undefined => this.card.get(t);
    const codes: ActionCodes = { tacDenial: b(tac.denial), tacOnline: b(tac.online), tacDefault: b(tac.default) };
    const [den, onl, def] = [iac('9F0E'), iac('9F0F'), iac('9F0D')];
    if (den) codes.iacDenial = den;
    if (onl) codes.iacOnline = onl;
    if (def) codes.iacDefault = def;
    return codes;
  }

  private async run(p: TransactionParams): Promise<FirstAcOutcome> {
    this.setupTerminalData(p);
    const { aip, afl } = await this.selectAndInitiate();
    this.card.set('82', aip);
    await this.readRecords(afl);
    const aid = this.selected!.candidate.aid;

    // Offline data authentication is not performed by this online-only terminal.
    this.tvr.set(TVR.ODA_NOT_PERFORMED);

    for (const bit of processingRestrictions({
      cardAppVersion: this.card.get('9F08'),
      terminalAppVersion: this.terminal.get('9F09')!,
      effective: this.card.get('5F25'),
      expiry: this.card.get('5F24')!,
      today: this.terminal.get('9A')!,
      auc: this.card.get('9F07'),
      issuerCountry: this.card.get('5F28'),
      terminalCountry: this.terminal.get('9F1A')!,
      isAtm: this.isAtm(),
      transactionType: this.terminal.get('9C')![0]!,
    })) this.tvr.set(bit);

    const cvm = processCvm(this.card.get('8E'), (aip[0]! & 0x10) !== 0, p.amountMinor, true, p.onlinePinEntered ?? true);
    this.terminal.set('9F34', cvm.results);
    cvm.tvr.forEach((b) => this.tvr.set(b));
    if ((aip[0]! & 0x10) !== 0) this.tsi.set(TSI.CVM_PERFORMED);

    // Terminal risk management: an online-only terminal has a zero floor limit.
    if (p.amountMinor > 0) this.tvr.set(TVR.EXCEEDS_FLOOR_LIMIT);
    this.tsi.set(TSI.TERMINAL_RISK_MANAGEMENT_PERFORMED);

    const decision = firstAcDecision(this.tvr.bytes, this.actionCodes());
    const cdol1 = buildDolData(this.card.get('8C')!, this.value);
    const res = await transmit(this.deps.transport, { cla: 0x80, ins: 0xae, p1: decision.type === 'ARQC' ? 0x80 : 0x00, p2: 0, data: cdol1, le: 0 }, 'GENERATE AC 1');
    if (res.sw !== SW.OK) throw unexpectedSw('GENERATE AC 1', res.sw);
    const ac = parseAcResponse(res.data, 'GENERATE AC 1');
    this.tsi.set(TSI.CARD_RISK_MANAGEMENT_PERFORMED);
    this.first = ac;
    this.recordAc(ac);
    const type = ac.cid & 0xc0;
    if (type === 0x00) return { kind: 'declined', aid, reason: decision.type === 'AAC' ? 'terminal-denial' : 'card-declined', tvr: this.tvr.hex() };
    if (type !== 0x80 || decision.type !== 'ARQC') throw new EmvFailure('cardProtocol', 'GENERATE AC 1', `card returned CID ${ac.cid.toString(16)} for a ${decision.type} request`);
    return { kind: 'online', aid, scheme: schemeFromAid(aid), label: this.selected!.candidate.label, tvr: this.tvr.hex(), field55: this.buildField55() };
  }

  private recordAc(ac: AcResponse): void {
    this.card.set('9F27', Uint8Array.of(ac.cid));
    this.card.set('9F36', ac.atc);
    this.card.set('9F26', ac.ac);
    if (ac.iad) this.card.set('9F10', ac.iad);
  }

  /** Field 55 for the authorisation request: the ARQC and the data it was computed over. */
  buildField55(): Uint8Array {
    const nodes = ARQC_FIELD55_TAGS.map((t) => [t, this.value(t)] as const).filter((e): e is readonly [string, Uint8Array] => e[1] !== undefined).map(([t, v]) => tlv(t, Uint8Array.from(v)));
    return encodeTlv(nodes);
  }

  /** PAN, track 2 equivalent, expiry for ISO 8583 fields 2/35/14/23. Sensitive: never log. */
  cardData(): CardData | undefined {
    const pan = this.card.get('5A');
    const t2 = this.card.get('57');
    const exp = this.card.get('5F24');
    if (!pan || !exp) return undefined;
    const psn = this.card.get('5F34');
    return {
      pan: hex(pan).replace(/F+$/, ''),
      track2Equivalent: t2 ? hex(t2).replace(/F$/, '') : '',
      expiry: hex(exp).slice(0, 4),
      ...(psn ? { panSequence: hex(psn).padStart(3, '0') } : {}),
    };
  }

  private async runScripts(templates: TlvNode[], beforeFinal: boolean): Promise<void> {
    if (templates.length === 0) return;
    this.tsi.set(TSI.SCRIPT_PROCESSING_PERFORMED);
    const run = await runIssuerScripts(this.deps.transport, templates);
    if (run.anyFailed) this.tvr.set(beforeFinal ? TVR.SCRIPT_FAILED_BEFORE_FINAL_AC : TVR.SCRIPT_FAILED_AFTER_FINAL_AC);
    this.scriptResults.push(...run.results);
  }

  /**
   * Completes the transaction after the host answered (or did not). Never throws for card problems:
   * a chip failure after host approval yields declinedByCardAfterApproval with reverse = true.
   */
  async completeOnline(r: OnlineResponse): Promise<CompletionOutcome> {
    if (!this.first || !this.selected || (this.first.cid & 0xc0) !== 0x80) throw new Error('completeOnline needs an ARQC from start()');
    if (this.completed) throw new Error('completeOnline called twice');
    this.completed = true;
    const approvedByHost = r.hostReached && r.arc !== undefined && APPROVAL_ARCS.includes(r.arc);
    const arc = r.hostReached ? (r.arc ?? 'Z3').slice(0, 2).padEnd(2, ' ') : 'Z3';
    let issuerAuthentication: CompletionOutcome['issuerAuthentication'] = 'notPerformed';
    let failure: CompletionOutcome['failure'];
    try {
      this.terminal.set('8A', Uint8Array.from(Buffer.from(arc, 'latin1')));
      const aip = this.card.get('82')!;
      if (r.hostReached && r.arpc && r.arpc.length > 0) {
        this.terminal.set('91', r.arpc);
        if ((aip[0]! & 0x04) !== 0) {
          const ea = await transmit(this.deps.transport, { cla: 0, ins: 0x82, p1: 0, p2: 0, data: r.arpc }, 'EXTERNAL AUTHENTICATE');
          this.tsi.set(TSI.ISSUER_AUTH_PERFORMED);
          issuerAuthentication = ea.sw === SW.OK ? 'ok' : 'failed';
          if (issuerAuthentication === 'failed') this.tvr.set(TVR.ISSUER_AUTH_FAILED);
        }
      }
      await this.runScripts(r.hostReached ? scriptTemplates(r.scripts71, '71') : [], true);

      const request = r.hostReached ? (approvedByHost ? 'TC' : 'AAC') : defaultActionDecision(this.tvr.bytes, this.actionCodes());
      const cdol2 = buildDolData(this.card.get('8D')!, this.value);
      const res = await transmit(this.deps.transport, { cla: 0x80, ins: 0xae, p1: request === 'TC' ? 0x40 : 0x00, p2: 0, data: cdol2, le: 0 }, 'GENERATE AC 2');
      if (res.sw !== SW.OK) throw unexpectedSw('GENERATE AC 2', res.sw);
      const ac = parseAcResponse(res.data, 'GENERATE AC 2');
      if ((ac.cid & 0xc0) === 0x80 || ((ac.cid & 0xc0) === 0x40 && request === 'AAC')) throw new EmvFailure('cardProtocol', 'GENERATE AC 2', 'card returned a higher cryptogram than requested');
      this.final = ac;
      this.recordAc(ac);
      if ((aip[0]! & 0x04) === 0 && this.terminal.has('91')) issuerAuthentication = (ac.cid & 0xc0) === 0x40 ? 'ok' : issuerAuthentication;
      await this.runScripts(r.hostReached ? scriptTemplates(r.scripts72, '72') : [], false);
    } catch (e) {
      const f = asFailure(e, 'completion');
      failure = { code: f.code, stage: f.stage, message: f.message };
    }
    const tc = this.final !== undefined && (this.final.cid & 0xc0) === 0x40;
    let result: CompletionResult;
    if (!r.hostReached) result = tc ? 'approvedOffline' : 'declinedOffline';
    else if (approvedByHost) result = tc ? 'approved' : 'declinedByCardAfterApproval';
    else result = 'declined';
    return {
      result,
      reverse: result === 'declinedByCardAfterApproval',
      dispense: result === 'approved',
      issuerAuthentication,
      tvr: this.tvr.hex(),
      tsi: this.tsi.hex(),
      scriptResults: this.scriptResults.map(hex).join(''),
      field55: this.completionField55(),
      ...(failure ? { failure } : {}),
    };
  }

  private completionField55(): Uint8Array {
    const tags = ['9F26', '9F27', '9F10', '9F36', '95', '9B', '8A', '9F37', '9F02', '5F2A', '9A', '9C', '82', '9F1A', '9F03', '84'];
    const nodes = tags.map((t) => [t, this.value(t)] as const).filter((e): e is readonly [string, Uint8Array] => e[1] !== undefined).map(([t, v]) => tlv(t, Uint8Array.from(v)));
    if (this.scriptResults.length) nodes.push(tlv('9F5B', Uint8Array.from(Buffer.concat(this.scriptResults))));
    return encodeTlv(nodes);
  }
}
