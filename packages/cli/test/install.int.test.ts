// `skiff server|agent install|uninstall` through the real CLI into a --root directory (this
// machine does not run systemd as PID 1, so systemctl is only planned there), and the units
// checked by the real `systemd-analyze verify`, which must be installed and report nothing.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SKIFF = fileURLToPath(new URL('../../../bin/skiff', import.meta.url));
const TOKEN = 'K10aaaaaaaaaaaaaaaa::abcdef.0123456789abcdef';
let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'skiff-install-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

const at = (p: string) => join(root, p);
const skiff = (...args: string[]) => run(SKIFF, args, { timeout: 30_000 });

async function verify(...units: string[]): Promise<void> {
  // Not found is a failure: the test says so rather than passing without the check.
  const r = await run('systemd-analyze', ['verify', ...units], { timeout: 30_000 }).catch((e: { code?: unknown; stdout?: string; stderr?: string }) => {
    throw new Error(`systemd-analyze verify failed (${String(e.code)}): ${e.stdout ?? ''}${e.stderr ?? ''}`);
  });
  expect(`${r.stdout}${r.stderr}`).toBe('');
}

test('agent install writes a unit systemd accepts and a 0600 environment file holding the token; uninstall removes both', async () => {
  const out = await skiff('agent', 'install', '--root', root, '--server', 'https://10.0.0.1:6443', '--token', TOKEN, '--node-name', 'node one', '--node-ip', '10.0.0.5');
  expect(out.stdout).toContain('would run: systemctl daemon-reload\nwould run: systemctl enable skiff-agent.service\nwould run: systemctl restart skiff-agent.service');
  const unit = at('etc/systemd/system/skiff-agent.service');
  const env = at('etc/systemd/system/skiff-agent.service.env');
  expect(statSync(unit).mode & 0o777).toBe(0o644);
  expect(statSync(env).mode & 0o777).toBe(0o600);
  expect(statSync(env).uid).toBe(process.getuid!());
  const text = readFileSync(unit, 'utf8');
  expect(text).not.toContain(TOKEN);
  expect(text).toMatch(/^ExecStart=\/\S+\/bin\/skiff agent --server https:\/\/10\.0\.0\.1:6443 --node-name "node one" --node-ip 10\.0\.0\.5$/m);
  expect(readFileSync(env, 'utf8')).toContain(`SKIFF_TOKEN="${TOKEN}"`);
  expect(out.stdout).not.toContain(TOKEN);
  await verify(unit);

  await skiff('agent', 'uninstall', '--root', root);
  expect([existsSync(unit), existsSync(env)]).toEqual([false, false]);
});

test('server install passes the server flags through, checked against skiff server\'s own; the unit verifies', async () => {
  await skiff('server', 'install', '--root', root, '--host', '0.0.0.0', '--audit-log-path', '/var/log/skiff/audit 100%.log', '--max-requests-inflight', '800');
  const unit = at('etc/systemd/system/skiff-server.service');
  expect(readFileSync(unit, 'utf8')).toMatch(/^ExecStart=\S+ server --data-dir \/var\/lib\/skiff\/server --host 0\.0\.0\.0 --audit-log-path "\/var\/log\/skiff\/audit 100%%\.log" --max-requests-inflight 800$/m);
  expect(statSync(at('etc/systemd/system/skiff-server.service.env')).mode & 0o777).toBe(0o600);
  await verify(unit);
});

test('refusals: an unknown flag, a token on the command line, a missing token; nothing is written', async () => {
  await expect(skiff('server', 'install', '--root', root, '--no-such-flag')).rejects.toMatchObject({ stderr: expect.stringContaining('unknown option for skiff server: --no-such-flag') });
  await expect(skiff('agent', 'install', '--root', root, '--server', 'https://h:6443')).rejects.toMatchObject({ stderr: expect.stringContaining("required option '--token <token>' not specified") });
  await expect(skiff('agent', 'install', '--root', root, '--server', 'https://h:6443', '--token', TOKEN, '--', '--token=x')).rejects.toMatchObject({ stderr: expect.stringMatching(/token|unexpected argument/) });
  expect(existsSync(at('etc'))).toBe(false);
});

test('--dry-run writes nothing and never prints the environment file', async () => {
  const out = await skiff('agent', 'install', '--dry-run', '--root', root, '--server', 'https://h:6443', '--token', TOKEN);
  expect(out.stdout).toContain('(contents not shown: it may hold secrets)');
  expect(out.stdout).not.toContain(TOKEN);
  expect(existsSync(at('etc'))).toBe(false);
});
