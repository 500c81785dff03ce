/**
 * The physical keyboard: in simulation it drives the simulated PIN pad (digits, Enter, Backspace, Escape =
 * cancel, Delete = clear, F1-F8 = FDKs); always it offers the accessibility shortcuts (until the core routes
 * the PIN pad's Help key and the headphone sensor to the renderer):
 *   H or ?  repeat the spoken screen          A  audio guidance on/off (as plugging headphones)
 *   + / -   speech volume                     C  high-contrast theme on/off
 * Any key stops the current speech.
 */
import type { AtmBridge, PAD_KEYS } from '../../main/common/contract';

type PadKey = (typeof PAD_KEYS)[number];

export interface Shortcuts {
  anyKey(): void;
  repeat(): void;
  toggleAudio(): void;
  volume(delta: number): void;
  toggleContrast(): void;
}

export function padKeyOf(e: Pick<KeyboardEvent, 'key'>): PadKey | null {
  if (/^[0-9]$/.test(e.key)) return e.key as PadKey;
  if (e.key === 'Enter') return 'enter';
  if (e.key === 'Escape') return 'cancel';
  if (e.key === 'Backspace') return 'backspace';
  if (e.key === 'Delete') return 'clear';
  if (/^F[1-8]$/.test(e.key)) return `fdk0${e.key.slice(1)}` as PadKey;
  return null;
}

export function bindKeyboard(bridge: AtmBridge, s: Shortcuts): void {
  window.addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement | null;
    if (target?.tagName === 'SELECT' || target?.tagName === 'INPUT') return;
    if (e.ctrlKey || e.altKey || e.metaKey) return;
    s.anyKey();
    const key = bridge.sim ? padKeyOf(e) : null;
    if (key) {
      e.preventDefault();
      bridge.sim?.({ type: 'key', key });
      return;
    }
    const k = e.key.toLowerCase();
    if (k === 'h' || k === '?') s.repeat();
    else if (k === 'a') s.toggleAudio();
    else if (k === '+' || k === '=') s.volume(1);
    else if (k === '-' || k === '_') s.volume(-1);
    else if (k === 'c') s.toggleContrast();
    else return;
    e.preventDefault();
  });
}
