/**
 * High-contrast theme (yellow/white on black, thicker borders). Kept for the customer session only: stored in
 * sessionStorage so a renderer reload mid-transaction keeps it, and dropped when the kiosk returns to the
 * welcome screen so the next customer starts from the default.
 */
const KEY = 'atm.highContrast';

export class ContrastTheme {
  private lastScreen: string | null = null;

  constructor() {
    this.apply(read());
  }

  get enabled(): boolean {
    return document.documentElement.classList.contains('high-contrast');
  }

  toggle(): void {
    this.set(!this.enabled);
  }

  set(on: boolean): void {
    try {
      if (on) sessionStorage.setItem(KEY, '1');
      else sessionStorage.removeItem(KEY);
    } catch {
      // Storage may be unavailable (sandboxed origin): the theme still applies for this page.
    }
    this.apply(on);
  }

  /** Ends the customer session's preference when the welcome screen comes back. */
  onScreen(screen: string): void {
    if (screen === 'welcome' && this.lastScreen !== null && this.lastScreen !== 'welcome') this.set(false);
    this.lastScreen = screen;
  }

  private apply(on: boolean): void {
    document.documentElement.classList.toggle('high-contrast', on);
    document.documentElement.dataset.theme = on ? 'high-contrast' : 'default';
  }
}

function read(): boolean {
  try {
    return sessionStorage.getItem(KEY) === '1';
  } catch {
    return false;
  }
}
