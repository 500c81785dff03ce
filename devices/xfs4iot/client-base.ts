/** Shared lifecycle of the client adapters: one connection, a state refresh on every (re)connect. */
import { Xfs4IotConnection, type ConnectionOptions } from './connection';
import type { Payload } from './messages';

type Obj = { [k: string]: unknown };
export const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export abstract class Xfs4IotClientBase {
  readonly connection: Xfs4IotConnection;

  constructor(opts: ConnectionOptions) {
    this.connection = new Xfs4IotConnection(opts);
    this.connection.onConnectionChange((up) => {
      if (up) void this.refresh();
      else this.onDisconnected();
    });
    this.connection.onUnsolicited((name, payload) => this.onUnsolicited(name, payload));
  }

  /** Connects; resolves once connected and the status/capabilities caches are filled (false on timeout). */
  async start(timeoutMs = 5000): Promise<boolean> {
    const refreshed = new Promise<void>((resolve) => {
      this.refreshed = resolve;
    });
    this.connection.start();
    if (!(await this.connection.waitConnected(timeoutMs))) return false;
    await refreshed;
    return true;
  }

  close(): void {
    this.connection.close();
  }

  private refreshed: () => void = () => undefined;

  /** Reads Common.Status (and whatever else the device caches need) after a (re)connect. */
  protected async refresh(): Promise<void> {
    await this.loadState();
    this.refreshed();
  }

  protected abstract loadState(): Promise<void>;
  protected abstract onDisconnected(): void;
  protected abstract onUnsolicited(name: string, payload: Payload): void;

  /** Common.Status payload, or null when the service did not answer with success. */
  protected async commonStatus(): Promise<Payload | null> {
    const s = await this.connection.send('Common.Status');
    return s.completionCode === 'success' ? s : null;
  }
}
