// Hollow nodes that join (`skiff agent --runtime sim --count 2 --token JOIN-STRING`), against a
// real API server over HTTPS with the controller manager's CSR approver and signer: each hollow
// node joins by itself (its own client certificate and node password), serves the agent endpoint
// on a port of its own with its own serving certificate, and the real kubectl reads a pod's logs
// and runs the simulated exec through the API server over mutual TLS, as on a real node.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { certificateInfo, NODES, PODS, type Node } from '@skiff/api';
import { IDENTITY_FILES } from '@skiff/agent';
import { until } from '@skiff/apiserver/testing';
import { Kubectl } from '../support/kubectl.ts';
import { useJoinCluster } from '../support/join-cluster.ts';

const SKIFF = fileURLToPath(new URL('../../bin/skiff', import.meta.url));

const cluster = useJoinCluster({ prefix: 'skiff-hollow-join-' });

const ready = (n: Node) => (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

test('skiff agent --runtime sim --count 2 --token: each hollow node joins, serves its endpoint, and kubectl logs/exec reach its pods', async () => {
  const { server, admin, dir } = cluster;
  const t = await cluster.newToken();
  const root = join(dir, 'root');
  const agent = spawn(SKIFF, ['agent', '--server', server.url, '--runtime', 'sim', '--count', '2', '--node-name', 'hollow', '--node-ip', '127.0.0.1', '--root-dir', root], {
    env: { ...process.env, SKIFF_HOME: dir, SKIFF_TOKEN: t.join },
  });
  let output = '';
  agent.stdout.on('data', (d: Buffer) => (output += d));
  agent.stderr.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | null>((resolve) => agent.once('exit', resolve));
  try {
    await until('hollow-1 and hollow-2 Ready', async () => {
      const nodes = (await admin.list(NODES)).items as Node[];
      return ['hollow-1', 'hollow-2'].every((name) => nodes.some((n) => n.metadata.name === name && ready(n)));
    }, 60_000).catch((err: Error) => {
      throw new Error(`${err.message}\nthe agent said:\n${output}`);
    });
    // Each joined by itself: its own client certificate, in a directory of its own.
    for (const name of ['hollow-1', 'hollow-2']) {
      const cert = readFileSync(join(root, name, 'pki', IDENTITY_FILES.clientCert), 'utf8');
      expect(certificateInfo(cert).commonName).toBe(`system:node:${name}`);
    }
    // Each serves its endpoint on a port of its own (they share the address).
    const ports = ((await admin.list(NODES)).items as Node[]).filter((n) => n.metadata.name!.startsWith('hollow-')).map((n) => n.status?.daemonEndpoints?.kubeletEndpoint?.Port);
    expect(ports).toHaveLength(2);
    expect(ports.every((p) => typeof p === 'number' && p > 0)).toBe(true);
    expect(new Set(ports).size).toBe(2);

    await admin.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'on-hollow-2', namespace: 'default' }, spec: { nodeName: 'hollow-2', automountServiceAccountToken: false, containers: [{ name: 'c', image: 'skiff/busybox:1' }] } });
    await until('the pod Running', async () => (await admin.get(PODS, 'default', 'on-hollow-2')).status?.phase === 'Running', 30_000);
    // The API server reaches the node's endpoint once its serving certificate (by CSR) is in use.
    await until("hollow-2's serving certificate", () => existsSync(join(root, 'hollow-2', 'pki', IDENTITY_FILES.servingCert)), 30_000);

    const kubectl = new Kubectl(server.url, server.tls!.kubeconfig);
    expect(await kubectl.run(['logs', 'on-hollow-2'])).toEqual({ code: 0, stdout: 'started skiff/busybox:1\n', stderr: '' });
    expect(await kubectl.run(['exec', 'on-hollow-2', '--', 'echo', 'hello', 'from', 'hollow-2'])).toEqual({ code: 0, stdout: 'hello from hollow-2\n', stderr: '' });
    expect(await kubectl.run(['exec', 'on-hollow-2', '--', 'sh', '-c', 'echo oops >&2'])).toMatchObject({ code: 0, stdout: '', stderr: 'oops\n' });
    expect((await kubectl.run(['exec', 'on-hollow-2', '--', 'exit', '3'])).code).toBe(3);
  } finally {
    agent.kill('SIGTERM');
    await exited;
  }
}, 120_000);
