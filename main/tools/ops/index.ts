import type { BatchOp } from '../op-registry';
import { emvBatchOps } from './emv';
import { iso8583BatchOps } from './iso8583';
import { cryptoBatchOps } from './crypto';

/** Every batch operation, by its "op" name. Areas register here (one import line each). */
export const batchOps: Record<string, BatchOp> = {};
Object.assign(batchOps, emvBatchOps);
Object.assign(batchOps, iso8583BatchOps);
Object.assign(batchOps, cryptoBatchOps);
