/**
 * Between the machine and whatever renderer is attached (Electron IPC or the browser-mode WebSocket):
 * publishes the ScreenModel (and the simulator FasciaModel), validates every UserIntent (zod, then against
 * the options the current screen offers) and routes SimCommands to the simulated hardware only.
 */
import type { Actor } from 'xstate';
import {
  simCommandSchema,
  userIntentSchema,
  type FasciaModel,
  type ScreenModel,
} from '../common/contract';
import type { AtmMachine } from '../machine/atm-machine';
import { screenOf, type ScreenSettings } from '../machine/screens';
import type { Journal } from '../../journals/journal';
import type { Simulators } from './simulators';
import type { SupervisorPanel } from './supervisor-port';

export type Rejection = { ok: false; error: string };
export type Accepted = { ok: true };

/** Screens on which a Cancel intent/key means something. */
const CANCELABLE = new Set(['enterPin', 'menu', 'amount', 'otherAmount', 'receiptQuestion', 'declined', 'balance', 'moreTime', 'codeEntry', 'transferAccounts', 'transferAmount', 'transferConfirm', 'transferDone']);

export class UiHub {
  private seq = 0;
  private current: ScreenModel;
  private lastJournaled = '';
  private screenListeners = new Set<(m: ScreenModel) => void>();
  private fasciaListeners = new Set<(m: FasciaModel) => void>();
  private fasciaTimer: ReturnType<typeof setTimeout> | null = null;
  private panel: SupervisorPanel | null = null;
  private inSupervisor = false;

  constructor(
    private readonly actor: Actor<AtmMachine>,
    private readonly settings: ScreenSettings,
    private readonly journal: Journal,
    private readonly sims: Simulators | null,
  ) {
    this.current = screenOf(actor.getSnapshot(), ++this.seq, settings);
    actor.subscribe((snap) => {
      const sup = snap.matches('supervisor');
      if (sup !== this.inSupervisor) {
        this.inSupervisor = sup;
        if (sup) this.panel?.open();
        else this.panel?.close();
      }
      this.publish();
    });
    sims?.onChange(() => this.scheduleFascia());
  }

  /** Attaches the branch-staff panel shown while the machine is in its supervisor state. */
  attachSupervisor(panel: SupervisorPanel): void {
    this.panel = panel;
    panel.onChange(() => this.publish());
    if (this.inSupervisor) panel.open();
  }

  private publish(): void {
    const snap = this.actor.getSnapshot();
    const next = this.inSupervisor && this.panel ? this.panel.screen(this.seq + 1, snap.context.lang) : screenOf(snap, this.seq + 1, this.settings);
    {
      if (sameScreen(next, this.current)) return;
      this.seq++;
      this.current = next;
      if (next.screen !== this.lastJournaled) {
        this.lastJournaled = next.screen;
        try {
          this.journal.append('screen', { screen: next.screen, message: next.message ?? null });
        } catch {
          // Journal failure is handled by the core's health checks; never break the screen push.
        }
      }
      for (const l of this.screenListeners) l(next);
      this.scheduleFascia();
    }
  }

  screen(): ScreenModel {
    return this.current;
  }

  fascia(): FasciaModel | null {
    return this.sims?.fasciaModel() ?? null;
  }

  onScreen(fn: (m: ScreenModel) => void): () => void {
    this.screenListeners.add(fn);
    return () => this.screenListeners.delete(fn);
  }

  onFascia(fn: (m: FasciaModel) => void): () => void {
    this.fasciaListeners.add(fn);
    return () => this.fasciaListeners.delete(fn);
  }

  /** An intent from the (untrusted) renderer. */
  handleIntent(raw: unknown): Accepted | Rejection {
    const parsed = userIntentSchema.safeParse(raw);
    if (!parsed.success) return { ok: false, error: 'malformed intent' };
    const intent = parsed.data;
    if (this.inSupervisor && this.panel) {
      if (intent.type === 'cancel') this.panel.cancel();
      else if (this.current.options.some((o) => o.id === intent.option)) this.panel.select(intent.option);
      else return { ok: false, error: 'option not offered' };
      return { ok: true };
    }
    if (intent.type === 'cancel') return this.cancel() ? { ok: true } : { ok: false, error: `cancel not accepted on ${this.current.screen}` };
    if (!this.current.options.some((o) => o.id === intent.option)) return { ok: false, error: `option not offered on ${this.current.screen}` };
    if (intent.option === 'cancel') return this.cancel() ? { ok: true } : { ok: false, error: `cancel not accepted on ${this.current.screen}` };
    this.actor.send({ type: 'SELECT', option: intent.option });
    return { ok: true };
  }

  /**
   * The customer cancels (PIN pad Cancel key or the renderer's cancel): the same as the screen's own Cancel
   * option where it has one (so the key and the touch never disagree), else CANCEL on the screens that take it.
   */
  private cancel(): boolean {
    if (CANCELABLE.has(this.current.screen)) {
      this.actor.send({ type: 'CANCEL' });
      return true;
    }
    if (!this.current.options.some((o) => o.id === 'cancel')) return false;
    this.actor.send({ type: 'SELECT', option: 'cancel' });
    return true;
  }

  /** A function key pressed on the PIN pad / FDK: the same as touching the option bound to it. */
  handleFunctionKey(key: string): void {
    if (this.inSupervisor && this.panel) {
      if (key === 'cancel') this.panel.cancel();
      const opt = this.current.options.find((o) => o.fdk === key);
      if (opt) this.panel.select(opt.id);
      return;
    }
    if (key === 'cancel') {
      this.cancel();
      return;
    }
    const opt = this.current.options.find((o) => o.fdk === key);
    if (opt?.id === 'cancel') this.cancel();
    else if (opt) this.actor.send({ type: 'SELECT', option: opt.id });
  }

  /** A command for the simulated hardware (fascia). Never reaches the machine directly. */
  handleSim(raw: unknown): Accepted | Rejection {
    if (!this.sims) return { ok: false, error: 'not running on simulated devices' };
    const parsed = simCommandSchema.safeParse(raw);
    if (!parsed.success) return { ok: false, error: 'malformed simulator command' };
    const r = this.sims.apply(parsed.data);
    return r.ok ? { ok: true } : r;
  }

  private scheduleFascia(): void {
    if (!this.sims || this.fasciaTimer) return;
    this.fasciaTimer = setTimeout(() => {
      this.fasciaTimer = null;
      const m = this.fascia();
      if (m) for (const l of this.fasciaListeners) l(m);
    }, 0);
  }

  dispose(): void {
    if (this.fasciaTimer) clearTimeout(this.fasciaTimer);
    this.screenListeners.clear();
    this.fasciaListeners.clear();
  }
}

function sameScreen(a: ScreenModel, b: ScreenModel): boolean {
  return (
    a.lang === b.lang &&
    JSON.stringify(a.table) === JSON.stringify(b.table) &&
    JSON.stringify(a.input) === JSON.stringify(b.input) &&
    JSON.stringify(a.qr) === JSON.stringify(b.qr) &&
    a.title === b.title &&
    a.screen === b.screen &&
    a.message === b.message &&
    a.pinLength === b.pinLength &&
    a.amountEntry === b.amountEntry &&
    JSON.stringify(a.params) === JSON.stringify(b.params) &&
    JSON.stringify(a.options) === JSON.stringify(b.options)
  );
}
