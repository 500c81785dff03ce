/**
 * Checks run in the page on the drawn customer screen: every text translated (no catalogue key shows), nothing
 * clipped, large type, AAA contrast (7:1) for title and options, and every option level with its function key.
 */
import type { Page } from 'playwright-core';

export function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const screen = document.querySelector<HTMLElement>('[data-testid=screen]')!;
    const raw = screen.innerText.match(/\b(screen|msg|opt|lang|label|step|audio|sup)\.[A-Za-z]+/g);
    if (raw) problems.push(`untranslated: ${raw.join(', ')}`);
    const clipped = (el: Element, what: string) => {
      if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) problems.push(`clipped ${what}: ${el.textContent ?? ''}`);
    };
    clipped(screen.querySelector('.screen-head')!, 'title');
    const body = screen.querySelector('.screen-body')!;
    const table = body.querySelector('.table-wrap');
    if (!table) clipped(body, 'body');
    else if (table.scrollWidth > table.clientWidth + 1) problems.push('table wider than the screen');
    const px = (el: Element) => parseFloat(getComputedStyle(el).fontSize);
    const title = screen.querySelector('.title')!;
    if (title.textContent && px(title) < 40) problems.push(`title font ${px(title)}px`);
    for (const el of screen.querySelectorAll('.message')) if (px(el) < 26) problems.push(`message font ${px(el)}px`);
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map(Number);
    const lum = (c: string) => {
      const [r, g, b] = rgb(c).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      }) as [number, number, number];
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const ratio = (a: string, b: string) => {
      const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
      return (hi + 0.05) / (lo + 0.05);
    };
    const screenBg = getComputedStyle(screen).backgroundColor;
    if (title.textContent && ratio(getComputedStyle(title).color, screenBg) < 7) problems.push('title contrast < 7:1');
    for (const o of screen.querySelectorAll<HTMLElement>('button.option')) {
      clipped(o, 'option');
      if (px(o) < 22) problems.push(`option font ${px(o)}px`);
      const cs = getComputedStyle(o);
      if (ratio(cs.color, cs.backgroundColor) < 7) problems.push(`option contrast < 7:1: ${o.textContent ?? ''}`);
      if (o.getBoundingClientRect().height < 80) problems.push(`option too small: ${o.textContent ?? ''}`);
    }
    for (const slot of screen.querySelectorAll<HTMLElement>('.option[data-fdk]')) {
      const key = document.querySelector(`[data-testid=${slot.dataset.fdk}]`);
      if (!key) continue;
      const a = slot.getBoundingClientRect();
      const b = key.getBoundingClientRect();
      const d = Math.abs(a.top + a.height / 2 - (b.top + b.height / 2));
      if (d > 3) problems.push(`${slot.dataset.fdk} label is ${d}px off its key`);
    }
    return problems;
  });
}
