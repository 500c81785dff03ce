import { TypedEmitter } from '../common/types';
import type { SensorEvents, SensorState, SensorsService } from '../sensors/types';

/** Simulated sensors: operator (supervisor) switch, safe and cabinet doors, headphone jack. */
export class SensorsSimulator implements SensorsService {
  readonly events = new TypedEmitter<SensorEvents>();
  private current: SensorState = { operatorSwitch: 'run', safeDoor: 'closed', cabinetDoor: 'closed', headphone: 'absent' };

  state(): SensorState {
    return { ...this.current };
  }
  set(change: Partial<SensorState>): void {
    this.current = { ...this.current, ...change };
    this.events.emit('changed', this.state());
  }
}
