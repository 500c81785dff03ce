/**
 * A simulated EMV contact chip card at APDU level. Personalised from a ChipCardProfile; computes
 * real cryptograms (main/emv/cryptogram) from ICC keys derived from test issuer master keys.
 * State (ATC, PIN try counter, blocked flags) lives in memory for the card's lifetime.
 * Responses are T=1 style: data then SW1 SW2, never 61xx.
 */
import { ApduFormatError, ChipIoError, parseApdu, respond, SW, type ApduCommand, type ChipTransport } from './apdu';
import type { ChipAppProfile, ChipCardProfile } from './chip-card-profile';
import { arpcKey, arpcMethod1, arpcMethod2, CVN_PROFILES, deriveIccKeys, generateAc, scriptCommandMac, type CvnProfile, type IccMasterKeys } from '../../../main/emv/cryptogram';
import { parseDol, splitDolData } from '../../../main/emv/dol';
import { encodeTlv, tlv, type TlvNode } from '../../../main/emv/tlv-codec';
import { concatBytes, fromHex } from '../../../main/emv/tdes';

const PSE_NAME = Uint8Array.from(Buffer.from('1PAY.SYS.DDF01', 'ascii'));
const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'ascii'));
const eq = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
const u16 = (n: number): Uint8Array => Uint8Array.of((n >> 8) & 0xff, n & 0xff);

type IssuerAuthState = 'none' | 'ok' | 'failed';

interface AppState {
  profile: ChipAppProfile;
  cvn: CvnProfile;
  keys: IccMasterKeys;
  atc: number;
  lastOnlineAtc: number;
  blocked: boolean;
}

interface TxnState {
  stage: 'selected' | 'initiated' | 'firstAc' | 'done';
  cdol1Values?: Map<string, Uint8Array>;
  arqc?: Uint8Array;
  issuerAuth: IssuerAuthState;
}

export interface SimChipCardOptions {
  /** Called with every command/response pair (for tests); receives no card secrets beyond the APDUs. */
  onExchange?: (command: Uint8Array, response: Uint8Array) => void;
}

export class SimChipCard {
  readonly transport: ChipTransport;
  private readonly apps: AppState[];
  private selectedDf: 'none' | 'pse' | AppState = 'none';
  private partialCursor = new Map<string, number>();
  private txn: TxnState = { stage: 'selected', issuerAuth: 'none' };
  private pinTries: number;

  constructor(
    readonly profile: ChipCardProfile,
    private readonly options: SimChipCardOptions = {},
  ) {
    this.pinTries = profile.pinTryLimit;
    this.apps = profile.apps.map((p) => {
      const cvn = CVN_PROFILES[p.cvn];
      const issuer = { ac: fromHex(p.issuerKeys.ac), smi: fromHex(p.issuerKeys.smi), smc: fromHex(p.issuerKeys.smc) };
      return { profile: p, cvn, keys: deriveIccKeys(cvn, issuer, profile.pan, profile.psn), atc: profile.atc ?? 0, lastOnlineAtc: 0, blocked: p.blocked ?? false };
    });
    this.transport = async (apdu) => this.exchange(apdu);
  }

  /** Current ATC of an application (for tests and the simulator fascia). */
  atcOf(aid: string): number | undefined {
    return this.apps.find((a) => a.profile.aid === aid.toUpperCase())?.atc;
  }
  pinTryCounter(): number {
    return this.pinTries;
  }
  /** Test helper: consume PIN tries (as offline PIN failures elsewhere would). */
  setPinTryCounter(n: number): void {
    this.pinTries = n;
  }
  isBlocked(aid: string): boolean {
    return this.apps.find((a) => a.profile.aid === aid.toUpperCase())?.blocked ?? false;
  }
  /** Cold reset: forgets the selected application and transaction (not ATC, counters or blocks). */
  reset(): void {
    this.selectedDf = 'none';
    this.partialCursor.clear();
    this.txn = { stage: 'selected', issuerAuth: 'none' };
  }

