/**
 * EMV terminal configuration of an online-only ATM: terminal-wide data elements and, per AID,
 * the application version, Terminal Action Codes and selection options. TAC values are typical
 * scheme-published ATM defaults; the acquirer's values override them.
 */
import { z } from 'zod';
import type { Scheme } from './cryptogram';

const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9A-Fa-f]{${bytes * 2}}$`), `${bytes} bytes hex`);

export const aidConfigSchema = z.object({
  aid: z.string().regex(/^[0-9A-Fa-f]{10,32}$/),
  scheme: z.enum(['visa', 'mastercard', 'unionpay']),
  label: z.string(),
  /** Application Selection Indicator: card AIDs that extend the terminal AID match too. */
  partialSelection: z.boolean().default(true),
  /** Terminal application version numbers (9F09); the first is sent. */
  appVersions: z.array(hex(2)).min(1),
  tac: z.object({ denial: hex(5), online: hex(5), default: hex(5) }),
  /** Magstripe fallback allowed for this AID's cards (subject to the fallback policy). */
  fallbackAllowed: z.boolean().default(true),
});
export type AidConfig = z.infer<typeof aidConfigSchema>;

export const terminalConfigSchema = z.object({
  /** 9F35: 0x14 = unattended, financial institution, online only. */
  terminalType: z.number().int().min(0).max(0xff).default(0x14),
  /** 9F33: byte 1 magstripe + IC with contacts, byte 2 enciphered PIN online, byte 3 card capture. */
  capabilities: hex(3).default('604020'),
  /** 9F40: byte 1 bit 8 cash (+ inquiry, transfer), keys, cardholder display/print, code table 1. */
  additionalCapabilities: hex(5).default('8C00B05001'),
  /** 9F1A, n3 as 2 bytes BCD, e.g. "0156". */
  countryCode: z.string().regex(/^\d{4}$/).default('0156'),
  /** 5F2A */
  currencyCode: z.string().regex(/^\d{4}$/).default('0156'),
  currencyExponent: z.number().int().min(0).max(3).default(2),
  /** 9F1E, 8 characters. */
  ifdSerial: z.string().length(8).default('ATM00001'),
  aids: z.array(aidConfigSchema).min(1),
});
export type TerminalConfig = z.infer<typeof terminalConfigSchema>;
export type TerminalConfigInput = z.input<typeof terminalConfigSchema>;

const VISA_TAC = { denial: '0010000000', online: 'DC4004F800', default: 'DC4000A800' };
const MC_TAC = { denial: '0000000000', online: 'FC50BCF800', default: 'FC50BCA000' };
const UNIONPAY_TAC = { denial: '0010000000', online: 'DC4004F800', default: 'DC4000A800' };

export const DEFAULT_AIDS: readonly z.input<typeof aidConfigSchema>[] = [
  { aid: 'A0000000031010', scheme: 'visa', label: 'Visa', appVersions: ['008C', '0096'], tac: VISA_TAC },
  { aid: 'A0000000041010', scheme: 'mastercard', label: 'Mastercard', appVersions: ['0002'], tac: MC_TAC },
  { aid: 'A0000000043060', scheme: 'mastercard', label: 'Maestro', appVersions: ['0002'], tac: MC_TAC },
  { aid: 'A000000333010101', scheme: 'unionpay', label: 'UnionPay Debit', appVersions: ['0030', '0020'], tac: UNIONPAY_TAC, fallbackAllowed: false },
  { aid: 'A000000333010102', scheme: 'unionpay', label: 'UnionPay Credit', appVersions: ['0030', '0020'], tac: UNIONPAY_TAC, fallbackAllowed: false },
  { aid: 'A000000333010103', scheme: 'unionpay', label: 'UnionPay Quasi-credit', appVersions: ['0030', '0020'], tac: UNIONPAY_TAC, fallbackAllowed: false },
];

/** Validated configuration with ATM defaults (China, CNY) and the default AID list. */
export function terminalConfig(input: Partial<TerminalConfigInput> = {}): TerminalConfig {
  return terminalConfigSchema.parse({ aids: DEFAULT_AIDS, ...input });
}

export function aidConfigFor(config: TerminalConfig, cardAid: string): AidConfig | undefined {
  const a = cardAid.toUpperCase();
  return (
    config.aids.find((c) => c.aid.toUpperCase() === a) ??
    config.aids.find((c) => c.partialSelection && a.startsWith(c.aid.toUpperCase()))
  );
}

export function schemeOf(config: TerminalConfig, cardAid: string): Scheme | undefined {
  return aidConfigFor(config, cardAid)?.scheme;
}
