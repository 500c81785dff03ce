/**
 * Host profile: processing codes and field choices that differ between networks (DOMAIN.md: PIN change and
 * statement codes are network-private). Defaults follow common ISO 8583:1987 ATM practice.
 */
export interface HostProfile {
  processingCodes: { withdrawal: string; balance: string; statement: string; pinChange: string; transfer: string; cardlessInquiry: string };
  /**
   * Account types (processing code positions 3-4 "from" and 5-6 "to", ISO 8583:1987): a transfer is the first two
   * digits of `processingCodes.transfer` + from type + to type; a balance inquiry's from type picks the account.
   */
  accountTypes: { savings: string; checking: string };
  /** Field 18 merchant category for an ATM. */
  mcc: string;
  /** Field 22 POS entry mode: magstripe read + PIN capable. */
  posEntryMagstripe: string;
  posEntryChip: string;
  posEntryFallback: string;
  /** Field 22 for cardless: QR scanned by the customer's wallet, one-time code keyed in. */
  posEntryQr: string;
  posEntryManual: string;
  /** Field 25 POS condition code. */
  posCondition: string;
  /** Field 39 sent in a reversal advice, by reason. */
  reversalReason: { timeout: string; notDispensed: string; partialDispense: string; cashRetracted: string; cardDeclined: string; lateResponse: string };
  /** Field 70 network management codes (0800). Key change codes vary by network. */
  networkCodes: { signOn: string; signOff: string; echo: string; keyExchange: string };
  /**
   * Where network-private data travels (an LLLVAR private field: 48, 62, 63 or 120-127) and its tags:
   * PIN change new PIN block (tag + 16 hex), mini statement lines, cardless references (tag + reference),
   * and the TR-31 key block of a key exchange (0810).
   */
  privateFields: { newPinBlock: number; statement: number; cardlessReference: number; keyBlock: number };
  tags: { newPinBlock: string; qr: string; oneTimeCode: string };
}

export const DEFAULT_PROFILE: HostProfile = {
  processingCodes: { withdrawal: '010000', balance: '310000', statement: '380000', pinChange: '920000', transfer: '400000', cardlessInquiry: '390000' },
  accountTypes: { savings: '10', checking: '20' },
  mcc: '6011',
  posEntryMagstripe: '901',
  posEntryChip: '051',
  posEntryFallback: '801',
  posEntryQr: '031',
  posEntryManual: '011',
  posCondition: '02',
  reversalReason: { timeout: '68', notDispensed: '22', partialDispense: '32', cashRetracted: '22', cardDeclined: '06', lateResponse: '68' },
  networkCodes: { signOn: '001', signOff: '002', echo: '301', keyExchange: '161' },
  privateFields: { newPinBlock: 48, statement: 48, cardlessReference: 48, keyBlock: 48 },
  tags: { newPinBlock: 'NPB', qr: 'QR', oneTimeCode: 'OT' },
};

/** Response codes the ATM branches on (DOMAIN.md). */
export const RC = {
  approved: '00',
  refer: '01',
  pickUp: '04',
  doNotHonour: '05',
  invalidTransaction: '12',
  invalidAmount: '13',
  invalidCard: '14',
  formatError: '30',
  lost: '41',
  stolen: '43',
  insufficientFunds: '51',
  expired: '54',
  wrongPin: '55',
  notPermitted: '57',
  /** A request whose MAC is missing or does not verify: not processed. */
  securityViolation: '63',
  overLimit: '61',
  tooManyWithdrawals: '65',
  pinTriesExceeded: '75',
  issuerInoperative: '91',
  duplicate: '94',
  /** Cardless: the wallet has not confirmed the QR yet (the ATM polls). */
  inProgress: '09',
  systemError: '96',
} as const;

/** Responses after which the card must be kept (if the ATM is configured to capture). */
export const CAPTURE_CODES = new Set<string>([RC.pickUp, RC.lost, RC.stolen, RC.pinTriesExceeded]);
