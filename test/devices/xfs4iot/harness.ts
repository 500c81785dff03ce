/** Test harness: our simulators behind an XFS4IoT endpoint, every sent message checked against the 2021-1 schema. */
import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { CardReaderSimulator } from '../../../devices/simulators/card-reader-sim';
import { DispenserSimulator } from '../../../devices/simulators/dispenser-sim';
import { PinPadKeyError, PinPadSimulator } from '../../../devices/simulators/pinpad-sim';
import { PrinterSimulator } from '../../../devices/simulators/printer-sim';
import { Xfs4IotEndpoint, type EndpointOptions } from '../../../devices/xfs4iot/endpoint';
import { cardReaderAdapter } from '../../../devices/xfs4iot/card-reader-adapter';
import { dispenserAdapter } from '../../../devices/xfs4iot/dispenser-adapter';
import { pinPadAdapter } from '../../../devices/xfs4iot/pinpad-adapter';
import { printerAdapter } from '../../../devices/xfs4iot/printer-adapter';
import type { Message } from '../../../devices/xfs4iot/messages';

export const SCHEMA_PATH = new URL('../../../../shared/xfs4iot/Devices/ServerHostSample/JsonSchema/JsonSchema-2021-1.json', import.meta.url);

/**
 * The shared schema is draft 2020-12; the ajv in node_modules is 6 (draft-07). Draft-07 ignores keywords
 * beside a $ref, 2020-12 applies them, so each such object becomes allOf [ {$ref}, {rest} ].
 */
function toDraft7(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toDraft7);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (k !== '$schema') out[k] = toDraft7(v);
  if (typeof out.$ref === 'string' && Object.keys(out).some((k) => k !== '$ref' && k !== '$id')) {
    const { $ref, $id, ...rest } = out;
    return { ...($id === undefined ? {} : { $id }), allOf: [{ $ref }, rest] };
  }
  return out;
}

let validator: Ajv.ValidateFunction | null = null;
export function validateMessage(m: Message): string | null {
  const v = (validator ??= new Ajv({ allErrors: false, logger: false }).compile(toDraft7(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'))) as object));
  return v(m) ? null : `${m.header.type} ${m.header.name}: ${JSON.stringify(v.errors).slice(0, 600)}`;
}

export const cassettes = [
  { id: 'CST1', denomination: 2000, count: 20, capacity: 2500, lowThreshold: 3 },
  { id: 'CST2', denomination: 5000, count: 20, capacity: 2500, lowThreshold: 3 },
];

export interface Rig {
  endpoint: Xfs4IotEndpoint;
  reader: CardReaderSimulator;
  dispenser: DispenserSimulator;
  pinpad: PinPadSimulator;
  printer: PrinterSimulator;
  sent: Message[];
  /** Schema violations among the sent messages. */
  violations(): string[];
  close(): Promise<void>;
}

export async function startRig(opts: Partial<EndpointOptions> = {}): Promise<Rig> {
  const reader = new CardReaderSimulator({ timeScale: 0, statePath: null, retainBinCapacity: 5 });
  const dispenser = new DispenserSimulator({ timeScale: 0, statePath: null, currency: 'EUR', cassettes, onPowerLoss: () => { throw new Error('power lost'); } });
  const pinpad = new PinPadSimulator({
    encryptPin: ({ keyName, format }) => {
      if (keyName !== 'PINKEY') throw new PinPadKeyError('keyNotFound', 'no such key');
      return Uint8Array.of(format, 1, 2, 3, 4, 5, 6, 7);
    },
    keyCount: () => 1,
  });
  const printer = new PrinterSimulator({ timeScale: 0, statePath: null, paperLength: 1000 });
  const sent: Message[] = [];
  const endpoint = await Xfs4IotEndpoint.start({
    port: 0,
    services: [cardReaderAdapter(reader), dispenserAdapter(dispenser), pinPadAdapter(pinpad), printerAdapter(printer)],
    queue: { graceMs: 50 },
    onSend: (m) => sent.push(structuredClone(m)),
    ...opts,
  });
  return {
    endpoint, reader, dispenser, pinpad, printer, sent,
    violations: () => sent.map(validateMessage).filter((v): v is string => v !== null),
    close: () => endpoint.close(),
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Polls until `check` holds (max ~2 s). */
export async function until(check: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}