  private async exchange(apdu: Uint8Array): Promise<Uint8Array> {
    const f = this.profile.faults;
    if (f?.mute || (f?.muteAtIns !== undefined && apdu[1] === f.muteAtIns)) throw new ChipIoError('card mute');
    let response: Uint8Array;
    try {
      response = this.handle(parseApdu(apdu));
    } catch (e) {
      if (!(e instanceof ApduFormatError)) throw e;
      response = respond(new Uint8Array(0), SW.WRONG_LENGTH);
    }
    this.options.onExchange?.(apdu, response);
    return response;
  }

  private handle(c: ApduCommand): Uint8Array {
    const key = `${c.cla.toString(16)}:${c.ins.toString(16)}`;
    switch (key) {
      case '0:a4':
        return this.select(c);
      case '80:a8':
        return this.gpo(c);
      case '0:b2':
        return this.readRecord(c);
      case '80:ca':
        return this.getData(c);
      case '80:ae':
        return this.generateAc(c);
      case '0:82':
        return this.externalAuthenticate(c);
      case '84:24':
      case '84:1e':
      case '84:18':
        return this.script(c);
      default:
        return respond(new Uint8Array(0), c.cla === 0x00 || c.cla === 0x80 || c.cla === 0x84 ? SW.INS_NOT_SUPPORTED : SW.CLA_NOT_SUPPORTED);
    }
  }

  private select(c: ApduCommand): Uint8Array {
    if (c.p1 !== 0x04 || (c.p2 !== 0x00 && c.p2 !== 0x02) || !c.data) return respond(new Uint8Array(0), SW.WRONG_P1P2);
    this.txn = { stage: 'selected', issuerAuth: 'none' };
    if (eq(c.data, PSE_NAME)) {
      if (!this.profile.pse) return respond(new Uint8Array(0), SW.FILE_NOT_FOUND);
      this.selectedDf = 'pse';
      return respond(encodeTlv(tlv('6F', [tlv('84', PSE_NAME), tlv('A5', [tlv('88', '01'), tlv('5F2D', ascii('enzh'))])])));
    }
    const name = Buffer.from(c.data).toString('hex').toUpperCase();
    const matches = this.apps.filter((a) => a.profile.aid.startsWith(name));
    const idx = c.p2 === 0x02 ? (this.partialCursor.get(name) ?? 0) : 0;
    const app = matches[idx];
    if (!app) return respond(new Uint8Array(0), SW.FILE_NOT_FOUND);
    this.partialCursor.set(name, idx + 1);
    this.selectedDf = app;
    const p = app.profile;
    const a5: TlvNode[] = [tlv('50', ascii(p.label))];
    if (p.priority !== undefined) a5.push(tlv('87', Uint8Array.of(p.priority)));
    if (p.pdol) a5.push(tlv('9F38', p.pdol));
    a5.push(tlv('5F2D', ascii('enzh')));
    if (p.preferredName) a5.push(tlv('9F12', ascii(p.preferredName)));
    const fci = encodeTlv(tlv('6F', [tlv('84', p.aid), tlv('A5', a5)]));
    return respond(fci, app.blocked ? SW.SELECTED_FILE_INVALIDATED : SW.OK);
  }

  private currentApp(): AppState | undefined {
    return typeof this.selectedDf === 'object' ? this.selectedDf : undefined;
  }

