// `skiff up` on a data directory used before: the Nodes of the last run are still stored with
// Ready=True, and `up` must not take them for the agents it has just started. Then the real
// kubectl (and `skiff logs`) reach a pod on one of its hollow nodes through the API server: the
// node's endpoint serves the simulated runtime's logs and exec. Hollow nodes (--runtime sim), a
// fixed API port and node addresses 127.0.1.x: run under the docker lock like the other CLI tests.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODES, type Node } from '@skiff/api';
import { RestClient } from '@skiff/client';
import { freePorts, until } from '@skiff/apiserver/testing';
import { IDENTITY_FILES } from '@skiff/agent';
import { readKubeconfig, clientOptions } from '../src/kubeconfig.ts';

const SKIFF = fileURLToPath(new URL('../../../bin/skiff', import.meta.url));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-up-'));
});
afterAll(async () => {
  await skiff('down', '--data-dir', dir, '--purge');
  rmSync(dir, { recursive: true, force: true });
});

type Run = { code: number; stdout: string; stderr: string };
function runIn(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env: { ...process.env, SKIFF_HOME: dir, ...env }, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: unknown }).code as number ?? 1) : 0, stdout, stderr }),
    );
  });
}
const skiff = (...args: string[]) => runIn(SKIFF, args);
/** The real kubectl with the kubeconfig `skiff up` wrote and a cache of its own. */
const kubectl = (...args: string[]) => runIn('/usr/bin/kubectl', ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'kubectl-cache'), ...args], { HOME: dir });

async function readyHeartbeats(): Promise<Record<string, string | undefined>> {
  const client = new RestClient(clientOptions(readKubeconfig(join(dir, 'kubeconfig'))!));
  try {
    const nodes = (await client.list(NODES)).items as Node[];
    return Object.fromEntries(nodes.map((n) => [n.metadata.name!, n.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastHeartbeatTime]));
  } finally {
    client.close();
  }
}

test('a second skiff up on the same data directory waits for its own agents to report Ready', async () => {
  const [port] = await freePorts(1);
  const up = ['up', '--nodes', '2', '--runtime', 'sim', '--port', String(port), '--data-dir', dir];

  const first = await skiff(...up);
  expect(first).toMatchObject({ code: 0, stdout: expect.stringContaining('skiff is up') });
  const firstBeats = await readyHeartbeats();
  expect(Object.keys(firstBeats).sort()).toEqual(['node-1', 'node-2']);
  expect((await skiff('down', '--data-dir', dir)).stdout).toContain('skiff is down');

  // The stored Nodes still say Ready=True, with the first run's heartbeats.
  const started = Date.now();
  const second = await skiff(...up);
  expect(second).toMatchObject({ code: 0, stdout: expect.stringContaining('skiff is up') });
  // When `up` says so, each node's Ready=True comes from an agent of this run (heartbeats are
  // written to the second).
  const beats = await readyHeartbeats();
  for (const name of ['node-1', 'node-2']) {
    expect({ name, heartbeat: beats[name] }).toEqual({ name, heartbeat: expect.any(String) });
    expect(Date.parse(beats[name]!)).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
  }
}, 180_000);

test('kubectl logs and kubectl exec reach a pod on a hollow node through the API server (and skiff logs)', async () => {
  const run = await kubectl('run', 'hollow', '--image', 'skiff/busybox:1', '--restart', 'Never');
  expect(run).toMatchObject({ code: 0 });
  expect(await kubectl('wait', '--for=condition=Ready', 'pod/hollow', '--timeout=60s')).toMatchObject({ code: 0 });
  const node = (await kubectl('get', 'pod', 'hollow', '-o', 'jsonpath={.spec.nodeName}')).stdout;
  expect(['node-1', 'node-2']).toContain(node);
  // The API server reaches the node's endpoint over mutual TLS: once its serving certificate
  // (asked for by CSR when the node first started; kept in its identity directory) is in use.
  await until(`${node}'s serving certificate`, () => existsSync(join(dir, 'identities', node, IDENTITY_FILES.servingCert)), 60_000).catch(async (err: Error) => {
    const agentLog = readFileSync(join(dir, `agent-${node.slice('node-'.length)}.log`), 'utf8').split('\n').slice(-15).join('\n');
    throw new Error(`${err.message}\nkubectl get csr:\n${(await kubectl('get', 'csr')).stdout}\nthe end of its agent's log:\n${agentLog}`);
  });

  // The simulated runtime's log: one line when the container started.
  expect(await kubectl('logs', 'hollow')).toEqual({ code: 0, stdout: 'started skiff/busybox:1\n', stderr: '' });
  expect(await skiff('logs', 'hollow', '--kubeconfig', join(dir, 'kubeconfig'))).toMatchObject({ code: 0, stdout: 'started skiff/busybox:1\n' });
  // Its exec: stdout, stderr and the exit code come back through kubectl.
  expect(await kubectl('exec', 'hollow', '--', 'echo', 'hello', 'from', node)).toEqual({ code: 0, stdout: `hello from ${node}\n`, stderr: '' });
  expect(await kubectl('exec', 'hollow', '--', 'sh', '-c', 'echo oops >&2')).toMatchObject({ code: 0, stdout: '', stderr: 'oops\n' });
  expect((await kubectl('exec', 'hollow', '--', 'exit', '3')).code).toBe(3);
  // A simulated pod has no network: port-forward is refused with the reason.
  const pf = await kubectl('port-forward', 'pod/hollow', ':80', '--pod-running-timeout=5s');
  expect(pf.code).not.toBe(0);
  expect(pf.stderr).toContain('has no address on this node to forward to');
}, 120_000);
