// Exec into a container on the real Docker engine: directly against the node agent's endpoint
// (WebSocket, v5/v4.channel.k8s.io: channel 1 stdout, 2 stderr, 3 status), and through the API
// server with the real kubectl (which needs the API server's pods/exec relay to the agent).
import WebSocket from 'ws';
import type { KubeObject } from '@skiff/api';
import { containerStatus, docker, getPod, podManifest, PODS, removeNodeContainers, startCluster, until, type TestCluster } from '../support/cluster.ts';

const NS = 'default';
const NODES = [{ name: 'e2e-exec-1', ip: '127.0.4.1' }];
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster({ nodes: NODES });
  await cluster.client.create(PODS, podManifest('shell', NS, { command: ['sleep', '100000'] }, { terminationGracePeriodSeconds: 0 }) as KubeObject, {});
  await until('shell running', async () => containerStatus(await getPod(cluster.client, NS, 'shell'))?.state.running !== undefined);
}, 30_000);
afterAll(async () => {
  await cluster?.close();
}, 30_000);

interface ExecResult {
  protocol: string;
  stdout: string;
  stderr: string;
  status: { status: string; reason?: string; message?: string; details?: { causes?: { reason: string; message: string }[] } } | undefined;
  closeCode: number;
}

function agentExec(command: string[], protocol = 'v5.channel.k8s.io', container = 'main', pod = 'shell', stdin?: string): Promise<ExecResult> {
  const qs = new URLSearchParams([...command.map((c): [string, string] => ['command', c]), ['stdout', 'true'], ['stderr', 'true'], ...(stdin !== undefined ? [['stdin', 'true'] as [string, string]] : [])]);
  const agent = cluster.agentEndpoint(0);
  const url = `${agent.tls ? 'wss' : 'ws'}://${agent.host}:${agent.port}/exec/${NS}/${pod}/${container}?${qs}`;
  return new Promise((resolve, reject) => {
    // Over TLS (SKIFF_E2E_TLS=1) as the API server: its client certificate, the cluster CA.
    const ws = new WebSocket(url, [protocol], agent.tls ?? {});
    const out: ExecResult = { protocol: '', stdout: '', stderr: '', status: undefined, closeCode: 0 };
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`exec ${command.join(' ')} did not finish: ${JSON.stringify(out)}`));
    }, 10_000);
    ws.on('open', () => {
      out.protocol = ws.protocol;
      if (stdin === undefined) return;
      // At once, as kubectl does: the agent may still be creating the exec.
      ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(stdin)]));
      ws.send(Buffer.from([255, 0])); // v5: close stdin
    });
    ws.on('message', (data: Buffer) => {
      const channel = data[0];
      const body = data.subarray(1).toString();
      if (channel === 1) out.stdout += body;
      else if (channel === 2) out.stderr += body;
      else if (channel === 3) out.status = JSON.parse(body);
    });
    ws.on('close', (code) => {
      clearTimeout(timer);
      out.closeCode = code;
      resolve(out);
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

describe('exec on the agent endpoint', () => {
  test('echo hi: stdout on channel 1, Success on channel 3', async () => {
    const r = await agentExec(['echo', 'hi']);
    expect(r.protocol).toBe('v5.channel.k8s.io');
    expect(r.stdout).toBe('hi\n');
    expect(r.stderr).toBe('');
    expect(r.status).toEqual({ metadata: {}, status: 'Success' });
    expect(r.closeCode).toBe(1000);
  });

  test('stderr on channel 2 and a non-zero exit code in the status (v4 too)', async () => {
    for (const protocol of ['v5.channel.k8s.io', 'v4.channel.k8s.io']) {
      const r = await agentExec(['sh', '-c', 'echo out; echo oops >&2; exit 3'], protocol);
      expect(r.protocol).toBe(protocol);
      expect(r.stdout).toBe('out\n');
      expect(r.stderr).toBe('oops\n');
      expect(r.status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
    }
  });

  test('stdin sent right after the upgrade reaches the command; the v5 close frame ends it', async () => {
    const r = await agentExec(['sh', '-c', 'tr a-z A-Z'], 'v5.channel.k8s.io', 'main', 'shell', 'hello\n');
    expect(r.stdout).toBe('HELLO\n');
    expect(r.status).toEqual({ metadata: {}, status: 'Success' });
  });

  test('the command runs in the pod\'s container', async () => {
    const r = await agentExec(['cat', '/proc/1/cmdline']);
    expect(r.stdout.split('\0').filter(Boolean)).toEqual(['sleep', '100000']);
  });

  test('an unknown container or a missing command is a Failure status', async () => {
    const missing = await agentExec(['true'], 'v5.channel.k8s.io', 'nope');
    expect(missing.status).toMatchObject({ status: 'Failure' });
    expect(missing.status!.message).toContain('container "nope" in pod "shell"');
    const empty = await agentExec([]);
    expect(empty.status).toMatchObject({ status: 'Failure', message: 'you must specify at least one command for the container' });
  });
});

describe('isolation', () => {
  test('the agent serves logs and exec of its own node\'s containers only', async () => {
    // Another node's container on the same engine, labelled as a later attempt of the same
    // namespace/pod/container (two clusters on one Docker host, or `skiff up` next to a test).
    const other = 'e2e-exec-other';
    const labels = { 'dev.skiff.node': other, 'io.kubernetes.pod.uid': 'other', 'io.kubernetes.pod.namespace': NS, 'io.kubernetes.pod.name': 'shell', 'io.kubernetes.container.name': 'main', 'dev.skiff.restart-count': '9' };
    await docker(['run', '-d', ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]), 'skiff/busybox:1', 'sh', '-c', 'echo impostor; exec sleep 100001']);
    try {
      expect(await cluster.kubectl.ok(['logs', 'shell'])).toBe('');
      const r = await agentExec(['cat', '/proc/1/cmdline']);
      expect(r.stdout.split('\0').filter(Boolean)).toEqual(['sleep', '100000']);
    } finally {
      await removeNodeContainers([other]);
    }
  });
});

// These need the API server to relay pods/exec to the agent (issue 5; the API server answers 503
// "exec is not available yet" until it does).
describe('kubectl exec through the API server', () => {
  test('kubectl exec POD -- echo hi prints hi', async () => {
    const r = await cluster.kubectl.run(['exec', 'shell', '--', 'echo', 'hi']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hi\n');
    expect(r.code).toBe(0);
  });

  test('kubectl exec -i streams stdin to the command and ends it at EOF', async () => {
    const r = await cluster.kubectl.run(['exec', '-i', 'shell', '--', 'sh', '-c', 'tr a-z A-Z; echo done >&2'], 'hello\nworld\n');
    expect(r.stdout).toBe('HELLO\nWORLD\n');
    expect(r.stderr).toBe('done\n');
    expect(r.code).toBe(0);
  });

  test('kubectl exec passes the exit code through', async () => {
    const r = await cluster.kubectl.run(['exec', 'shell', '--', 'sh', '-c', 'exit 3']);
    expect(r.code).toBe(3);
  });
});