  private gpo(c: ApduCommand): Uint8Array {
    const app = this.currentApp();
    if (!app || app.blocked) return respond(new Uint8Array(0), SW.CONDITIONS_NOT_SATISFIED);
    const data = c.data ?? new Uint8Array(0);
    const wantLen = app.profile.pdol ? parseDol(fromHex(app.profile.pdol)).reduce((s, e) => s + e.length, 0) : 0;
    if (data[0] !== 0x83 || data[1] !== wantLen || data.length !== 2 + wantLen) return respond(new Uint8Array(0), SW.WRONG_LENGTH);
    if (app.atc >= 0xffff) return respond(new Uint8Array(0), SW.CONDITIONS_NOT_SATISFIED);
    app.atc++;
    this.txn = { stage: 'initiated', issuerAuth: 'none' };
    const aip = fromHex(app.profile.aip);
    const afl = fromHex('08010100' + '10010100');
    const body = app.profile.responseFormat === 1 ? encodeTlv(tlv('80', concatBytes(aip, afl))) : encodeTlv(tlv('77', [tlv('82', aip), tlv('94', afl)]));
    return respond(body);
  }

  private track2Equivalent(app: AppState): Uint8Array {
    const exp = (app.profile.expiry ?? this.profile.expiry).slice(0, 4);
    let digits = `${this.profile.pan}D${exp}${this.profile.serviceCode}0000000000000`;
    if (digits.length % 2) digits += 'F';
    return fromHex(digits);
  }

  private records(app: AppState): Map<string, Uint8Array> {
    const p = app.profile;
    const pan = this.profile.pan.length % 2 ? this.profile.pan + 'F' : this.profile.pan;
    const rec1 = tlv('70', [tlv('57', this.track2Equivalent(app)), tlv('5F20', ascii(this.profile.cardholderName)), tlv('9F1F', ascii('0000000000'))]);
    const rec2Items: TlvNode[] = [
      tlv('5A', pan),
      tlv('5F24', p.expiry ?? this.profile.expiry),
      tlv('5F25', p.effective ?? this.profile.effective ?? '200101'),
      tlv('5F34', this.profile.psn),
      tlv('9F07', p.auc),
      tlv('9F08', p.appVersion),
      tlv('8C', p.cdol1),
      tlv('8D', p.cdol2),
      tlv('9F0D', p.iac.default),
      tlv('9F0E', p.iac.denial),
      tlv('9F0F', p.iac.online),
    ];
    if (p.issuerCountry) rec2Items.push(tlv('5F28', p.issuerCountry));
    if (p.currency) rec2Items.push(tlv('9F42', p.currency));
    if (p.cvmList) rec2Items.push(tlv('8E', p.cvmList));
    return new Map([
      ['1:1', encodeTlv(rec1)],
      ['2:1', encodeTlv(tlv('70', rec2Items))],
    ]);
  }

  private readRecord(c: ApduCommand): Uint8Array {
    if ((c.p2 & 0x07) !== 0x04) return respond(new Uint8Array(0), SW.WRONG_P1P2);
    const sfi = c.p2 >> 3;
    if (this.selectedDf === 'pse') {
      if (sfi !== 1 || c.p1 !== 1) return respond(new Uint8Array(0), SW.RECORD_NOT_FOUND);
      const entries = this.apps.map((a) => {
        const items: TlvNode[] = [tlv('4F', a.profile.aid), tlv('50', ascii(a.profile.label))];
        if (a.profile.priority !== undefined) items.push(tlv('87', Uint8Array.of(a.profile.priority)));
        return tlv('61', items);
      });
      return respond(encodeTlv(tlv('70', entries)));
    }
    const app = this.currentApp();
    if (!app || this.txn.stage === 'selected') return respond(new Uint8Array(0), SW.CONDITIONS_NOT_SATISFIED);
    const rec = this.records(app).get(`${sfi}:${c.p1}`);
    return rec ? respond(rec) : respond(new Uint8Array(0), SW.RECORD_NOT_FOUND);
  }

  private getData(c: ApduCommand): Uint8Array {
    const app = this.currentApp();
    const tag = ((c.p1 << 8) | c.p2).toString(16).toUpperCase();
    if (tag === '9F17') return respond(encodeTlv(tlv('9F17', Uint8Array.of(this.pinTries))));
    if (!app) return respond(new Uint8Array(0), SW.CONDITIONS_NOT_SATISFIED);
    if (tag === '9F36') return respond(encodeTlv(tlv('9F36', u16(app.atc))));
    if (tag === '9F13') return respond(encodeTlv(tlv('9F13', u16(app.lastOnlineAtc))));
    return respond(new Uint8Array(0), SW.REFERENCED_DATA_NOT_FOUND);
  }

