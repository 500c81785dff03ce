/**
 * Simulated chip card profiles for tests and the simulator fascia. PANs are the test PANs of
 * devices/card-reader/test-cards.ts; issuer master keys are the public pyemv test keys. Never real.
 */
import type { ChipAppProfile, ChipCardProfile } from './chip-card-profile';

export const TEST_ISSUER_KEYS = {
  ac: '0123456789ABCDEFFEDCBA9876543210',
  smi: 'FEDCBA98765432100123456789ABCDEF',
  smc: '89ABCDEF0123456776543210FEDCBA98',
} as const;

/** 9F02 9F03 9F1A 95 5F2A 9A 9C 9F37 9F35 9F34 */
export const STD_CDOL1 = '9F02069F03069F1A0295055F2A029A039C019F37049F35019F3403';
/** 8A 95 9F37 (ARPC via EXTERNAL AUTHENTICATE) */
export const CDOL2_EXT_AUTH = '8A0295059F3704';
/** 8A 91(10) 95 9F37: ARPC method 1 in the second GENERATE AC */
export const CDOL2_ARPC1 = '8A02910A95059F3704';
/** 8A 91(8) 95 9F37: ARPC method 2 in the second GENERATE AC */
export const CDOL2_ARPC2 = '8A02910895059F3704';
/** X=0 Y=0; online PIN if supported (continue on failure), signature, no CVM. */
export const CVM_ONLINE_PIN_FIRST = '00000000000000004203' + '1E03' + '1F00';

const IAC_NONE = { denial: '0000000000', online: '0000000000', default: '0000000000' };

const base = (over: Partial<ChipAppProfile> & Pick<ChipAppProfile, 'aid' | 'label' | 'cvn'>): ChipAppProfile => ({
  issuerKeys: { ...TEST_ISSUER_KEYS },
  aip: '1C00',
  auc: 'FF00',
  appVersion: '008C',
  iac: IAC_NONE,
  cdol1: STD_CDOL1,
  cdol2: CDOL2_EXT_AUTH,
  cvmList: CVM_ONLINE_PIN_FIRST,
  issuerAuth: 'external-authenticate',
  responseFormat: 1,
  ...over,
});

export const VISA_CVN10_APP = base({ aid: 'A0000000031010', label: 'VISA DEBIT', cvn: 'visa-10', issuerCountry: '0840', priority: 1 });
export const VISA_CVN18_APP = base({ aid: 'A0000000031010', label: 'VISA DEBIT', cvn: 'visa-18', aip: '1800', cdol2: CDOL2_ARPC2, issuerAuth: 'generate-ac', issuerCountry: '0840', priority: 1 });
export const MC_CVN16_APP = base({ aid: 'A0000000041010', label: 'MASTERCARD', cvn: 'mastercard-16', aip: '1800', appVersion: '0002', cdol2: CDOL2_ARPC1, issuerAuth: 'generate-ac', responseFormat: 2, issuerCountry: '0826' });
export const UNIONPAY_DEBIT_APP = base({
  aid: 'A000000333010101', label: 'UnionPay Debit', cvn: 'unionpay-01', appVersion: '0030', issuerCountry: '0156', priority: 2,
  pdol: '9F7A019F02065F2A02', responseFormat: 2, issuerAuthRequired: true,
});
export const UNIONPAY_CREDIT_APP = { ...UNIONPAY_DEBIT_APP, aid: 'A000000333010102', label: 'UnionPay Credit', priority: 1 };

const card = (over: Partial<ChipCardProfile> & Pick<ChipCardProfile, 'id' | 'pan' | 'apps'>): ChipCardProfile => ({
  psn: '01',
  expiry: '301231',
  serviceCode: '201',
  cardholderName: 'TEST/CARDHOLDER',
  pse: true,
  pinTryLimit: 3,
  atc: 0x10,
  ...over,
});

export const TEST_CHIP_CARDS = {
  visaCvn10: card({ id: 'visa-cvn10', pan: '4761739001010010', apps: [VISA_CVN10_APP] }),
  visaCvn18: card({ id: 'visa-cvn18', pan: '4761739001010010', apps: [VISA_CVN18_APP], pse: false }),
  mastercard: card({ id: 'mc-cvn16', pan: '5413330089010434', apps: [MC_CVN16_APP] }),
  unionpayDual: card({ id: 'unionpay-dual', pan: '6250946000000016', serviceCode: '220', apps: [UNIONPAY_DEBIT_APP, UNIONPAY_CREDIT_APP] }),
} satisfies Record<string, ChipCardProfile>;

/** Last day of a YYMM month as YYMMDD. */
function endOfMonth(yymm: string): string {
  const y = 2000 + Number(yymm.slice(0, 2));
  const m = Number(yymm.slice(2, 4));
  return yymm + String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0');
}

/**
 * The chip personalisation for a magstripe test card of devices/card-reader/test-cards.ts
 * (same PAN, expiry, service code), or undefined for cards without a chip profile.
 */
export function chipProfileForTestCard(c: { id: string; pan: string; expiry: string; serviceCode: string }): ChipCardProfile | undefined {
  const byBrand: Record<string, ChipCardProfile> = { '4': TEST_CHIP_CARDS.visaCvn10, '5': TEST_CHIP_CARDS.mastercard, '6': TEST_CHIP_CARDS.unionpayDual };
  const tmpl = byBrand[c.pan[0] ?? ''];
  if (!tmpl || (c.serviceCode[0] !== '2' && c.serviceCode[0] !== '6')) return undefined;
  return { ...structuredClone(tmpl), id: `${c.id}-chip`, pan: c.pan, expiry: endOfMonth(c.expiry), serviceCode: c.serviceCode };
}
