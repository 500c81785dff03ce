import type { TypedEmitter } from '../common/types';

export interface SensorState {
  operatorSwitch: 'run' | 'supervisor';
  safeDoor: 'closed' | 'open';
  cabinetDoor: 'closed' | 'open';
  headphone: 'absent' | 'present';
}

export interface SensorEvents extends Record<string, unknown> {
  changed: SensorState;
}

export interface SensorsService {
  readonly events: TypedEmitter<SensorEvents>;
  state(): SensorState;
}