  /** IAD for the CVN with a CVR describing the cryptograms returned so far. */
  private iad(app: AppState, first: number, second?: number): Uint8Array {
    // AC type codes in the CVR: 00 AAC, 01 TC, 10 ARQC (second GEN AC bits 8-7, first bits 6-5).
    const code = (cid: number): number => (cid === 0x80 ? 2 : cid === 0x40 ? 1 : 0);
    const acBits = ((second === undefined ? 0 : code(second)) << 6) | (code(first) << 4);
    const authBits = this.txn.issuerAuth === 'failed' ? 0x04 : 0;
    const dki = app.profile.dki ?? 1;
    switch (app.cvn.id) {
      case 'visa-10':
      case 'visa-18':
        return Uint8Array.of(0x06, dki, app.cvn.cvnByte, 0x03, acBits | authBits, 0x00, 0x00);
      case 'unionpay-01':
        return Uint8Array.of(0x07, dki, app.cvn.cvnByte, 0x03, acBits | authBits, 0x00, 0x00, 0x01);
      case 'mastercard-16':
        return concatBytes(Uint8Array.of(dki, app.cvn.cvnByte, acBits, authBits, 0, 0, 0, 0), new Uint8Array(10));
    }
  }

  private acResponse(app: AppState, cid: number, ac: Uint8Array, iad: Uint8Array): Uint8Array {
    const atc = u16(app.atc);
    if (app.profile.responseFormat === 1) return respond(encodeTlv(tlv('80', concatBytes(Uint8Array.of(cid), atc, ac, iad))));
    return respond(encodeTlv(tlv('77', [tlv('9F27', Uint8Array.of(cid)), tlv('9F36', atc), tlv('9F26', ac), tlv('9F10', iad)])));
  }

  private cryptogram(app: AppState, values: Map<string, Uint8Array>, iad: Uint8Array): Uint8Array {
    const all = new Map(values);
    all.set('82', fromHex(app.profile.aip));
    all.set('9F36', u16(app.atc));
    all.set('9F10', iad);
    return generateAc(app.cvn, app.keys.ac, all);
  }

  private generateAc(c: ApduCommand): Uint8Array {
    const app = this.currentApp();
    if (!app || !c.data) return respond(new Uint8Array(0), SW.CONDITIONS_NOT_SATISFIED);
    const requested = c.p1 & 0xc0;
    if (requested === 0xc0) return respond(new Uint8Array(0), SW.WRONG_P1P2);
    if (this.txn.stage === 'initiated') {
      let values: Map<string, Uint8Array>;
      try {
        values = splitDolData(fromHex(app.profile.cdol1), c.data);
      } catch {
        return respond(new Uint8Array(0), SW.WRONG_LENGTH);
      }
      // Online-only card risk management: never approve offline at the first GENERATE AC.
      const cid = app.blocked || requested === 0x00 ? 0x00 : 0x80;
      const iad = this.iad(app, cid);
      const ac = this.cryptogram(app, values, iad);
      this.txn = { stage: cid === 0x80 ? 'firstAc' : 'done', cdol1Values: values, arqc: ac, issuerAuth: 'none' };
      return this.acResponse(app, cid, ac, iad);
    }
    if (this.txn.stage !== 'firstAc' || requested === 0x80) return respond(new Uint8Array(0), SW.CONDITIONS_NOT_SATISFIED);
    let cdol2Values: Map<string, Uint8Array>;
    try {
      cdol2Values = splitDolData(fromHex(app.profile.cdol2), c.data);
    } catch {
      return respond(new Uint8Array(0), SW.WRONG_LENGTH);
    }
    const arc = Buffer.from(cdol2Values.get('8A') ?? new Uint8Array(0)).toString('latin1');
    const iad91 = cdol2Values.get('91');
    if (app.profile.issuerAuth === 'generate-ac' && iad91 && iad91.some((b) => b !== 0)) {
      this.txn.issuerAuth = this.verifyArpc(app, iad91) ? 'ok' : 'failed';
    }
    const hostApproved = ['00', '08', '10', '11'].includes(arc);
    const tcAllowed =
      requested === 0x40 &&
      hostApproved &&
      !app.blocked &&
      !this.profile.faults?.declineSecondGenAc &&
      this.txn.issuerAuth !== 'failed' &&
      !(app.profile.issuerAuthRequired && this.txn.issuerAuth !== 'ok');
    const cid = tcAllowed ? 0x40 : 0x00;
    if (hostApproved && this.txn.issuerAuth === 'ok') app.lastOnlineAtc = app.atc;
    const values = new Map([...this.txn.cdol1Values!, ...cdol2Values]);
    const iad = this.iad(app, 0x80, cid);
    const ac = this.cryptogram(app, values, iad);
    this.txn.stage = 'done';
    return this.acResponse(app, cid, ac, iad);
  }

