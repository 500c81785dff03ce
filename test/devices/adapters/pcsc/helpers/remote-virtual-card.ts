/** Test support: the parent's handle on a virtual card running in ./virtual-card-process.ts. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TEST_CHIP_CARDS } from '../../../../../devices/card-reader/chip/test-chip-cards';
import type { CardReply, CardRequest, CardState } from './virtual-card-process';

const SCRIPT = fileURLToPath(new URL('./virtual-card-process.ts', import.meta.url));

type Body = CardRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

export class RemoteVirtualCard {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (s: CardState) => void; reject: (e: Error) => void }>();
  private exited: Error | null = null;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: CardReply) => {
      if (m.op === 'ready') return;
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.op === 'done') w?.resolve(m.state!);
      else w?.reject(new Error(m.message));
    });
    child.on('exit', (code, signal) => {
      this.exited = new Error(`virtual card process exited (${code ?? signal})`);
      for (const w of this.waiting.values()) w.reject(this.exited);
      this.waiting.clear();
    });
  }

  static start(port: number, card: keyof typeof TEST_CHIP_CARDS, protocol: 'T0' | 'T1'): Promise<RemoteVirtualCard> {
    const child = fork(SCRIPT, [String(port), card, protocol], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => reject(new Error(`virtual card process exited before it was ready (${code ?? signal})`)));
      child.once('message', (m: CardReply) => {
        if (m.op === 'ready') resolve(new RemoteVirtualCard(child));
      });
    });
  }

  private call(body: Body): Promise<CardState> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ ...body, id });
    });
  }

  /** The card enters the reader (connects to vpcd). */
  insert(): Promise<CardState> {
    return this.call({ op: 'insert' });
  }
  /** The card leaves the reader (its socket closes). */
  remove(): Promise<CardState> {
    return this.call({ op: 'remove' });
  }
  /** Pull the card when a command with this INS arrives (null: never). */
  removeOnIns(ins: number | null): Promise<CardState> {
    return this.call({ op: 'removeOnIns', ins });
  }
  state(): Promise<CardState> {
    return this.call({ op: 'state' });
  }

  /** Ends the card process (the card is removed). */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    await gone;
  }
}
