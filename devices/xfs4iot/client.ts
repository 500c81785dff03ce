/**
 * Client adapters: an external XFS4IoT service provider serving as one of our devices. Each connects to a
 * service URI (see ServicePublisher.GetServices), reconnects with back-off, and completes pending
 * commands with `deviceNotReady` when the connection drops.
 */
export { Xfs4IotCardReader } from './client-card-reader';
export { Xfs4IotDispenser } from './client-dispenser';
export { Xfs4IotPinPad } from './client-pinpad';
export { Xfs4IotPrinter } from './client-printer';
export { Xfs4IotConnection, type ConnectionOptions } from './connection';
