/**
 * What the UI hub needs from the supervisor (branch staff) panel that runs while the machine is in its
 * `supervisor` state (operator switch or safe door). The panel drives its own device commands (PIN pad data
 * entry, dispenser exchange, printer) and publishes ScreenModels.
 */
import type { ScreenModel } from '../common/contract';

export interface SupervisorPanel {
  /** Called when the machine enters the supervisor state. */
  open(): void;
  /** Called when the machine leaves it (operator switch back to run). */
  close(): void;
  /** The screen to show now (seq and language supplied by the hub). */
  screen(seq: number, lang: string): ScreenModel;
  /** A touched option or the FDK bound to it. */
  select(option: string): void;
  cancel(): void;
  onChange(fn: () => void): () => void;
}