  private verifyArpc(app: AppState, issuerAuthData: Uint8Array): boolean {
    const arqc = this.txn.arqc!;
    const atc = u16(app.atc);
    const un = this.txn.cdol1Values?.get('9F37') ?? new Uint8Array(4);
    const key = arpcKey(app.cvn, app.keys.ac, atc, un);
    if (app.cvn.arpcMethod === 1) {
      if (issuerAuthData.length < 10) return false;
      return eq(arpcMethod1(key, arqc, issuerAuthData.subarray(8, 10)), issuerAuthData.subarray(0, 8));
    }
    if (issuerAuthData.length < 8) return false;
    return eq(arpcMethod2(key, arqc, issuerAuthData.subarray(4, 8), issuerAuthData.subarray(8)), issuerAuthData.subarray(0, 4));
  }

  private externalAuthenticate(c: ApduCommand): Uint8Array {
    const app = this.currentApp();
    if (!app || this.txn.stage !== 'firstAc' || this.txn.issuerAuth !== 'none' || !c.data) return respond(new Uint8Array(0), SW.CONDITIONS_NOT_SATISFIED);
    const ok = this.verifyArpc(app, c.data);
    this.txn.issuerAuth = ok ? 'ok' : 'failed';
    return respond(new Uint8Array(0), ok ? SW.OK : SW.AUTHENTICATION_FAILED);
  }

  /** Issuer script commands with a secure messaging MAC (last 8 bytes of the data). */
  private script(c: ApduCommand): Uint8Array {
    const app = this.currentApp();
    if (!app || !this.txn.arqc) return respond(new Uint8Array(0), SW.CONDITIONS_NOT_SATISFIED);
    const data = c.data ?? new Uint8Array(0);
    if (data.length < 8) return respond(new Uint8Array(0), SW.SM_DATA_INCORRECT);
    const body = data.subarray(0, data.length - 8);
    const header = Uint8Array.of(c.cla, c.ins, c.p1, c.p2, data.length);
    const mac = scriptCommandMac(app.cvn, app.keys.smi, header, body, u16(app.atc), this.txn.arqc);
    if (!eq(mac, data.subarray(data.length - 8))) return respond(new Uint8Array(0), SW.SM_DATA_INCORRECT);
    if (c.ins === 0x24) {
      if (c.p2 !== 0x00) return respond(new Uint8Array(0), SW.FUNCTION_NOT_SUPPORTED); // PIN change not simulated
      this.pinTries = this.profile.pinTryLimit;
    } else if (c.ins === 0x1e) {
      app.blocked = true;
    } else {
      app.blocked = false;
    }
    return respond(new Uint8Array(0));
  }
}
