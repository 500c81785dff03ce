import { readFile } from 'node:fs/promises';
import { extname, normalize, resolve, sep } from 'node:path';
import { MIME } from './csp';

/**
 * Resolves a URL path to a file inside `root`, refusing traversal, unknown types and anything else.
 * Returns null when the request must be answered 404.
 */
export async function readStatic(root: string, urlPath: string): Promise<{ body: Buffer; type: string } | null> {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return null;
  }
  if (path === '/' || path === '') path = '/index.html';
  if (path.includes('\0')) return null;
  const base = resolve(root);
  const full = resolve(base, '.' + normalize(path));
  if (full !== base && !full.startsWith(base + sep)) return null;
  const type = MIME[extname(full)];
  if (!type) return null;
  try {
    return { body: await readFile(full), type };
  } catch {
    return null;
  }
}
