/**
 * Renderer entry. Uses `window.atm` when the Electron preload provides it, otherwise the browser-mode
 * WebSocket bridge: the rest of the renderer does not know which. Wires the screen, the simulator fascia,
 * audio guidance (headphone jack) and the high-contrast theme.
 */
import type { AtmBridge } from '../main/common/contract';
import { createWsBridge } from './ws-bridge';
import { renderScreen } from './screen-view';
import { mountFdks, renderFascia } from './fascia-view';
import { AudioGuide } from './audio/audio-guide';
import { ContrastTheme } from './a11y/contrast';
import { bindKeyboard } from './input/keyboard';

declare global {
  interface Window {
    atm?: AtmBridge;
  }
}

const bridge: AtmBridge = window.atm ?? createWsBridge();
const screen = document.getElementById('screen')!;
const fascia = document.getElementById('fascia')!;
const audio = new AudioGuide();
const contrast = new ContrastTheme();

let qrPayload: string | null = null;
bridge.onScreen((m) => {
  qrPayload = m.qr?.payload ?? null;
  contrast.onScreen(m.screen);
  renderScreen(screen, m, { send: (i) => bridge.sendIntent(i), onTimeWarning: (s, model) => audio.timeWarning(s, model) });
  audio.decorate(screen);
  audio.onScreen(m);
  fascia.querySelector('[data-testid=wallet-scan]')?.toggleAttribute('disabled', !qrPayload);
});

const setAudio = (on: boolean) => {
  audio.setEnabled(on);
  audio.decorate(screen);
};

bindKeyboard(bridge, {
  anyKey: () => audio.interrupt(),
  repeat: () => audio.repeat(),
  toggleAudio: () => setAudio(!audio.enabled),
  volume: (d) => audio.changeVolume(d),
  toggleContrast: () => contrast.toggle(),
});

if (bridge.sim) {
  document.body.classList.add('simulator');
  const onPadKey = (key: string) => {
    audio.interrupt();
    // The PIN pad's Help key repeats the spoken screen. The simulator can see the key here; on real hardware
    // the core has to tell the renderer (a ScreenModel field: not in the contract yet).
    if (key === 'help') audio.repeat();
  };
  mountFdks(document.getElementById('fdks-left')!, document.getElementById('fdks-right')!, bridge, onPadKey);
  let headphone: boolean | null = null;
  bridge.onFascia((m) => {
    renderFascia(fascia, m, bridge, { currentQr: () => qrPayload, onPadKey });
    // The headphone jack sensor starts (and, unplugged, stops) audio guidance.
    if (m.headphone !== headphone) {
      if (headphone !== null || m.headphone) setAudio(m.headphone);
      headphone = m.headphone;
    }
  });
}
