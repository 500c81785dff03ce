/** Human subcommands: `tlv decode <hex>`, `qr make ...`, `qr parse <payload>`, `emv arqc ...`. */
import { ToolError } from './op-registry';
import type { Subcommand } from './subcommands';
import { describeTlv } from '../emv/tlv';
import { makeAtmWithdrawalQr, parseEmvQr } from '../cardless/emvco-qr';
import { computeArqc, type ArqcCalcInput } from '../emv/arqc-calc';

/** Parses `--name value` pairs; returns them and the positional arguments. */
export function parseFlags(args: readonly string[]): { flags: Map<string, string>; positional: string[] } {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
      else {
        const v = args[i + 1];
        if (v === undefined) throw new ToolError(`${a} needs a value`);
        flags.set(a.slice(2), v);
        i++;
      }
    } else positional.push(a);
  }
  return { flags, positional };
}

function need(flags: Map<string, string>, name: string): string {
  const v = flags.get(name);
  if (v === undefined) throw new ToolError(`--${name} is required`);
  return v;
}

const tlvCommand: Subcommand = {
  usage: 'decode <hex>                 decode BER-TLV (sensitive tags masked)',
  async run(args) {
    const [sub, hex] = args;
    if (sub !== 'decode' || !hex) throw new ToolError('usage: tlv decode <hex>');
    const clean = hex.replace(/\s+/g, '');
    if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new ToolError('hex must be an even-length hex string');
    console.log(describeTlv(Uint8Array.from(Buffer.from(clean, 'hex'))));
    return 0;
  },
};

const qrCommand: Subcommand = {
  usage:
    'make --amount 100.00 --currency 156 --country CN --name NAME --city CITY --ref REF [--terminal ID] [--unionpay ACCT]\n' +
    '       atm-tools qr parse <payload>',
  async run(args) {
    const [sub, ...rest] = args;
    if (sub === 'parse') {
      const payload = rest.join(' ');
      if (!payload) throw new ToolError('usage: qr parse <payload>');
      const r = parseEmvQr(payload);
      console.log(JSON.stringify(r, null, 2));
      return r.valid ? 0 : 1;
    }
    if (sub === 'make') {
      const { flags } = parseFlags(rest);
      const unionpay = flags.get('unionpay');
      const terminal = flags.get('terminal');
      const payload = makeAtmWithdrawalQr({
        amount: need(flags, 'amount'),
        currency: need(flags, 'currency'),
        country: flags.get('country') ?? 'CN',
        merchantName: need(flags, 'name'),
        city: need(flags, 'city'),
        reference: need(flags, 'ref'),
        ...(terminal ? { terminalId: terminal } : {}),
        ...(unionpay ? { accounts: { '15': unionpay } } : {}),
      });
      console.log(payload);
      return 0;
    }
    throw new ToolError('usage: qr make ... | qr parse <payload>');
  },
};

const emvCommand: Subcommand = {
  usage: 'arqc --cvn 10|18|16|1 (--imk HEX --pan PAN [--psn 00] | --mk HEX) --atc HEX --cdol1 HEX --aip HEX [--un HEX] [--iad HEX] [--cdol HEX]   (test keys only)',
  async run(args) {
    const [sub, ...rest] = args;
    if (sub !== 'arqc') throw new ToolError('usage: emv arqc --cvn ... (see help)');
    const { flags } = parseFlags(rest);
    const input: ArqcCalcInput = { cvn: need(flags, 'cvn'), atc: need(flags, 'atc'), cdol1: need(flags, 'cdol1'), aip: need(flags, 'aip') };
    for (const k of ['imk', 'mk', 'pan', 'psn', 'un', 'cdol', 'iad'] as const) {
      const v = flags.get(k);
      if (v !== undefined) input[k] = v;
    }
    try {
      console.log(computeArqc(input).arqc);
    } catch (e) {
      throw new ToolError((e as Error).message);
    }
    return 0;
  },
};

export const emvSubcommands: Record<string, Subcommand> = { tlv: tlvCommand, qr: qrCommand, emv: emvCommand };
