// The node agent under faults and bad input, on the real Docker engine (issue 13 §1): malformed
// request targets are 400s and never crash the process; an exec whose client leaves is ended; a
// failing runtime stream does not crash; following logs respects a slow reader, and the logs of a
// removed container say so; the inspect cache forgets containers removed behind the agent's back,
// and such a container runs again only if its pod's restart policy says so; a registration stopped
// while it retries, or refused for good, leaves nothing behind.
import { stat } from 'node:fs/promises';
import { createServer as createHttpServer, request } from 'node:http';
import type { Duplex } from 'node:stream';
import { createServer, connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import WebSocket from 'ws';
import { ContainerGoneError, DockerRuntime, KernelOomLog, startAgent } from '@skiff/agent';

const LABEL_NODE_NAME = 'dev.skiff.node';
import type { KubeObject } from '@skiff/api';
import { containerStatus, docker, dockerIds, getPod, podManifest, PODS, recordPods, removeNodeContainers, startCluster, until, type TestCluster } from '../support/cluster.ts';

const NS = 'default';
const NODES = [{ name: 'e2e-faults-1', ip: '127.0.13.1' }];
let cluster: TestCluster;
let base: string;
/** With TLS (SKIFF_E2E_TLS=1): what the API server presents to the agent (ADR 0019). */
let agentTls: { ca: string; cert: string; key: string } | undefined;

beforeAll(async () => {
  cluster = await startCluster({ nodes: NODES });
  base = `${NODES[0].ip}:${cluster.agents[0]!.endpointPort}`;
  agentTls = cluster.agentEndpoint(0).tls;
  await cluster.client.create(PODS, podManifest('shell', NS, { command: ['sleep', '100000'] }, { terminationGracePeriodSeconds: 0 }) as KubeObject, {});
  await until('shell running', async () => containerStatus(await getPod(cluster.client, NS, 'shell'))?.state.running !== undefined);
}, 30_000);
afterAll(async () => {
  await cluster?.close();
}, 30_000);

/** A socket to the agent's endpoint: plain, or TLS as the API server connects. */
function dial(onConnect: (s: Duplex & { destroy(e?: Error): void; setTimeout(ms: number, cb: () => void): void; resetAndDestroy?(): void }) => void) {
  const [host, port] = base.split(':');
  if (!agentTls) {
    const s = connect(Number(port), host, () => onConnect(s));
    return s;
  }
  const s = tlsConnect({ host, port: Number(port), ...agentTls }, () => onConnect(s));
  return s;
}

/** A raw HTTP/1.1 request (no client-side URL checks), answered with the status line and body. */
function raw(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = dial((c) => c.write(text));
    let out = '';
    s.on('data', (d) => (out += d.toString()));
    s.on('end', () => resolve(out));
    s.on('error', reject);
    s.setTimeout(5000, () => s.destroy(new Error(`no answer to ${text.split('\r\n')[0]}: ${out}`)));
  });
}

async function healthy(): Promise<boolean> {
  return (await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).endsWith('ok');
}

const upgrade = (path: string) =>
  `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n`;

