/**
 * Human-readable TLV dump for logs. Sensitive tags (PAN, track data, cardholder name, PIN data)
 * are never printed: only their tag, name and length appear.
 */
import { decodeTlv, TlvError, type TlvNode } from './tlv-codec';
import { isSensitiveTag, tagInfo } from './tag-dictionary';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

function printable(format: string, value: Uint8Array): string {
  if ((format === 'an' || format === 'ans' || format === 'a') && value.every((c) => c >= 0x20 && c < 0x7f)) {
    return ` "${Buffer.from(value).toString('latin1')}"`;
  }
  return '';
}

function describeNodes(nodes: readonly TlvNode[], indent: string, lines: string[]): void {
  for (const n of nodes) {
    const info = tagInfo(n.tag);
    const label = `${indent}${n.tag} ${info?.name ?? 'Unknown'} (${n.value.length})`;
    if (isSensitiveTag(n.tag)) {
      lines.push(`${label} [masked]`);
    } else if (n.children) {
      lines.push(label);
      describeNodes(n.children, indent + '  ', lines);
    } else {
      lines.push(`${label} ${hex(n.value)}${printable(info?.format ?? 'b', n.value)}`);
    }
  }
}

/** Multi-line description of TLV data (bytes are decoded first). Never throws. */
export function describeTlv(data: Uint8Array | readonly TlvNode[]): string {
  let nodes: readonly TlvNode[];
  if (data instanceof Uint8Array) {
    try {
      nodes = decodeTlv(data);
    } catch (e) {
      // The raw bytes may hold a PAN: report only the error.
      return `[unparseable TLV, ${data.length} bytes: ${e instanceof TlvError ? e.message : 'error'}]`;
    }
  } else {
    nodes = data;
  }
  const lines: string[] = [];
  describeNodes(nodes, '', lines);
  return lines.join('\n');
}
