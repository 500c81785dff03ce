/**
 * Browser-mode implementation of the renderer contract (AtmBridge) over the loopback WebSocket. The
 * per-launch token comes in the URL fragment (never sent to the server in HTTP requests or Referer).
 */
import type { AtmBridge, FasciaModel, ScreenModel, ServerMessage, SimCommand, UserIntent } from '../main/common/contract';

export function createWsBridge(): AtmBridge {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  const screenCbs = new Set<(m: ScreenModel) => void>();
  const fasciaCbs = new Set<(m: FasciaModel) => void>();
  let ws: WebSocket | null = null;
  let queue: string[] = [];
  let lastScreen: ScreenModel | null = null;
  let lastFascia: FasciaModel | null = null;
  let retry = 250;

  const connect = () => {
    ws = new WebSocket(`ws://${location.host}/bridge?token=${encodeURIComponent(token)}`);
    ws.onopen = () => {
      retry = 250;
      for (const m of queue) ws!.send(m);
      queue = [];
      document.documentElement.dataset.bridge = 'connected';
    };
    ws.onmessage = (ev) => {
      let msg: ServerMessage;
      try {
        msg = JSON.parse(String(ev.data)) as ServerMessage;
      } catch {
        return;
      }
      if (msg.ch === 'screen') {
        lastScreen = msg.model;
        for (const cb of screenCbs) cb(msg.model);
      } else if (msg.ch === 'fascia') {
        lastFascia = msg.model;
        for (const cb of fasciaCbs) cb(msg.model);
      } else if (msg.ch === 'error') {
        console.warn('kiosk:', msg.message);
      }
    };
    ws.onclose = () => {
      document.documentElement.dataset.bridge = 'disconnected';
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 5000);
    };
  };
  connect();

  const send = (obj: unknown) => {
    const s = JSON.stringify(obj);
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(s);
    else queue.push(s);
  };

  return {
    onScreen(cb) {
      screenCbs.add(cb);
      if (lastScreen) cb(lastScreen);
      return () => screenCbs.delete(cb);
    },
    onFascia(cb) {
      fasciaCbs.add(cb);
      if (lastFascia) cb(lastFascia);
      return () => fasciaCbs.delete(cb);
    },
    sendIntent(intent: UserIntent) {
      send({ ch: 'intent', intent });
    },
    sim(cmd: SimCommand) {
      send({ ch: 'sim', cmd });
    },
  };
}
