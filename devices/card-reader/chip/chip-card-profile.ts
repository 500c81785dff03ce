/**
 * Personalisation profile of a simulated EMV contact card: one card (PAN, PSN, expiry) with one or
 * more payment applications. Keys are TEST issuer master keys (hex); the card derives its ICC
 * master keys from them at personalisation, as an issuer's personalisation bureau would.
 */
import type { CvnId } from '../../../main/emv/cryptogram';

export interface ChipAppProfile {
  aid: string;
  label: string;
  /** Application Priority Indicator (87): low nibble priority 1 (highest)-15, bit 8 = cardholder confirmation required. */
  priority?: number;
  preferredName?: string;
  cvn: CvnId;
  /** Derivation key index put in the IAD. */
  dki?: number;
  issuerKeys: { ac: string; smi: string; smc: string };
  /** Application Interchange Profile (82), 2 bytes hex. Byte 1 bit 3 (0x04): issuer authentication supported. */
  aip: string;
  /** Application Usage Control (9F07), 2 bytes hex. */
  auc: string;
  /** Application Version Number (9F08). */
  appVersion: string;
  iac: { denial: string; online: string; default: string };
  pdol?: string;
  cdol1: string;
  cdol2: string;
  /** CVM list (8E): amounts X, Y then rules. */
  cvmList?: string;
  /** Issuer Country Code (5F28), n4 hex. */
  issuerCountry?: string;
  /** Application Currency Code (9F42). */
  currency?: string;
  /** YYMMDD; defaults to the card's. */
  effective?: string;
  expiry?: string;
  /** How the card expects the ARPC: EXTERNAL AUTHENTICATE (AIP bit set) or tag 91 in CDOL2. */
  issuerAuth: 'external-authenticate' | 'generate-ac';
  /** Decline (AAC) at the second GENERATE AC when the host approved but no valid ARPC was seen. */
  issuerAuthRequired?: boolean;
  /** GENERATE AC / GPO response format: 1 (tag 80) or 2 (tag 77). */
  responseFormat: 1 | 2;
  blocked?: boolean;
}

export interface ChipCardFaults {
  /** The chip never answers (transport rejects with ChipIoError). */
  mute?: boolean;
  /** The chip stops answering at this command (INS byte, e.g. 0xA8 GPO, 0xB2 READ RECORD). */
  muteAtIns?: number;
  /** The card returns AAC at the second GENERATE AC whatever the host said. */
  declineSecondGenAc?: boolean;
}

export interface ChipCardProfile {
  id: string;
  pan: string;
  psn: string;
  /** YYMMDD */
  expiry: string;
  effective?: string;
  serviceCode: string;
  cardholderName: string;
  /** Card answers SELECT 1PAY.SYS.DDF01 with a directory of its applications. */
  pse: boolean;
  apps: ChipAppProfile[];
  pinTryLimit: number;
  /** Starting ATC of every application. */
  atc?: number;
  faults?: ChipCardFaults;
}
