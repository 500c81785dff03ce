/**
 * Sandboxed preload: exposes the renderer contract as `window.atm` through contextBridge. Only plain data
 * crosses; callbacks receive copies. The main process validates everything again (never trusts this side).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC, simCommandSchema, userIntentSchema, type AtmBridge, type FasciaModel, type ScreenModel } from '../common/contract';

const simulator = process.argv.includes('--atm-simulator');

function subscribe<T>(channel: string, cb: (m: T) => void): () => void {
  const listener = (_e: IpcRendererEvent, m: T) => cb(m);
  ipcRenderer.on(channel, listener);
  return () => ipcRenderer.removeListener(channel, listener);
}

const api: AtmBridge = {
  onScreen: (cb) => subscribe<ScreenModel>(IPC.screen, cb),
  onFascia: (cb) => subscribe<FasciaModel>(IPC.fascia, cb),
  sendIntent: (intent) => {
    const r = userIntentSchema.safeParse(intent);
    if (r.success) ipcRenderer.send(IPC.intent, r.data);
  },
  ...(simulator
    ? {
        sim: (cmd) => {
          const r = simCommandSchema.safeParse(cmd);
          if (r.success) ipcRenderer.send(IPC.sim, r.data);
        },
      }
    : {}),
};

contextBridge.exposeInMainWorld('atm', api);
