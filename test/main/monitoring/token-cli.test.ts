/**
 * `atm-tools monitoring token create|list|revoke` as an operator runs it (a real child process) against the data
 * directory of a running kiosk: the new token works at once, revocation too, and mistakes are clear errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { api, startMonitored, type Monitored } from './helpers';

let m: Monitored;
beforeAll(async () => {
  m = await startMonitored();
});
afterAll(async () => {
  await m?.close();
});

function tool(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'main/tools/atm-tools.ts', 'monitoring', 'token', ...args, '--data-dir', m.kiosk.dataDir], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ATM_CONFIG: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('atm-tools monitoring token', () => {
  it('create prints the secret once, stores only its hash, and the running kiosk accepts it at once', { timeout: 60_000 }, async () => {
    const r = tool('create', '--name', 'noc-paris', '--scope', 'read,operate', '--expires', '30d', '--json');
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out) as { token: string; name: string; scopes: string[]; expiresAt: string; file: string };
    expect(out.token).toMatch(/^atm_[A-Za-z0-9_-]{43}$/);
    expect(out.scopes).toEqual(['read', 'operate']);
    expect(Date.parse(out.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    const file = join(m.kiosk.dataDir, 'monitoring-tokens.json');
    expect(out.file).toBe(file);
    const stored = readFileSync(file, 'utf8');
    expect(stored).not.toContain(out.token);
    expect(stored).toContain('"name": "noc-paris"');
    expect(statSync(file).mode & 0o077).toBe(0);
    const w = await api(m, '/api/v1/whoami', { token: out.token });
    expect(w.json).toMatchObject({ name: 'noc-paris', scopes: ['read', 'operate'] });
    const list = tool('list');
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^noc-paris\s+read,operate\s+\d{4}-.*\[file\]$/m);
    expect(list.out).not.toContain(out.token);
    const revoke = tool('revoke', '--name', 'noc-paris');
    expect(revoke.code).toBe(0);
    expect((await api(m, '/api/v1/whoami', { token: out.token })).status).toBe(401);
  });

  it('human output names the file and says the token is shown only now; --config-entry writes nothing', { timeout: 60_000 }, () => {
    const r = tool('create', '--name', 'grafana');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^token: atm_/m);
    expect(r.out).toContain('scopes: read ');
    expect(r.out).toContain('shown only now');
    const entry = tool('create', '--name', 'from-ansible', '--scope', 'read', '--config-entry', '--json');
    const e = JSON.parse(entry.out) as { configEntry: { sha256: string; name: string } };
    expect(e.configEntry.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(m.kiosk.dataDir, 'monitoring-tokens.json'), 'utf8')).not.toContain('from-ansible');
  });

  it('mistakes are clear errors', { timeout: 60_000 }, () => {
    const cases: Array<[string[], string]> = [
      [['create'], 'create needs --name'],
      [['create', '--name', 'grafana'], 'a token named "grafana" already exists'],
      [['create', '--name', 'x', '--scope', 'admin'], '--scope admin: must be read or operate'],
      [['create', '--name', 'x', '--expires', 'soon'], '--expires soon: use a duration like 90d'],
      [['create', '--name', 'x', '--expires', '2001-01-01T00:00:00Z'], 'is in the past'],
      [['create', '--name', 'bad name'], 'letters, digits'],
      [['create', '--name', 'x', '--bogus'], 'unknown option --bogus'],
      [['revoke', '--name', 'nobody'], 'no token named "nobody"'],
      [['rotate'], 'unknown action "rotate"'],
    ];
    for (const [args, msg] of cases) {
      const r = tool(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err, args.join(' ')).toContain(msg);
    }
  });
});
