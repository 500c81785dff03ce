/** Human subcommand: `iso8583 decode --packager iso87a <hex>`, `iso8583 encode --packager iso87b '<json>'`. */
import { ToolError } from './op-registry';
import type { Subcommand } from './subcommands';
import { messageFromJson, messageToJson, packagerArg } from './ops/iso8583';
import { packIso, unpackIso } from '../host/iso8583';

const USAGE = 'usage: atm-tools iso8583 decode --packager iso87a|iso87b <hex>\n       atm-tools iso8583 encode --packager iso87a|iso87b \'{"mti":"0800","fields":{"70":"301"}}\'';

function parseArgs(args: readonly string[]): { packager: string; rest: string[] } {
  let packager: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--packager') packager = args[++i];
    else if (a.startsWith('--packager=')) packager = a.slice('--packager='.length);
    else rest.push(a);
  }
  if (!packager) throw new ToolError(`--packager is required\n${USAGE}`);
  return { packager, rest };
}

const iso8583Command: Subcommand = {
  usage: 'decode|encode --packager iso87a|iso87b <hex | JSON>   ISO 8583 messages',
  async run(args) {
    const [sub, ...tail] = args;
    if (sub !== 'decode' && sub !== 'encode') throw new ToolError(USAGE);
    const { packager: name, rest } = parseArgs(tail);
    const packager = packagerArg(name);
    const input = rest.join(' ').trim();
    if (!input) throw new ToolError(USAGE);
    if (sub === 'decode') {
      const hex = input.replace(/\s+/g, '');
      if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new ToolError('hex must be an even-length hex string');
      console.log(JSON.stringify(messageToJson(unpackIso(Buffer.from(hex, 'hex'), packager)), null, 2));
      return 0;
    }
    let json: unknown;
    try {
      json = JSON.parse(input);
    } catch (e) {
      throw new ToolError(`invalid JSON: ${(e as Error).message}`);
    }
    if (typeof json !== 'object' || json === null) throw new ToolError('JSON must be an object with "mti" and "fields"');
    const { mti, fields } = json as { mti?: unknown; fields?: unknown };
    console.log(packIso(messageFromJson(mti, fields, packager), packager).toString('hex').toUpperCase());
    return 0;
  },
};

export const iso8583Subcommands: Record<string, Subcommand> = { iso8583: iso8583Command };
