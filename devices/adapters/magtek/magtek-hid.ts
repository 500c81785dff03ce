/**
 * Finding and opening a MagTek HID reader through an injectable factory (node-hid in production, a fake in
 * tests). node-hid is loaded lazily so importing this module never loads the native addon.
 */
export const MAGTEK_VENDOR_ID = 0x0801;
/** Common MagTek swipe reader product ids (USB HID keyboard-less mode). */
export const MAGTEK_PRODUCT_IDS: readonly number[] = [0x0001, 0x0002, 0x0011];

export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string;
  product?: string;
}

/** The part of a node-hid `HID` the adapter uses. */
export interface HidDeviceLike {
  on(event: 'data', fn: (data: Buffer) => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  close(): void;
}

export interface HidFactory {
  list(): HidDeviceInfo[];
  open(path: string): HidDeviceLike;
}

export class NoHidDeviceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoHidDeviceError';
  }
}

export async function nodeHidFactory(): Promise<HidFactory> {
  const hid = await import('node-hid');
  return {
    list: () => hid.devices().map((d) => ({ vendorId: d.vendorId, productId: d.productId, ...(d.path ? { path: d.path } : {}), ...(d.product ? { product: d.product } : {}) })),
    open: (path) => new hid.HID(path),
  };
}

export function openMagtekDevice(factory: HidFactory, match: { vendorId?: number; productIds?: readonly number[] } = {}): HidDeviceLike {
  const vendorId = match.vendorId ?? MAGTEK_VENDOR_ID;
  const productIds = match.productIds ?? MAGTEK_PRODUCT_IDS;
  const found = factory.list().find((d) => d.vendorId === vendorId && productIds.includes(d.productId) && d.path);
  const ids = productIds.map((p) => `0x${p.toString(16).padStart(4, '0')}`).join('/');
  if (!found?.path) throw new NoHidDeviceError(`no MagTek HID card reader found (vendor 0x${vendorId.toString(16).padStart(4, '0')}, product ${ids}): is it plugged in and is /dev/hidraw* readable?`);
  try {
    return factory.open(found.path);
  } catch (e) {
    throw new NoHidDeviceError(`MagTek HID reader at ${found.path} cannot be opened: ${(e as Error).message}`);
  }
}
