/**
 * Test cards offered by the simulator fascia. Numbers are test PANs (Luhn-valid, test BIN ranges), never real.
 * The fascia shows only the label and the masked PAN.
 */
export interface TestCard {
  id: string;
  label: string;
  pan: string;
  /** YYMM */
  expiry: string;
  serviceCode: string;
  /** The PIN the embedded host's account is set up with (simulator data only). */
  pin: string;
  /** Starting balance of the account at the embedded host, minor units. */
  balance: number;
  status?: 'active' | 'lost' | 'stolen';
}

export const TEST_CARDS: readonly TestCard[] = [
  { id: 'visa-debit', label: 'Visa debit (PIN 1234)', pan: '4761739001010010', expiry: '3012', serviceCode: '201', pin: '1234', balance: 250000 },
  { id: 'mc-debit', label: 'Mastercard debit (PIN 4321)', pan: '5413330089010434', expiry: '2912', serviceCode: '201', pin: '4321', balance: 8000 },
  { id: 'unionpay-debit', label: 'UnionPay debit (PIN 888888)', pan: '6250946000000016', expiry: '3106', serviceCode: '220', pin: '888888', balance: 1000000 },
  { id: 'expired', label: 'Expired Visa (PIN 1234)', pan: '4761739001010036', expiry: '2001', serviceCode: '201', pin: '1234', balance: 50000 },
  { id: 'stolen', label: 'Stolen Mastercard (PIN 1111)', pan: '5413330089020011', expiry: '3012', serviceCode: '201', pin: '1111', balance: 50000, status: 'stolen' },
];

export function luhnValid(pan: string): boolean {
  if (!/^\d{12,19}$/.test(pan)) return false;
  let sum = 0;
  for (let i = 0; i < pan.length; i++) {
    let d = pan.charCodeAt(pan.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Track 2 as read by the head, without start/end sentinels: PAN '=' YYMM service code discretionary data. */
export function track2Of(card: TestCard): string {
  return `${card.pan}=${card.expiry}${card.serviceCode}0000000000000`;
}
