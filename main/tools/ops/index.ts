import type { BatchOp } from '../op-registry';

/** Every batch operation, by its "op" name. Areas register here (one import line each). */
export const batchOps: Record<string, BatchOp> = {};
