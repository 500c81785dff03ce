/**
 * Draws the QR module matrix the core computed (never re-encodes the payload). Crisp: every module is a whole
 * number of device pixels, no smoothing, pure black on white, with the 4-module quiet zone the standard asks
 * for. Scannable: the code is at least MIN_CSS_PX wide on screen.
 */
import { h } from '../dom';

export const QUIET_ZONE = 4;
const TARGET_CSS_PX = 340;
const MIN_MODULE_CSS_PX = 4;

export interface QrMatrix {
  payload: string;
  size: number;
  modules: string;
}

export function qrCanvas(qr: QrMatrix, label: string, dpr = window.devicePixelRatio || 1): HTMLCanvasElement {
  const span = qr.size + QUIET_ZONE * 2;
  const moduleCss = Math.max(MIN_MODULE_CSS_PX, Math.floor(TARGET_CSS_PX / span));
  const moduleDev = Math.max(1, Math.round(moduleCss * dpr));
  const dev = span * moduleDev;
  const css = span * moduleCss;
  const c = h('canvas', {
    class: 'qr',
    width: String(dev),
    height: String(dev),
    'data-testid': 'qr',
    'data-module-px': String(moduleCss),
    role: 'img',
    'aria-label': label,
  });
  // CSSOM, not a style attribute: the CSP has no 'unsafe-inline'.
  c.style.width = `${css}px`;
  c.style.height = `${css}px`;
  const g = c.getContext('2d');
  if (!g) return c;
  g.imageSmoothingEnabled = false;
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, dev, dev);
  g.fillStyle = '#000000';
  for (let y = 0; y < qr.size; y++) {
    for (let x = 0; x < qr.size; x++) {
      if (qr.modules[y * qr.size + x] === '1') g.fillRect((x + QUIET_ZONE) * moduleDev, (y + QUIET_ZONE) * moduleDev, moduleDev, moduleDev);
    }
  }
  return c;
}
