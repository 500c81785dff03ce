#!/usr/bin/env node
/**
 * atm-tools: a command-line tool for payment engineers.
 *   npm run -s atm-tools -- batch            JSON lines in (stdin), one JSON line out per request, in order
 *   npm run -s atm-tools -- <area> <command> plain subcommands (see `help`)
 */
import { createInterface } from 'node:readline';
import { batchOps } from './ops/index';
import { ToolError, type JsonObject } from './op-registry';
import { subcommands } from './subcommands';

export async function runBatchLine(line: string): Promise<JsonObject> {
  let req: unknown;
  try {
    req = JSON.parse(line);
  } catch (e) {
    return { error: `invalid JSON: ${(e as Error).message}` };
  }
  if (typeof req !== 'object' || req === null || Array.isArray(req)) return { error: 'request must be a JSON object' };
  const op = (req as JsonObject).op;
  if (typeof op !== 'string') return { error: 'request needs an "op" string' };
  const fn = Object.prototype.hasOwnProperty.call(batchOps, op) ? batchOps[op] : undefined;
  if (!fn) return { error: `unknown op "${op}"; known: ${Object.keys(batchOps).sort().join(', ')}` };
  try {
    return await fn(req as JsonObject);
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

async function batch(): Promise<number> {
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const raw of rl) {
    const line = raw.trim();
    if (!line) continue;
    process.stdout.write(JSON.stringify(await runBatchLine(line)) + '\n');
  }
  return 0;
}

function usage(): string {
  const lines = ['usage: atm-tools batch            (JSON lines on stdin)', '       atm-tools help'];
  for (const [name, sc] of Object.entries(subcommands)) lines.push(`       atm-tools ${name} ${sc.usage}`);
  lines.push('', `batch ops: ${Object.keys(batchOps).sort().join(', ')}`);
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    console.log(usage());
    return cmd ? 0 : 2;
  }
  if (cmd === 'batch') return batch();
  const sc = Object.prototype.hasOwnProperty.call(subcommands, cmd) ? subcommands[cmd] : undefined;
  if (!sc) {
    console.error(`atm-tools: unknown command "${cmd}"\n${usage()}`);
    return 2;
  }
  try {
    return await sc.run(rest);
  } catch (e) {
    console.error(`atm-tools ${cmd}: ${e instanceof ToolError || e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

const invokedDirectly = process.argv[1] && /atm-tools\.(ts|js|mjs)$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
