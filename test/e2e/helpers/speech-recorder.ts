/**
 * Init script (an observation hook, not a stub): records what the page passes to speechSynthesis.speak and
 * cancel, and how many WebAudio oscillators (key tones) it starts. The real APIs still run.
 */
import type { Page } from 'playwright-core';

export interface Spoken {
  text: string;
  lang: string;
  volume: number;
}

interface Recorded {
  __spoken: Spoken[];
  __cancels: number;
  __tones: number;
}

export function recordSpeech(): void {
  const w = window as unknown as Recorded;
  w.__spoken = [];
  w.__cancels = 0;
  w.__tones = 0;
  const synth = window.speechSynthesis;
  const speak = synth.speak.bind(synth);
  const cancel = synth.cancel.bind(synth);
  synth.speak = (u: SpeechSynthesisUtterance) => {
    w.__spoken.push({ text: u.text, lang: u.lang, volume: u.volume });
    speak(u);
  };
  synth.cancel = () => {
    w.__cancels++;
    cancel();
  };
  const createOscillator = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function (this: AudioContext) {
    w.__tones++;
    return createOscillator.call(this);
  };
}

export function spoken(page: Page): Promise<Spoken[]> {
  return page.evaluate(() => (window as unknown as Recorded).__spoken);
}

export function counters(page: Page): Promise<{ cancels: number; tones: number }> {
  return page.evaluate(() => {
    const w = window as unknown as Recorded;
    return { cancels: w.__cancels, tones: w.__tones };
  });
}

/** Waits until something containing `text` has been spoken (after the first `from` utterances). */
export async function waitSpoken(page: Page, text: string, from = 0): Promise<Spoken[]> {
  await page.waitForFunction(
    ([t, f]) => (window as unknown as Recorded).__spoken.slice(f).some((s) => s.text.includes(t)),
    [text, from] as const,
  );
  return spoken(page);
}
