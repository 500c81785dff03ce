/**
 * One chip transaction at the ATM: power the chip, run the EMV kernel to the first GENERATE AC with the
 * amount (ARQC for field 55), then complete it with the host's answer (ARPC in tag 91, scripts 71/72, second
 * GENERATE AC). The kernel decides; this only adapts it to the card reader and the host link.
 */
import { isSuccess } from '../../devices/common/types';
import type { CardReaderService } from '../../devices/card-reader/types';
import { chipTransportFromReader } from '../../devices/card-reader/chip/reader-transport';
import { EmvTransaction, type CompletionOutcome, type FirstAcOutcome, type CardData } from '../emv/kernel';
import type { TerminalConfig } from '../emv/terminal-config';
import type { ChooseApplication } from '../emv/app-selection';
import { decodeTlv, findTag, encodeTlv, type TlvNode } from '../emv/tlv-codec';

/** Tag 9C, from the first two digits of the ISO 8583 processing code (01 cash, 31 balance, 40 transfer; 70 PIN change by scheme practice). */
const EMV_TRANSACTION_TYPE = { withdrawal: 0x01, balance: 0x31, statement: 0x31, pinChange: 0x70, transfer: 0x40 } as const;

export type FirstAc = Extract<FirstAcOutcome, { kind: 'online' }> & { card: CardData | undefined };

export class EmvSession {
  private tx: EmvTransaction | null = null;

  constructor(
    private readonly reader: CardReaderService,
    private readonly config: TerminalConfig,
    /** Cardholder choice among several applications (shown on screen); without it the highest priority wins. */
    private readonly chooseApplication?: ChooseApplication,
  ) {}

  async first(amountMinor: number, kind: 'withdrawal' | 'balance' | 'statement' | 'pinChange' | 'transfer'): Promise<FirstAc | Exclude<FirstAcOutcome, { kind: 'online' }>> {
    const power = await this.reader.chipPower({ action: 'cold' });
    if (!isSuccess(power)) return { kind: 'failed', code: 'chipIo', stage: 'power on', message: power.errorDescription ?? power.completionCode };
    this.tx = new EmvTransaction({ transport: chipTransportFromReader(this.reader), config: this.config, ...(this.chooseApplication ? { chooseApplication: this.chooseApplication } : {}) });
    const r = await this.tx.start({ amountMinor, transactionType: EMV_TRANSACTION_TYPE[kind] });
    if (r.kind !== 'online') return r;
    return { ...r, card: this.tx.cardData() };
  }

  /** Second half with the host's answer; `hostField55` is the response's field 55 (tag 91, templates 71/72). */
  async complete(hostReached: boolean, responseCode: string | undefined, hostField55: Uint8Array | undefined): Promise<CompletionOutcome> {
    if (!this.tx) throw new Error('EMV completion before the first GENERATE AC');
    let nodes: TlvNode[] = [];
    try {
      nodes = hostField55 ? decodeTlv(hostField55) : [];
    } catch {
      nodes = []; // malformed issuer data: issuer authentication fails in the kernel (TVR), never a crash
    }
    const scripts = (tag: string) => nodes.filter((n) => n.tag === tag).map((n) => encodeTlv(n));
    return this.tx.completeOnline({
      hostReached,
      ...(responseCode ? { arc: responseCode } : {}),
      ...(findTag(nodes, '91') ? { arpc: findTag(nodes, '91')!.value } : {}),
      scripts71: scripts('71'),
      scripts72: scripts('72'),
    });
  }
}
