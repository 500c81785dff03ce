/**
 * Remote monitoring tokens, for the operator of a kiosk (run on the ATM, or wherever its data directory is):
 *   monitoring token create --name NAME [--scope read[,operate]] [--expires 90d|12h|ISO] [--config-entry] [--json]
 *   monitoring token list
 *   monitoring token revoke --name NAME
 * The secret is printed once and stored nowhere: the token file (<dataDir>/monitoring-tokens.json, or
 * monitoring.tokensFile) keeps only its SHA-256, scopes and expiry, and the running kiosk re-reads it, so a new or
 * revoked token takes effect without a restart. --config-entry prints an entry for `monitoring.tokens` in the
 * config file instead (for configuration management), writing nothing.
 */
import { loadConfig } from '../config/config';
import { SCOPES, tokenSchema, type Scope } from '../monitoring/config';
import { generateToken, parseExpiry, readTokenFile, tokenFilePath, writeTokenFile, type StoredToken } from '../monitoring/tokens';
import { ToolError } from './op-registry';
import type { Subcommand } from './subcommands';

const VALUE_OPTIONS = new Set(['--name', '--scope', '--expires', '--data-dir', '--config']);
const FLAGS = new Set(['--json', '--config-entry']);

function parseArgs(args: string[]): { options: Map<string, string>; flags: Set<string> } {
  const options = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (FLAGS.has(a)) flags.add(a);
    else if (VALUE_OPTIONS.has(a)) {
      const v = args[i + 1];
      if (v === undefined || v.startsWith('--')) throw new ToolError(`${a} needs a value`);
      options.set(a, v);
      i++;
    } else throw new ToolError(`unknown option ${a}`);
  }
  return { options, flags };
}

function parseScopes(v: string | undefined): Scope[] {
  const list = (v ?? 'read')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!list.length) throw new ToolError('--scope needs read, operate or read,operate');
  for (const s of list) if (!(SCOPES as readonly string[]).includes(s)) throw new ToolError(`--scope ${s}: must be read or operate`);
  return [...new Set(list as Scope[])];
}

const USAGE = 'token create --name NAME [--scope read[,operate]] [--expires 90d|12h|ISO] [--config-entry] [--json] | token list | token revoke --name NAME   [--data-dir DIR] [--config FILE]';

export const monitoringSubcommands: Record<string, Subcommand> = {
  monitoring: {
    usage: USAGE,
    async run(args) {
      const [what, action, ...rest] = args;
      if (what !== 'token' || !action) throw new ToolError(`usage: atm-tools monitoring ${USAGE}`);
      const { options, flags } = parseArgs(rest);
      const config = loadConfig(options.get('--config') ?? process.env.ATM_CONFIG, { mustExist: options.has('--config') || Boolean(process.env.ATM_CONFIG) });
      const dataDir = options.get('--data-dir') ?? config.dataDir;
      const file = tokenFilePath(dataDir, config.monitoring.tokensFile);
      let stored: StoredToken[];
      try {
        stored = readTokenFile(file);
      } catch (e) {
        throw new ToolError((e as Error).message);
      }
      const inConfig = config.monitoring.tokens;

      if (action === 'create') {
        const name = options.get('--name');
        if (!name) throw new ToolError('create needs --name (shown in the journal as remote:<name>)');
        const scopes = parseScopes(options.get('--scope'));
        let expiresAt: string;
        try {
          expiresAt = parseExpiry(options.get('--expires') ?? '90d');
        } catch (e) {
          throw new ToolError((e as Error).message);
        }
        if ([...stored, ...inConfig].some((t) => t.name === name)) throw new ToolError(`a token named "${name}" already exists (revoke it first, or pick another name)`);
        const { token, sha256 } = generateToken();
        const entry = { name, sha256, scopes, expiresAt };
        const check = tokenSchema.safeParse(entry);
        if (!check.success) throw new ToolError(check.error.issues.map((i) => `--${String(i.path[0] ?? 'name')}: ${i.message}`).join('; '));
        if (!flags.has('--config-entry')) writeTokenFile(file, [...stored, { ...entry, createdAt: new Date().toISOString() }]);
        if (flags.has('--json')) {
          console.log(JSON.stringify({ name, token, scopes, expiresAt, ...(flags.has('--config-entry') ? { configEntry: entry } : { file }) }));
        } else {
          console.log(`token: ${token}`);
          console.log(`name: ${name}  scopes: ${scopes.join(',')}  expires: ${expiresAt}`);
          if (flags.has('--config-entry')) console.log(`add to monitoring.tokens in the config file:\n${JSON.stringify(entry, null, 2)}`);
          else console.log(`stored as its SHA-256 in ${file}; the running kiosk picks it up without a restart.`);
          console.log('The token is shown only now: hand it to the monitoring agent (Authorization: Bearer <token>).');
        }
        return 0;
      }
      if (action === 'list') {
        const now = Date.now();
        const rows = [...inConfig.map((t) => ({ ...t, source: 'config' })), ...stored.map((t) => ({ ...t, source: 'file' }))];
        if (flags.has('--json')) console.log(JSON.stringify(rows.map(({ sha256: _h, ...r }) => ({ ...r, expired: Date.parse(r.expiresAt) <= now }))));
        else if (!rows.length) console.log(`no monitoring tokens (file ${file})`);
        else for (const r of rows) console.log(`${r.name.padEnd(24)} ${r.scopes.join(',').padEnd(13)} ${r.expiresAt}${Date.parse(r.expiresAt) <= now ? ' (expired)' : ''}  [${r.source}]`);
        return 0;
      }
      if (action === 'revoke') {
        const name = options.get('--name');
        if (!name) throw new ToolError('revoke needs --name');
        if (!stored.some((t) => t.name === name)) {
          if (inConfig.some((t) => t.name === name)) throw new ToolError(`token "${name}" is in the config file (monitoring.tokens): remove it there`);
          throw new ToolError(`no token named "${name}" in ${file}`);
        }
        writeTokenFile(
          file,
          stored.filter((t) => t.name !== name),
        );
        console.log(`revoked "${name}" (effective on the next request)`);
        return 0;
      }
      throw new ToolError(`unknown action "${action}": create, list or revoke`);
    },
  },
};
