import { emvSubcommands } from './subcommands-emv';
import { iso8583Subcommands } from './subcommands-iso8583';
import { cryptoSubcommands } from './subcommands-crypto';
import { kioskSubcommands } from './subcommands-kiosk';
import { monitoringSubcommands } from './subcommands-monitoring';
/** Plain (human) subcommands of atm-tools, by area. Areas add theirs here (one import line each). */
export interface Subcommand {
  usage: string;
  run(args: string[]): Promise<number>;
}

export const subcommands: Record<string, Subcommand> = {};
Object.assign(subcommands, emvSubcommands);
Object.assign(subcommands, iso8583Subcommands);
Object.assign(subcommands, cryptoSubcommands);
Object.assign(subcommands, kioskSubcommands);
Object.assign(subcommands, monitoringSubcommands);