describe('bad request targets', () => {
  test('an upgrade whose path does not decode is a 400 Status, and the agent lives on', async () => {
    const r = await raw(upgrade('/exec/%E0%A4%A/x/y?command=true'));
    expect(r).toMatch(/^HTTP\/1.1 400 /);
    expect(JSON.parse(r.slice(r.indexOf('\r\n\r\n') + 4))).toMatchObject({ kind: 'Status', code: 400, reason: 'BadRequest' });
    expect(await healthy()).toBe(true);
  });

  test('an upgrade to an unknown path is a 404; a client resetting an upgrade does not crash the agent', async () => {
    expect(await raw(upgrade('/nope'))).toMatch(/^HTTP\/1.1 404 /);
    await new Promise<void>((resolve) => {
      dial((s) => {
        s.write(upgrade('/exec/default/shell/main?command=sleep&command=5'));
        // A TLS socket cannot send a TCP reset: it is destroyed without a close_notify instead.
        if (agentTls) s.destroy();
        else s.resetAndDestroy!();
        resolve();
      });
    });
    expect(await healthy()).toBe(true);
  });

  test('a log path that does not decode is a 400, not a 500', async () => {
    const r = await raw('GET /containerLogs/%E0%A4%A/x/y HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(r).toMatch(/^HTTP\/1.1 400 /);
    expect(JSON.parse(r.slice(r.indexOf('\r\n\r\n') + 4))).toMatchObject({ kind: 'Status', code: 400 });
  });
});

describe('exec', () => {
  test('an exec without stdin ends when its client goes away (tail -f would run forever)', async () => {
    const marker = '/dev/null'; // `tail -f /dev/null` never exits by itself
    const url = `${agentTls ? 'wss' : 'ws'}://${base}/exec/${NS}/shell/main?command=tail&command=-f&command=${marker}&stdout=true&stderr=true`;
    const ws = new WebSocket(url, ['v5.channel.k8s.io'], agentTls ?? {});
    await new Promise((resolve, reject) => {
      ws.on('open', resolve);
      ws.on('error', reject);
    });
    const tails = async () => (await docker(['exec', cid(), 'ps', '-o', 'args'])).split('\n').filter((l) => l.startsWith('tail -f')).length;
    await until('tail running in the container', async () => (await tails()) === 1);
    ws.terminate();
    await until('tail ended after the client left', async () => (await tails()) === 0, { timeoutMs: 10_000 });
  });

  test('a TTY exec whose engine stream fails does not crash the agent', async () => {
    const runtime = new DockerRuntime();
    const session = await runtime.exec(cid(), { command: ['sleep', '30'], stdin: false, tty: true });
    // With a TTY the engine's connection is stdout itself; a reset surfaces as an 'error' there.
    session.stdout.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    await session.kill();
    expect(typeof (await session.exitCode())).toBe('number');
  });
});

let shellId = '';
function cid(): string {
  if (!shellId) throw new Error('no container id');
  return shellId;
}
beforeAll(async () => {
  const ids = (await docker(['ps', '-q', '--no-trunc', '--filter', `label=${LABEL_NODE_NAME}=${NODES[0].name}`, '--filter', 'label=io.kubernetes.pod.name=shell'])).split('\n').filter(Boolean);
  shellId = ids[0];
});

describe('logs', () => {
  test('following the logs of a fast writer with a reader that does not read stays bounded', async () => {
    const runtime = new DockerRuntime();
    const name = `skiff-e2e-faults-yes-${process.pid}`;
    // Labelled for a node no agent of this file runs: the node's agent removes containers of its
    // node that belong to no pod (orphans), and removed this one mid-test in CI once.
    const id = (await docker(['run', '-d', '--name', name, '--label', `${LABEL_NODE_NAME}=e2e-faults-logs`, 'skiff/busybox:1', 'sh', '-c', 'yes 0123456789012345678901234567890123456789'])).trim();
    try {
      const logPath = (await docker(['inspect', '-f', '{{.LogPath}}', id])).trim();
      const size = async () => (await stat(logPath)).size;
      const stream = await runtime.logs(id, { follow: true });
      // Not read: the engine keeps writing while the agent must stop pulling.
      const start = await size();
      await until('the container wrote 32 MiB more', async () => (await size()) - start > 32 * 1024 * 1024, { timeoutMs: 60_000, intervalMs: 200 });
      const buffered = stream.readableLength + (stream as Duplex).writableLength;
      expect(buffered).toBeLessThan(4 * 1024 * 1024);
      stream.destroy();
    } finally {
      await docker(['rm', '-f', id]);
    }
  }, 90_000);

  test('the logs of a removed container are a ContainerGoneError, not the engine\'s error', async () => {
    const runtime = new DockerRuntime();
    const id = (await docker(['create', '--label', `${LABEL_NODE_NAME}=e2e-faults-logs`, 'skiff/busybox:1', 'true'])).trim();
    await docker(['rm', '-f', id]);
    await expect(runtime.logs(id, {})).rejects.toThrow(ContainerGoneError);
    await expect(runtime.logs(id, { follow: true })).rejects.toThrow(ContainerGoneError);
  });
});

describe('runtime', () => {
  test("an OOM kill is known from the kernel's log, whatever Docker's OOMKilled flag says; another exit with 137 is not one", async () => {
    const ids: string[] = [];
    try {
      const run = async (args: string[]) => {
        const id = (await docker(['run', '-d', '--label', `${LABEL_NODE_NAME}=e2e-faults-oom`, ...args])).trim();
        ids.push(id);
        await docker(['wait', id]);
        return id;
      };
      const hog = await run(['--memory', '16m', '--memory-swap', '16m', 'skiff/busybox:1', 'tail', '/dev/zero']);
      const killed = await run(['skiff/busybox:1', 'sh', '-c', 'exit 137']);
      const kernel = new KernelOomLog();
      try {
        expect(kernel.killed(hog)).toBe(true);
        expect(kernel.killed(killed)).toBe(false);
      } finally {
        kernel.close();
      }
      const runtime = new DockerRuntime();
      expect(await runtime.inspect(hog)).toMatchObject({ state: 'exited', exitCode: 137, oomKilled: true });
      expect(await runtime.inspect(killed)).toMatchObject({ state: 'exited', exitCode: 137, oomKilled: false });
    } finally {
      if (ids.length) await docker(['rm', '-f', ...ids]);
    }
  });

  test('the inspect cache forgets containers removed behind the agent\'s back', async () => {
    const runtime = new DockerRuntime();
    const label = { [LABEL_NODE_NAME]: 'e2e-faults-cache' };
    const ids: string[] = [];
    try {
      for (let i = 0; i < 3; i++) ids.push((await docker(['create', '--label', `${LABEL_NODE_NAME}=e2e-faults-cache`, 'skiff/busybox:1', 'true'])).trim());
      expect(await runtime.list(label)).toHaveLength(3);
      expect(runtime.cachedInspections).toBe(3);
      await docker(['rm', '-f', ...ids]);
      expect(await runtime.list(label)).toHaveLength(0);
      expect(runtime.cachedInspections).toBe(0);
    } finally {
      await removeNodeContainers(['e2e-faults-cache']);
    }
  });
});

describe('a running container removed behind the agent\'s back (docker rm -f), as the kubelet treats it', () => {
  const UNKNOWN = { exitCode: 137, reason: 'ContainerStatusUnknown' };
  /** Creates a pod that sleeps under `restartPolicy`, waits for it to run, removes its container and returns the removed id. */
  async function runAndRemove(name: string, restartPolicy: string): Promise<string> {
    await cluster.client.create(PODS, podManifest(name, NS, { command: ['sleep', '100000'] }, { restartPolicy, terminationGracePeriodSeconds: 0 }) as KubeObject, {});
    const running = await until(`${name} running`, async () => {
      const c = containerStatus(await getPod(cluster.client, NS, name));
      return c?.state.running ? c : undefined;
    }, 30_000);
    const id = running.containerID!.replace('docker://', '');
    await docker(['rm', '-f', id]);
    return id;
  }
  const containersOf = (name: string) => dockerIds(['--filter', `label=io.kubernetes.pod.name=${name}`, '--filter', 'label=io.kubernetes.container.name=main']);

  test('restartPolicy Never: the pod fails with the end unknown (137), and no new attempt is ever made', async () => {
    const rec = recordPods(cluster.client, NS, 'metadata.name=gone-never');
    try {
      const removed = await runAndRemove('gone-never', 'Never');
      const failed = await until('gone-never Failed', async () => {
        const p = await getPod(cluster.client, NS, 'gone-never');
        return p.status?.phase === 'Failed' ? p : undefined;
      }, 30_000);
      expect(containerStatus(failed)).toMatchObject({ ready: false, lastState: { terminated: UNKNOWN } });
      expect(await containersOf('gone-never')).toEqual([]);
      // Every status written: the removed attempt is the only one the pod ever had.
      const ids = new Set(rec.versions.map((v) => containerStatus(v)?.containerID).filter(Boolean));
      expect([...ids]).toEqual([`docker://${removed}`]);
    } finally {
      rec.stop();
      await cluster.client.delete(PODS, NS, 'gone-never');
    }
  }, 60_000);

  test('restartPolicy OnFailure: an unknown end (137) is a failure, so it runs again, counted as a restart', async () => {
    try {
      const removed = await runAndRemove('gone-onfailure', 'OnFailure');
      const again = await until('gone-onfailure running again', async () => {
        const p = await getPod(cluster.client, NS, 'gone-onfailure');
        const c = containerStatus(p);
        return c?.state.running && c.containerID !== `docker://${removed}` ? p : undefined;
      }, 30_000);
      expect(again.status?.phase).toBe('Running');
      // The removed attempt is counted; as with the kubelet, a running attempt's lastState comes
      // from the attempt before it in the runtime, and that one is gone.
      expect(containerStatus(again)).toMatchObject({ restartCount: 1, lastState: {} });
    } finally {
      await cluster.client.delete(PODS, NS, 'gone-onfailure');
    }
  }, 60_000);
});

describe('agent lifecycle', () => {
  test('an agent stopped while its registration is still retrying leaves no endpoint listening', async () => {
    // An API server that drops every connection: registration retries with backoff (as the kubelet's).
    let attempts = 0;
    const refusing = createServer((s) => {
      attempts++;
      s.destroy();
    });
    await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
    const apiPort = (refusing.address() as { port: number }).port;
    const port = await freePort('127.0.13.2');
    const abort = new AbortController();
    try {
      const starting = startAgent({ server: `http://127.0.0.1:${apiPort}`, nodeName: 'e2e-faults-reg', nodeIP: '127.0.13.2', port, runtime: new DockerRuntime(), log: () => undefined, signal: abort.signal });
      const outcome = starting.then(() => 'registered', (err: Error) => err);
      // Retrying: the agent came back after its first refusal, and its endpoint is up meanwhile.
      await until('a second registration attempt', async () => attempts >= 2);
      expect(await httpGet(`http://127.0.13.2:${port}/healthz`)).toBe(200);
      abort.abort();
      expect(await outcome).toBeInstanceOf(Error);
      // The port is free again: nothing answers there.
      await expect(httpGet(`http://127.0.13.2:${port}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      abort.abort();
      refusing.close();
    }
  });

  test('a registration the API server refuses for good fails at once and leaves no endpoint listening', async () => {
    // An API server that answers every request 403 Forbidden: not retryable.
    let attempts = 0;
    const forbidding = createHttpServer((req, res) => {
      attempts++;
      req.resume();
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'nodes is forbidden' }));
    });
    await new Promise<void>((r) => forbidding.listen(0, '127.0.0.1', r));
    const apiPort = (forbidding.address() as { port: number }).port;
    const port = await freePort('127.0.13.2');
    try {
      await expect(startAgent({ server: `http://127.0.0.1:${apiPort}`, nodeName: 'e2e-faults-reg', nodeIP: '127.0.13.2', port, runtime: new DockerRuntime(), log: () => undefined })).rejects.toThrow(/forbidden/);
      expect(attempts).toBe(1);
      await expect(httpGet(`http://127.0.13.2:${port}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      forbidding.close();
    }
  });
});

function freePort(host: string): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, host, () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function httpGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
