/**
 * Test support, run as a child process (`node --import tsx`): one virtual EMV card (SimChipCard, optionally
 * speaking T=0) on vpcd's port, driven by its parent over IPC. The card lives outside the test's process on
 * purpose: pcscd's presence poll waits for the card's answer while holding the reader, and a synchronous PC/SC
 * call on the test's JS thread (SCardDisconnect) would otherwise wait for a card that cannot answer.
 *
 * argv: <vpcd port> <TEST_CHIP_CARDS key> <T0|T1>
 * parent -> child: { op: 'insert' | 'remove' | 'state' } | { op: 'removeOnIns', ins: number | null }
 * child -> parent: { op: 'ready' } | { op: 'done', id, state? } | { op: 'error', id, message }
 */
import { SimChipCard } from '../../../../../devices/card-reader/chip/sim-chip-card';
import { TEST_CHIP_CARDS } from '../../../../../devices/card-reader/chip/test-chip-cards';
import { T0CardEmulation } from './t0-card';
import { ATR_T0, ATR_T1, VpcdCard } from './vpcd-card';

export type CardRequest = { id: number } & ({ op: 'insert' | 'remove' | 'state' } | { op: 'removeOnIns'; ins: number | null });
export interface CardState {
  inserted: boolean;
  controls: string[];
  /** TPDU headers the card received (T=0 only). */
  headers: string[];
  atc: Record<string, number | undefined>;
}
export type CardReply = { op: 'ready' } | { op: 'done'; id: number; state?: CardState } | { op: 'error'; id: number; message: string };

const [portArg, key, protocol] = process.argv.slice(2);
const profile = structuredClone(TEST_CHIP_CARDS[key as keyof typeof TEST_CHIP_CARDS]);
if (!profile || !portArg || (protocol !== 'T0' && protocol !== 'T1')) throw new Error(`usage: <port> <card> <T0|T1>, got ${process.argv.slice(2).join(' ')}`);
const sim = new SimChipCard(profile);
const t0 = protocol === 'T0' ? new T0CardEmulation(sim.transport) : null;
const card = new VpcdCard(Number(portArg), {
  atr: protocol === 'T0' ? ATR_T0 : ATR_T1,
  transport: t0 ? t0.transport : sim.transport,
  onReset: () => {
    sim.reset();
    t0?.reset();
  },
});

const send = (m: CardReply) => process.send?.(m);
const state = (): CardState => ({
  inserted: card.inserted,
  controls: [...card.controls],
  headers: [...(t0?.headers ?? [])],
  atc: Object.fromEntries(profile.apps.map((a) => [a.aid, sim.atcOf(a.aid)])),
});

process.on('message', (m: CardRequest) => {
  void (async () => {
    try {
      if (m.op === 'insert') await card.insert();
      else if (m.op === 'remove') card.remove();
      else if (m.op === 'removeOnIns') card.removeOnIns = m.ins;
      send({ op: 'done', id: m.id, state: state() });
    } catch (e) {
      send({ op: 'error', id: m.id, message: (e as Error).message });
    }
  })();
});
process.on('disconnect', () => {
  card.remove();
  process.exit(0);
});
send({ op: 'ready' });
