// `skiff server --authorization-mode` (ADR 0018): a bad chain stops the server before it writes
// anything, with every problem named; AlwaysAllow is said loudly at start and lets an ordinary
// token user do what the default chain forbids it. Runs `skiff server` (port 0, no components):
// under the docker lock, like the other CLI tests.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { listeningUrl, SKIFF, useSkiffServers } from './support/skiff-server.ts';

const TOKEN = 'dev-token-0123456789abcdef';
const servers = useSkiffServers('skiff-authz-mode-');

function tempDir(): string {
  const dir = servers.tempDir();
  // A static token for the user `dev`, in no group but system:authenticated.
  writeFileSync(join(dir, 'tokens.csv'), `${TOKEN},dev,dev-uid\n`, { mode: 0o600 });
  return dir;
}

/** Starts `skiff server` with these flags; resolves with its URL and everything it printed once it listens. */
async function startServer(dir: string, args: string[]): Promise<{ url: string; output: string }> {
  const { ready, output } = await servers.start(dir, ['--port', '0', '--no-scheduler', '--no-controllers', '--token-auth-file', join(dir, 'tokens.csv'), ...args], listeningUrl);
  return { url: ready, output };
}

/** GET as the token user `dev`. */
function asDev(dir: string, url: string, path: string): Promise<{ status: number; body: any }> {
  const ca = readFileSync(join(dir, 'data', 'pki', 'ca.crt'), 'utf8');
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { ca, headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('an unknown or repeated mode is refused before anything starts, each problem named', () => {
  const dir = tempDir();
  const r = spawnSync(SKIFF, ['server', '--data-dir', join(dir, 'data'), '--port', '0', '--authorization-mode', 'RBAC,Foo,RBAC'], { encoding: 'utf8', timeout: 30_000 });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('authorization-mode "Foo" is not a valid mode (one of: Node,RBAC,AlwaysAllow,AlwaysDeny)');
  expect(r.stderr).toContain('authorization-mode ["RBAC" "Foo" "RBAC"] has mode specified more than once');
  expect(existsSync(join(dir, 'data'))).toBe(false);
  const webhook = spawnSync(SKIFF, ['server', '--data-dir', join(dir, 'data'), '--authorization-mode', 'Node,Webhook'], { encoding: 'utf8', timeout: 30_000 });
  expect(webhook.status).not.toBe(0);
  expect(webhook.stderr).toContain('authorization-mode "Webhook" is not supported by skiff');
}, 60_000);

test('the help names the flag, its modes and its default', () => {
  const r = spawnSync(SKIFF, ['server', '--help'], { encoding: 'utf8', timeout: 30_000 });
  expect(r.stdout).toMatch(/--authorization-mode <modes>\s+ordered, comma-separated authorizers/);
  expect(r.stdout.replace(/\s+/g, ' ')).toContain('(default: Node,RBAC)');
}, 60_000);

test('default Node,RBAC: an unbound user may not read Secrets; AlwaysAllow: it may, and the server says so loudly', async () => {
  const strict = tempDir();
  const s = await startServer(strict, []);
  expect(s.output).not.toContain('AlwaysAllow');
  const refused = await asDev(strict, s.url, '/api/v1/namespaces/kube-system/secrets');
  expect(refused.status).toBe(403);
  expect(refused.body.message).toBe('secrets is forbidden: User "dev" cannot list resource "secrets" in API group "" in the namespace "kube-system"');

  const open = tempDir();
  const o = await startServer(open, ['--authorization-mode', 'AlwaysAllow']);
  expect(o.output).toContain('skiff: WARNING: --authorization-mode includes AlwaysAllow: every authenticated request is ALLOWED.');
  expect(o.output).toContain('warning: --authorization-mode without RBAC');
  expect((await asDev(open, o.url, '/api/v1/namespaces/kube-system/secrets')).status).toBe(200);
}, 90_000);
