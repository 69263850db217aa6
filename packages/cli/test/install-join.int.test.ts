// The whole chain of `skiff agent install`: the unit's ExecStart, run with the variables of its
// environment file (what systemd would do; this machine has no systemd to do it), joins a real
// HTTPS server with the token from SKIFF_TOKEN, and the token appears on no command line.
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bootstrapTokenSecret, caHash, formatJoinString, newBootstrapToken, NODES, SECRETS, type KubeObject } from '@skiff/api';
import { startTestServer, until, type TestServer } from '@skiff/apiserver/testing';
import { RestClient } from '@skiff/client';
import { createControllerManager, type ControllerManager } from '@skiff/controllers';

const run = promisify(execFile);
const SKIFF = fileURLToPath(new URL('../../../bin/skiff', import.meta.url));

let server: TestServer;
let admin: RestClient;
let manager: ControllerManager;
let dir: string;
let agent: ChildProcess | undefined;

beforeAll(async () => {
  server = await startTestServer({ https: true });
  const tls = server.tls!;
  admin = new RestClient({ server: server.url, ca: tls.ca, ...tls.admin });
  // The CSR approver and signer, so the bootstrap token's CSR is signed.
  manager = createControllerManager({ server: server.url, ca: tls.ca, ...(await tls.issue({ commonName: 'system:kube-controller-manager' })), leaderElect: false, controllers: ['csrapproving'], signing: tls.pki.ca, log: () => undefined });
  await manager.start();
  dir = mkdtempSync(join(tmpdir(), 'skiff-install-join-'));
}, 60_000);

afterAll(async () => {
  if (agent && agent.exitCode === null) {
    const exited = new Promise((r) => agent!.once('exit', r));
    agent.kill('SIGTERM');
    await exited;
  }
  await manager?.stop();
  admin?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** systemd's EnvironmentFile: KEY="value" lines (as unit.ts writes them). */
function readEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"$/.exec(line);
    if (m) env[m[1]] = m[2].replace(/\\(.)/g, '$1');
  }
  return env;
}

test('the installed unit, run with its environment file, joins with SKIFF_TOKEN; the token is on no command line', async () => {
  const t = newBootstrapToken();
  await admin.create(SECRETS, bootstrapTokenSecret({ id: t.id, secret: t.secret, ttlSeconds: 3600 }) as unknown as KubeObject);
  const joinString = formatJoinString(caHash(server.tls!.ca), t.token);
  const root = join(dir, 'root');
  await run(SKIFF, ['agent', 'install', '--root', root, '--server', server.url, '--token', joinString, '--node-name', 'installed-1', '--runtime', 'sim', '--port', '0', '--root-dir', join(dir, 'agent')], { timeout: 30_000 });
  const unit = readFileSync(join(root, 'etc/systemd/system/skiff-agent.service'), 'utf8');
  const env = readEnvFile(readFileSync(join(root, 'etc/systemd/system/skiff-agent.service.env'), 'utf8'));
  expect(env.SKIFF_TOKEN).toBe(joinString);
  // Every argument here is plain (no quoting), so ExecStart splits on spaces.
  const exec = /^ExecStart=(.*)$/m.exec(unit)![1].split(' ');
  expect(exec.join(' ')).not.toContain(joinString);
  let out = '';
  agent = spawn(exec[0], exec.slice(1), { env: { PATH: process.env.PATH!, ...env, SKIFF_HOME: join(dir, 'home') }, stdio: ['ignore', 'pipe', 'pipe'] });
  agent.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  agent.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await until('the installed agent\'s node is Ready', async () => {
    if (agent!.exitCode !== null) throw new Error(`the agent exited (${agent!.exitCode}): ${out}`);
    const n = await admin.get(NODES, undefined, 'installed-1').catch(() => undefined);
    return ((n?.status?.conditions ?? []) as { type: string; status: string }[]).some((c) => c.type === 'Ready' && c.status === 'True');
  }, { timeoutMs: 60_000 });
  // What `ps` shows of the agent (bin/skiff execs node: the same process).
  const cmdline = readFileSync(`/proc/${agent.pid}/cmdline`, 'utf8');
  expect(cmdline).toContain('installed-1');
  expect(cmdline).not.toContain(t.token);
  expect(out).not.toContain(t.token);
}, 90_000);
