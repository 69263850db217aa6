// No Docker (simulated runtime), port 0 and temp dirs only: an int test, run without the Docker lock.
// Several API servers on one etcd cluster, and the clients that fail over between them (issue 11
// §2, ADR 0012): a node agent given `--server A,B`, and the real kubectl through `skiff lb`
// with the kubeconfig it writes. The server each of them uses is SIGKILLed; the work goes on
// through the other: kubectl's requests land there, and the agent runs the pods bound to its
// node and reports them, then the same the other way round once the first server is back.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestClient } from '@skiff/client';
import { freePorts, startEtcdCluster, until, type EtcdCluster } from '@skiff/apiserver/testing';
import { ClusterProcesses } from './processes.ts';
import { KUBECTL } from '../support/kubectl.ts';

const PODS = { group: '', version: 'v1', plural: 'pods', scope: 'Namespaced' } as const;
const NODE = 'failover-node';

let etcd: EtcdCluster;
let dir: string;
let procs: ClusterProcesses;
let urls: string[];
let lbPort: number;

beforeAll(async () => {
  etcd = await startEtcdCluster(3);
  dir = mkdtempSync(join(tmpdir(), 'skiff-failover-'));
  procs = new ClusterProcesses(dir);
  const [pa, pb, pl, ta, tb] = await freePorts(5);
  // The clients meet the servers on their plain-HTTP loopback ports (system:unsecured): this test
  // is about failover, not credentials (two servers would need one shared cluster CA for TLS).
  urls = [`http://127.0.0.1:${pa}`, `http://127.0.0.1:${pb}`];
  lbPort = pl;
  const server = (name: string, port: number, tlsPort: number) =>
    ['server', '--datastore-endpoint', etcd.endpoint, '--data-dir', join(dir, name), '--port', String(tlsPort), '--insecure-port', String(port), '--no-scheduler', '--no-controllers'];
  procs.start('server-a', server('a', pa, ta));
  procs.start('server-b', server('b', pb, tb));
  await Promise.all(urls.map((u) => until(`${u} ready`, async () => (await fetch(`${u}/readyz`).catch(() => undefined))?.ok, 30_000)));
  procs.start('lb', ['lb', '--server', urls.join(','), '--listen', `127.0.0.1:${lbPort}`, '--write-kubeconfig', join(dir, 'kubeconfig')]);
  procs.start('agent', ['agent', '--runtime', 'sim', '--server', urls.join(','), '--node-name', NODE, '--node-ip', '127.0.0.1', '--port', '0']);
}, 60_000);

afterAll(async () => {
  await procs?.stopAll();
  await etcd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The real kubectl with the kubeconfig `skiff lb` wrote, and a cache of its own. */
function kubectl(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(KUBECTL, ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'kubectl-cache'), '--request-timeout', '20s', ...args], { env: { ...process.env, HOME: dir }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr });
    });
    if (stdin !== undefined) child.stdin!.end(stdin);
  });
}

// No ServiceAccount token: without a controller manager there is neither a `default`
// ServiceAccount nor `kube-root-ca.crt` for the token volume (ADR 0017).
const podManifest = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: NODE, automountServiceAccountToken: false, containers: [{ name: 'c', image: 'busybox' }] } });

/** Creates a pod bound to the agent's node through kubectl, and waits (through kubectl) until the agent reports it Running. */
async function podRunsThroughKubectl(name: string): Promise<void> {
  const created = await kubectl(['create', '-f', '-'], podManifest(name));
  expect(created.code).toBe(0);
  expect(created.stdout).toBe(`pod/${name} created\n`);
  // kubectl is a process per call: poll it slowly.
  await until(`${name} Running (reported by the agent)`, async () => (await kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.phase}'])).stdout === 'Running', { timeoutMs: 45_000, intervalMs: 500 }).catch((err: Error) => {
    throw new Error(`${err.message}\n${procs.logTails(15)}`);
  });
}

test('the kubeconfig written by skiff lb points kubectl at the balancer and lists every server for skiff\'s own clients', async () => {
  await until('skiff lb wrote its kubeconfig', async () => (await kubectl(['config', 'view', '-o', 'json'])).stdout.includes('skiff.dev/servers'), { timeoutMs: 20_000, intervalMs: 200 });
  const doc = JSON.parse((await kubectl(['config', 'view', '-o', 'json'])).stdout);
  expect(doc.clusters[0].cluster.server).toBe(`http://127.0.0.1:${lbPort}`);
  expect(doc.clusters[0].cluster.extensions).toEqual([{ name: 'skiff.dev/servers', extension: { servers: urls } }]);
});

test('SIGKILL the server the agent and kubectl use, then the other: both follow to the live server every time', async () => {
  const b = new RestClient({ server: urls[1] });
  try {
    await until('the agent registered its node', async () => (await b.list({ group: '', version: 'v1', plural: 'nodes', scope: 'Cluster' })).items.some((n) => n.metadata.name === NODE), 30_000);
    await podRunsThroughKubectl('before');

    // Server A goes; kubectl (through the balancer) and the agent (its own list) carry on through B.
    await procs.kill('server-a');
    await podRunsThroughKubectl('after-a-died');
    const onB = await b.get(PODS, 'default', 'after-a-died');
    expect(onB.status?.phase).toBe('Running');

    // A comes back and B goes: both move on again, wrapping round to the first of their list.
    procs.restart('server-a');
    await until('server A ready again', async () => (await fetch(`${urls[0]}/readyz`).catch(() => undefined))?.ok, 30_000);
    await procs.kill('server-b');
    await podRunsThroughKubectl('after-b-died');
    const names = (await kubectl(['get', 'pods', '-o', 'name'])).stdout.trim().split('\n').sort();
    expect(names).toEqual(['pod/after-a-died', 'pod/after-b-died', 'pod/before']);
    expect(procs.crashed()).toEqual([]);
  } finally {
    b.close();
  }
}, 180_000);
