/**
 * EMV application selection (Book 1 section 12): PSE directory or the terminal AID list, candidate
 * list ordered by Application Priority Indicator, cardholder choice hook, final SELECT.
 */
import { SW, type ChipTransport } from '../../devices/card-reader/chip/apdu';
import { EmvFailure, transmit, unexpectedSw } from './card-io';
import { aidConfigFor, type AidConfig, type TerminalConfig } from './terminal-config';
import { decodeTlv, findAllTags, findTag, TlvError, type TlvNode } from './tlv-codec';

export interface AppCandidate {
  aid: string;
  label: string;
  /** 1 (highest) .. 15; undefined = no priority. */
  priority?: number;
  confirmationRequired: boolean;
  config: AidConfig;
}

/** Lets the cardholder pick on screen; resolves with the chosen AID or undefined (cancel). Sees labels only. */
export type ChooseApplication = (candidates: readonly AppCandidate[]) => Promise<string | undefined>;

export interface SelectedApplication {
  candidate: AppCandidate;
  /** The FCI returned by the final SELECT. */
  fci: TlvNode[];
  pdol?: Uint8Array;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
const PSE = Uint8Array.from(Buffer.from('1PAY.SYS.DDF01', 'ascii'));

function parse(data: Uint8Array, stage: string): TlvNode[] {
  try {
    return decodeTlv(data);
  } catch (e) {
    if (e instanceof TlvError) throw new EmvFailure('cardProtocol', stage, e.message);
    throw e;
  }
}

function candidateFrom(items: TlvNode[], aid: string, config: AidConfig): AppCandidate {
  const api = findTag(items, '87')?.value[0];
  const label = findTag(items, '9F12') ?? findTag(items, '50');
  return {
    aid,
    label: label ? Buffer.from(label.value).toString('latin1') : config.label,
    priority: api !== undefined && (api & 0x0f) !== 0 ? api & 0x0f : undefined,
    confirmationRequired: api !== undefined && (api & 0x80) !== 0,
    config,
  };
}

async function fromPse(transport: ChipTransport, config: TerminalConfig): Promise<AppCandidate[] | undefined> {
  const sel = await transmit(transport, { cla: 0, ins: 0xa4, p1: 0x04, p2: 0x00, data: PSE, le: 0 }, 'select PSE');
  if (sel.sw === 0x6a81) throw new EmvFailure('cardBlocked', 'select PSE', 'card blocked or command not supported');
  if (sel.sw !== SW.OK) return undefined; // no PSE (6A82) or PSE blocked (6283): use the AID list
  const sfi = findTag(parse(sel.data, 'select PSE'), '88')?.value[0];
  if (sfi === undefined || sfi < 1 || sfi > 30) return undefined;
  const out: AppCandidate[] = [];
  for (let rec = 1; rec <= 16; rec++) {
    const r = await transmit(transport, { cla: 0, ins: 0xb2, p1: rec, p2: (sfi << 3) | 4, le: 0 }, 'read PSE directory');
    if (r.sw === SW.RECORD_NOT_FOUND) break;
    if (r.sw !== SW.OK) return undefined;
    for (const entry of findAllTags(parse(r.data, 'read PSE directory'), '61')) {
      const aid = findTag(entry.children ?? [], '4F');
      if (!aid) continue;
      const cfg = aidConfigFor(config, hex(aid.value));
      if (cfg) out.push(candidateFrom(entry.children ?? [], hex(aid.value), cfg));
    }
  }
  return out;
}

async function fromAidList(transport: ChipTransport, config: TerminalConfig): Promise<AppCandidate[]> {
  const out: AppCandidate[] = [];
  for (const cfg of config.aids) {
    let p2 = 0x00;
    for (let n = 0; n < 8; n++) {
      const r = await transmit(transport, { cla: 0, ins: 0xa4, p1: 0x04, p2, data: Uint8Array.from(Buffer.from(cfg.aid, 'hex')), le: 0 }, 'select AID');
      if (r.sw === 0x6a81) throw new EmvFailure('cardBlocked', 'select AID', 'card blocked');
      if (r.sw !== SW.OK && r.sw !== SW.SELECTED_FILE_INVALIDATED) break;
      const fci = parse(r.data, 'select AID');
      const df = findTag(fci, '84');
      if (!df) break;
      const dfName = hex(df.value);
      const exact = dfName === cfg.aid.toUpperCase();
      if (r.sw === SW.OK && (exact || (cfg.partialSelection && dfName.startsWith(cfg.aid.toUpperCase())))) {
        if (!out.some((c) => c.aid === dfName)) out.push(candidateFrom(findTag(fci, 'A5')?.children ?? [], dfName, aidConfigFor(config, dfName) ?? cfg));
      }
      if (exact || !cfg.partialSelection) break;
      p2 = 0x02; // next occurrence
    }
  }
  return out;
}

/** Orders candidates by priority (1 first, unprioritised last), keeping card order otherwise. */
export function orderCandidates(list: readonly AppCandidate[]): AppCandidate[] {
  return list
    .map((c, i) => ({ c, i }))
    .sort((a, b) => (a.c.priority ?? 16) - (b.c.priority ?? 16) || a.i - b.i)
    .map(({ c }) => c);
}

export async function buildCandidateList(transport: ChipTransport, config: TerminalConfig): Promise<AppCandidate[]> {
  const viaPse = await fromPse(transport, config);
  const list = viaPse && viaPse.length > 0 ? viaPse : await fromAidList(transport, config);
  return orderCandidates(list);
}

/** Picks an application: cardholder choice when offered and useful, else the highest priority. */
export async function chooseCandidate(list: readonly AppCandidate[], choose?: ChooseApplication): Promise<AppCandidate> {
  if (list.length === 0) throw new EmvFailure('noApplication', 'application selection', 'no mutually supported application');
  if (choose && (list.length > 1 || list[0]!.confirmationRequired)) {
    const aid = await choose(list);
    const pick = list.find((c) => c.aid === aid);
    if (!pick) throw new EmvFailure('cancelled', 'application selection', 'cardholder cancelled');
    return pick;
  }
  const auto = list.find((c) => !c.confirmationRequired);
  if (!auto) throw new EmvFailure('noApplication', 'application selection', 'every application needs cardholder confirmation');
  return auto;
}

/** Final SELECT of the chosen AID. Returns undefined if the card refuses it (caller removes it and retries). */
export async function finalSelect(transport: ChipTransport, c: AppCandidate): Promise<SelectedApplication | undefined> {
  const r = await transmit(transport, { cla: 0, ins: 0xa4, p1: 0x04, p2: 0x00, data: Uint8Array.from(Buffer.from(c.aid, 'hex')), le: 0 }, 'final select');
  if (r.sw !== SW.OK) {
    if (r.sw === SW.SELECTED_FILE_INVALIDATED || r.sw === SW.FILE_NOT_FOUND) return undefined;
    throw unexpectedSw('final select', r.sw);
  }
  const fci = parse(r.data, 'final select');
  const df = findTag(fci, '84');
  if (!df || hex(df.value) !== c.aid) throw new EmvFailure('cardProtocol', 'final select', 'DF name does not match the selected AID');
  const pdol = findTag(fci, '9F38')?.value;
  return { candidate: c, fci, ...(pdol ? { pdol } : {}) };
}
