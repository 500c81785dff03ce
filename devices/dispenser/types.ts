import type { CommonStatus, Completion, TypedEmitter } from '../common/types';

export type CashDispenserErrorCode =
  | 'cashUnitError'
  | 'notDispensable'
  | 'invalidDenomination'
  | 'invalidMixNumber'
  | 'noItems'
  | 'exchangeActive'
  | 'tooManyItems'
  | 'shutterNotOpen'
  | 'shutterOpen'
  | 'shutterClosed'
  | 'noCashBoxPresent'
  | 'itemsTaken'
  | 'itemsLeft'
  | 'jam'
  | 'incompleteDispense';

export type CashUnitState = 'ok' | 'low' | 'empty' | 'inoperative' | 'missing' | 'full' | 'high';

/** One storage unit (XFS4IoT Storage `cash` unit). Counts are note counts. */
export interface CashUnit {
  id: string;
  type: 'dispense' | 'reject' | 'retract';
  currency: string;
  /** Denomination in minor units (e.g. 2000 = 20.00). 0 for reject/retract bins. */
  denomination: number;
  initial: number;
  count: number;
  dispensed: number;
  presented: number;
  rejected: number;
  retracted: number;
  lowThreshold: number;
  highThreshold?: number;
  capacity: number;
  state: CashUnitState;
}

export interface DispenserStatus extends CommonStatus {
  /** Where notes are: none, stacked inside, presented in the output slot. */
  intermediateStacker: 'empty' | 'notEmpty';
  outputPosition: 'empty' | 'notEmpty';
  shutter: 'closed' | 'open' | 'jammed';
  exchangeActive: boolean;
}

/** Note counts per cash unit id. */
export type NoteCounts = Record<string, number>;

export type MixAlgorithm = 'minimumNotes' | 'equalEmptying' | { preferDenomination: number };

export interface DispenserEvents extends Record<string, unknown> {
  itemsPresented: { counts: NoteCounts };
  itemsTaken: Record<string, never>;
  incompleteDispense: { counts: NoteCounts };
  statusChanged: DispenserStatus;
  cashUnitThreshold: { unit: CashUnit };
}

export interface DispenserService {
  readonly events: TypedEmitter<DispenserEvents>;
  status(): DispenserStatus;
  cashUnits(): CashUnit[];
  /** Calculates a note mix without moving anything. */
  denominate(req: { amount: number; currency: string; mix: MixAlgorithm }): Promise<Completion<{ counts: NoteCounts }, CashDispenserErrorCode>>;
  /** Picks notes into the stacker. On a fault the payload carries what was actually picked. */
  dispense(req: { counts: NoteCounts }): Promise<Completion<{ counts: NoteCounts }, CashDispenserErrorCode>>;
  /** Opens the shutter and presents the stacked notes. */
  present(): Promise<Completion<{ counts: NoteCounts }, CashDispenserErrorCode>>;
  /** Moves stacked notes to the reject bin (never presented). */
  reject(): Promise<Completion<{ counts: NoteCounts }, CashDispenserErrorCode>>;
  /** Pulls presented-but-not-taken notes back into the retract bin. */
  retract(): Promise<Completion<{ counts: NoteCounts }, CashDispenserErrorCode>>;
  startExchange(): Promise<Completion<{ units: CashUnit[] }, CashDispenserErrorCode>>;
  endExchange(req: { units: Array<Pick<CashUnit, 'id'> & Partial<Pick<CashUnit, 'count' | 'denomination' | 'currency' | 'lowThreshold'>>> }): Promise<Completion<{ units: CashUnit[] }, CashDispenserErrorCode>>;
}
