/**
 * Human subcommands for payment cryptography; each maps `--name value` flags onto the batch op of
 * the same name and prints the answer as `name: value` lines.
 *   pinblock encode|decode, dukpt tdes|aes, mac, tr31 unwrap|wrap, kcv
 */
import { type JsonObject, ToolError } from './op-registry';
import type { Subcommand } from './subcommands';
import { cryptoBatchOps } from './ops/crypto';

const NUMERIC = new Set(['format', 'padding', 'length']);

function flagsToRequest(args: readonly string[]): JsonObject {
  const req: JsonObject = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) throw new ToolError(`unexpected argument "${a}"`);
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const value = eq > 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined) throw new ToolError(`${a} needs a value`);
    req[name] = NUMERIC.has(name) ? Number(value) : value;
  }
  return req;
}

function print(obj: JsonObject, indent = ''): void {
  for (const [k, v] of Object.entries(obj)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      console.log(`${indent}${k}:`);
      print(v as JsonObject, `${indent}  `);
    } else console.log(`${indent}${k}: ${Array.isArray(v) ? JSON.stringify(v) : String(v)}`);
  }
}

function command(usage: string, pick: (sub: string | undefined) => string | undefined, takesSub: boolean): Subcommand {
  return {
    usage,
    async run(args) {
      const sub = takesSub ? args[0] : undefined;
      const op = pick(sub);
      if (!op) throw new ToolError(`usage: ${usage}`);
      const fn = cryptoBatchOps[op];
      if (!fn) throw new ToolError(`usage: ${usage}`);
      print(await fn(flagsToRequest(takesSub ? args.slice(1) : args)));
      return 0;
    },
  };
}

export const cryptoSubcommands: Record<string, Subcommand> = {
  pinblock: command(
    'encode|decode --format 0|1|3|4 --pin P --pan PAN [--key HEX --alg tdes|aes|sm4] [--fill HEX] [--clear|--encrypted HEX]',
    (s) => (s === 'encode' || s === 'decode' ? `pinblock.${s}` : undefined),
    true,
  ),
  dukpt: command('tdes|aes --bdk HEX --ksn HEX [--keyType AES128]', (s) => (s === 'tdes' || s === 'aes' ? `dukpt.${s}` : undefined), true),
  mac: command('--alg x919|iso9797-1-alg1|aes-cmac|tdes-cmac --key HEX --data HEX [--padding 1|2|3]', () => 'mac', false),
  tr31: command('unwrap --kbpk HEX --block BLOCK | wrap --kbpk HEX --header B0000P0TE00N0000 --key HEX', (s) => (s === 'unwrap' || s === 'wrap' ? `tr31.${s}` : undefined), true),
  kcv: command('--key HEX [--alg tdes|aes]', () => 'kcv', false),
};
