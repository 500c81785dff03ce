/**
 * Terminal-side issuer script processing (EMV Book 3 10.10): sends each command (tag 86) of each
 * template 71/72 to the card, stops a script at the first failing command, and reports Issuer
 * Script Results (9F5B entries: result nibble 0 not performed / 1 failed / 2 successful, sequence
 * number of the failing command, script identifier 9F18).
 */
import type { ChipTransport } from '../../devices/card-reader/chip/apdu';
import { EmvFailure } from './card-io';
import { decodeTlv, findAllTags, findTag, TlvError, type TlvNode } from './tlv-codec';

export function scriptTemplates(input: Uint8Array | readonly Uint8Array[] | undefined, tag: '71' | '72'): TlvNode[] {
  if (!input) return [];
  const list = input instanceof Uint8Array ? [input] : input;
  return list.flatMap((b) => findAllTags(parse(b), tag));
}


function parse(b: Uint8Array): TlvNode[] {
  try {
    return decodeTlv(b);
  } catch (e) {
    if (e instanceof TlvError) throw new EmvFailure('cardProtocol', 'issuer scripts', e.message);
    throw e;
  }
}

export interface ScriptRun {
  /** One 5-byte 9F5B entry per template. */
  results: Uint8Array[];
  anyFailed: boolean;
}

export async function runIssuerScripts(transport: ChipTransport, templates: readonly TlvNode[]): Promise<ScriptRun> {
  const results: Uint8Array[] = [];
  let anyFailed = false;
  for (const t of templates) {
    const id = findTag(t.children ?? [], '9F18')?.value ?? new Uint8Array(4);
    const commands = (t.children ?? []).filter((c) => c.tag === '86');
    let result = 0x20; // successful
    for (let i = 0; i < commands.length; i++) {
      const cmd = commands[i]!.value;
      const sw1 = cmd.length < 4 ? 0 : await transport(cmd).then((b) => (b.length >= 2 ? b[b.length - 2]! : 0), () => 0);
      if (sw1 !== 0x90 && sw1 !== 0x62 && sw1 !== 0x63) {
        result = 0x10 | Math.min(i + 1, 14);
        anyFailed = true;
        break;
      }
    }
    const idBytes = new Uint8Array(4);
    idBytes.set(id.subarray(0, 4));
    results.push(Uint8Array.of(result, ...idBytes));
  }
  return { results, anyFailed };
}
