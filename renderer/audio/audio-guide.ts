/**
 * Audio guidance mode (ADA 2010 section 707.5, EN 301 549 / European Accessibility Act): started by the
 * headphone jack (or the page shortcut), it speaks every screen, repeats on demand, stops talking on any key
 * press, has a volume control, beeps for PIN digits instead of speaking them, speaks the timeout warning,
 * and blanks the screen for privacy (an overlay says audio mode is on).
 */
import type { ScreenModel } from '../../main/common/contract';
import { h } from '../dom';
import { localeContext, type LocaleContext } from '../i18n/locale';
import { translate } from '../i18n/translate';
import { announcement, enteredAmount } from './announce';
import { Speaker } from './speech';
import { Tones } from './tones';

const MAX_VOLUME = 10;

export class AudioGuide {
  private on = false;
  private level = 8;
  private last: ScreenModel | null = null;
  private lastLines: string[] = [];
  private readonly speaker = new Speaker();
  private readonly tones = new Tones();

  get enabled(): boolean {
    return this.on;
  }

  get volume(): number {
    return this.level;
  }

  setEnabled(on: boolean): void {
    if (on === this.on) return;
    this.on = on;
    document.body.classList.toggle('audio-mode', on);
    document.body.dataset.audio = on ? 'on' : 'off';
    if (!on) {
      this.speaker.cancel();
      return;
    }
    this.applyVolume();
    if (this.last) this.say([translate('audio.on', {}, this.ctx()), ...announcement(this.last, this.ctx())], true);
  }

  /** A new ScreenModel arrived. */
  onScreen(m: ScreenModel): void {
    const prev = this.last;
    this.last = m;
    if (!this.on) return;
    if (prev && sameScreen(prev, m)) {
      // Same screen, only the entry changed: a tone per PIN digit, the amount spoken (never PIN digits).
      if (m.pinLength !== undefined && prev.pinLength !== undefined && m.pinLength !== prev.pinLength) {
        this.speaker.cancel();
        this.tones.beep(m.pinLength > prev.pinLength ? 'digit' : 'clear');
      } else if (m.amountEntry !== prev.amountEntry && m.amountEntry !== undefined) {
        this.say([enteredAmount(m, this.ctx())], false);
      } else if (m.input?.value !== prev.input?.value) {
        this.tones.beep(m.input && prev.input && m.input.value.length < prev.input.value.length ? 'clear' : 'digit');
      }
      return;
    }
    this.say(announcement(m, this.ctx()), true);
  }

  /** "Help": say the current screen again from the top. */
  repeat(): void {
    if (!this.on) return;
    if (this.last) this.lastLines = announcement(this.last, this.ctx());
    this.say(this.lastLines, true);
  }

  /** Any key press stops the current speech. */
  interrupt(): void {
    if (this.on) this.speaker.cancel();
  }

  changeVolume(delta: number): void {
    this.level = Math.min(MAX_VOLUME, Math.max(1, this.level + delta));
    this.applyVolume();
    if (this.on) this.say([translate('audio.volume', { level: this.level }, this.ctx())], false);
  }

  timeWarning(seconds: number, m: ScreenModel): void {
    if (this.on && this.last?.seq === m.seq) this.speaker.speak([translate('audio.secondsLeft', { seconds }, this.ctx())], this.ctx().lang, 'queue');
  }

  /** Puts the privacy overlay over the freshly drawn screen (renderScreen replaces the screen's children). */
  decorate(screenRoot: HTMLElement): void {
    screenRoot.querySelector('.privacy-overlay')?.remove();
    if (!this.on) return;
    const ctx = this.ctx();
    screenRoot.append(
      h('div', { class: 'privacy-overlay', 'data-testid': 'privacy-overlay', role: 'status' },
        h('div', { class: 'privacy-icon', 'aria-hidden': 'true' }),
        h('p', { class: 'privacy-title' }, translate('audio.on', {}, ctx)),
        h('p', { class: 'privacy-text' }, translate('audio.privacy', {}, ctx)),
      ),
    );
  }

  private say(lines: string[], remember: boolean): void {
    if (remember) this.lastLines = lines;
    this.speaker.speak(lines, this.ctx().lang);
  }

  private applyVolume(): void {
    this.speaker.volume = this.level / MAX_VOLUME;
    this.tones.volume = this.level / MAX_VOLUME;
  }

  private ctx(): LocaleContext {
    return this.last ? localeContext(this.last) : { lang: 'en', locale: 'en-US', currency: 'USD' };
  }
}

function sameScreen(a: ScreenModel, b: ScreenModel): boolean {
  return a.screen === b.screen && a.title === b.title && a.message === b.message && a.lang === b.lang && JSON.stringify(a.options) === JSON.stringify(b.options);
}
