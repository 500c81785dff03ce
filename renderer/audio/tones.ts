/**
 * Key tones (WebAudio): one short beep per PIN digit entered, a lower one when digits are cleared, so an
 * audio-mode customer hears progress without the digits ever being spoken.
 */
export class Tones {
  private ctx: AudioContext | null = null;
  /** 0..1 */
  volume = 0.8;

  beep(kind: 'digit' | 'clear' = 'digit'): void {
    if (typeof AudioContext === 'undefined') return;
    this.ctx ??= new AudioContext();
    const ctx = this.ctx;
    if (ctx.state === 'suspended') void ctx.resume();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = kind === 'digit' ? 1200 : 500;
    gain.gain.value = 0.3 * this.volume;
    osc.connect(gain).connect(ctx.destination);
    const now = ctx.currentTime;
    osc.start(now);
    osc.stop(now + (kind === 'digit' ? 0.08 : 0.15));
  }
}
