/**
 * Operator subcommands over a kiosk's data directory:
 *   journal verify | export [--format jsonl|text] [--since SEQ] | rotate --before ISO [--archive FILE]
 *   invariants      journal cash = cassette cash = host net debits (embedded host), no open transactions
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../journals/database';
import { Journal } from '../../journals/journal';
import { exportJournal, rotateJournal } from '../../journals/journal-export';
import { TransactionStore } from '../../journals/transactions';
import { ReversalQueue } from '../../journals/reversal-queue';
import { loadConfig } from '../config/config';
import { checkInvariants } from '../core/invariants';
import { BankStore } from '../host-sim/bank-store';
import { DispenserSimulator } from '../../devices/simulators/dispenser-sim';
import { ToolError } from './op-registry';
import type { Subcommand } from './subcommands';

function opt(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function open(args: string[]) {
  const config = loadConfig(opt(args, '--config') ?? process.env.ATM_CONFIG);
  const dataDir = opt(args, '--data-dir') ?? config.dataDir;
  const dbPath = join(dataDir, 'kiosk.db');
  if (!existsSync(dbPath)) throw new ToolError(`no kiosk database at ${dbPath} (use --data-dir)`);
  const db = openDatabase(dbPath);
  const journal = new Journal(db, config.terminal.id);
  return { config, dataDir, db, journal };
}

export const kioskSubcommands: Record<string, Subcommand> = {
  journal: {
    usage: 'verify|export|rotate [--data-dir DIR] [--format jsonl|text] [--since SEQ] [--before ISO --archive FILE]',
    async run(args) {
      const [action, ...rest] = args;
      const { db, journal, dataDir } = open(rest);
      try {
        if (action === 'verify') {
          const r = journal.verify();
          console.log(r.ok ? `journal OK: ${r.rows} rows verified` : `journal BROKEN at seq ${r.seq}: ${r.reason}`);
          return r.ok ? 0 : 1;
        }
        if (action === 'export') {
          const format = opt(rest, '--format') === 'text' ? 'text' : 'jsonl';
          const since = Number(opt(rest, '--since') ?? 0);
          for (const line of exportJournal(journal, { format, sinceSeq: since })) process.stdout.write(line + '\n');
          return 0;
        }
        if (action === 'rotate') {
          const before = opt(rest, '--before');
          if (!before || Number.isNaN(Date.parse(before))) throw new ToolError('rotate needs --before <ISO date>');
          const archive = opt(rest, '--archive') ?? join(dataDir, 'journal-archive', `journal-before-${before.slice(0, 10)}.jsonl`);
          console.log(`archived ${rotateJournal(db, journal, new Date(before).toISOString(), archive)} rows to ${archive}`);
          return 0;
        }
        throw new ToolError('journal needs verify, export or rotate');
      } finally {
        db.close();
      }
    },
  },
  invariants: {
    usage: '[--data-dir DIR] [--config FILE]   check journal cash = cassette cash = host net debits',
    async run(args) {
      const { config, dataDir, db, journal } = open(args);
      try {
        const statePath = join(dataDir, 'devices', 'dispenser.json');
        if (!existsSync(statePath)) throw new ToolError(`no dispenser state at ${statePath}`);
        const dispenser = new DispenserSimulator({ statePath, currency: config.terminal.currency, cassettes: config.simulator.cassettes, timeScale: 0 });
        const hostDb = join(dataDir, 'host-sim.db');
        let hostNet: number | null = null;
        if (existsSync(hostDb)) {
          const bank = new BankStore(hostDb, Buffer.alloc(32));
          hostNet = bank.netDebits(config.terminal.id);
          bank.close();
        }
        const report = checkInvariants({ journal, txns: new TransactionStore(db, journal), units: dispenser.cashUnits(), hostNetDebits: hostNet, reversalQueueDepth: new ReversalQueue(db).depth() });
        for (const c of report.checks) console.log(`${c.ok ? 'OK  ' : 'FAIL'} ${c.name}: ${c.detail}`);
        return report.ok ? 0 : 1;
      } finally {
        db.close();
      }
    },
  },
};
