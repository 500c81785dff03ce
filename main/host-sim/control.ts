/**
 * What tests and the fascia may change on a running host simulator: the fault and latency of the link, and an
 * account's status, balance, daily limit, PIN method and cardless PIN policy (accounts named by test card id),
 * plus the simulated wallet. Setters return false for an unknown card.
 */
import type { AccountStatus, CardlessPinPolicy, PinMethod } from './bank-store';
import type { ConfirmQrResult } from './wallet';

export type HostFault = 'none' | 'drop' | 'delay' | 'garble' | 'disconnect' | 'issuerDown';
export const HOST_FAULTS: readonly HostFault[] = ['none', 'drop', 'delay', 'garble', 'disconnect', 'issuerDown'];

export interface HostSimulatorControl {
  setFault(f: HostFault): void;
  currentFault(): HostFault;
  setLatency(ms: number): void;
  latency(): number;
  /** Drops every ATM connection now (host restart, network cut). */
  dropConnections(): number;
  setAccountStatus(cardId: string, status: AccountStatus): boolean;
  setBalance(cardId: string, minor: number): boolean;
  setDailyLimit(cardId: string, minor: number): boolean;
  /** Switches the account's PIN verification method; the reference is recomputed for the test card's PIN. */
  setPinMethod(cardId: string, method: PinMethod): boolean;
  setCardlessPin(cardId: string, policy: CardlessPinPolicy): boolean;
  confirmQr(payload: string, cardId: string): ConfirmQrResult;
  issueOneTimeCode(cardId: string, amount: number, ttlMs?: number): string;
}
