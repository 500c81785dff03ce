/**
 * Renderer entry. Uses `window.atm` when the Electron preload provides it, otherwise the browser-mode
 * WebSocket bridge: the rest of the renderer does not know which.
 */
import type { AtmBridge } from '../main/common/contract';
import { createWsBridge } from './ws-bridge';
import { renderScreen } from './screen-view';
import { bindKeyboard, mountFdks, renderFascia } from './fascia-view';

declare global {
  interface Window {
    atm?: AtmBridge;
  }
}

const bridge: AtmBridge = window.atm ?? createWsBridge();
const screen = document.getElementById('screen')!;
const fascia = document.getElementById('fascia')!;

let qrPayload: string | null = null;
bridge.onScreen((m) => {
  qrPayload = m.qr?.payload ?? null;
  renderScreen(screen, m, bridge);
});
if (bridge.sim) {
  document.body.classList.add('simulator');
  mountFdks(document.getElementById('fdks-left')!, document.getElementById('fdks-right')!, bridge);
  bridge.onFascia((m) => renderFascia(fascia, m, bridge, () => qrPayload));
  bindKeyboard(bridge);
}
