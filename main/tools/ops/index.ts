import type { BatchOp } from '../op-registry';
import { emvBatchOps } from './emv';

/** Every batch operation, by its "op" name. Areas register here (one import line each). */
export const batchOps: Record<string, BatchOp> = {};
Object.assign(batchOps, emvBatchOps);
