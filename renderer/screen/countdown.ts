/**
 * The screen timeout countdown: shown in the last 15 seconds; `onWarn` fires once when 10 seconds remain
 * (audio mode speaks it). Stops as soon as another screen (seq) is drawn.
 */
const SHOW_S = 15;
const WARN_S = 10;

export function startCountdown(el: HTMLElement, until: number, isCurrent: () => boolean, fmt: (s: number) => string, onWarn: (s: number) => void = () => {}): void {
  // A screen whose whole timeout is already that short gets no warning (it would only be noise).
  let warned = until - Date.now() <= WARN_S * 1000;
  const tick = () => {
    if (!isCurrent()) return;
    const s = Math.max(0, Math.ceil((until - Date.now()) / 1000));
    el.textContent = s <= SHOW_S ? fmt(s) : '';
    el.classList.toggle('urgent', s <= WARN_S);
    if (!warned && s <= WARN_S && s > 0) {
      warned = true;
      onWarn(s);
    }
    if (s > 0) setTimeout(tick, 500);
  };
  tick();
}
