/**
 * Speech output through the Web Speech API. One utterance per line, so a key press can interrupt between
 * lines and a repeat starts from the top. Missing API (or no voices) degrades to silence, never to an error.
 */
const BCP47: Record<string, string> = { en: 'en-US', zh: 'zh-CN' };

export class Speaker {
  /** 0..1 */
  volume = 0.8;

  private get synth(): SpeechSynthesis | null {
    return typeof speechSynthesis === 'undefined' ? null : speechSynthesis;
  }

  /** Speaks `lines`, by default cutting off whatever is being said; `queue` waits for it instead. */
  speak(lines: string[], lang: string, mode: 'interrupt' | 'queue' = 'interrupt'): void {
    const synth = this.synth;
    if (!synth) return;
    if (mode === 'interrupt') synth.cancel();
    const bcp = BCP47[lang] ?? lang;
    const voice = synth.getVoices().find((v) => v.lang.toLowerCase().startsWith(bcp.toLowerCase())) ?? synth.getVoices().find((v) => v.lang.toLowerCase().startsWith(lang));
    for (const line of lines) {
      const u = new SpeechSynthesisUtterance(line);
      u.lang = bcp;
      u.volume = this.volume;
      u.rate = 0.95;
      if (voice) u.voice = voice;
      synth.speak(u);
    }
  }

  cancel(): void {
    this.synth?.cancel();
  }
}
