// kubectl attach, debug (ephemeral containers) and cp with the real kubectl 1.32 against a real
// cluster on Docker.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@skiff/api';
import { ApiError } from '@skiff/client';
import { containerStatus, getPod, podManifest, PODS, startCluster, until, type ContainerStatus, type TestCluster } from '../support/cluster.ts';

const NS = 'default';
const NODES = [{ name: 'e2e-verbs-1', ip: '127.0.16.1' }];
let cluster: TestCluster;

const running = async (pod: string, name?: string) => containerStatus(await getPod(cluster.client, NS, pod), name)?.state.running !== undefined;
const ephemeralStatus = async (pod: string, name: string): Promise<ContainerStatus | undefined> =>
  ((await getPod(cluster.client, NS, pod)).status?.ephemeralContainerStatuses as ContainerStatus[] | undefined)?.find((s) => s.name === name);

beforeAll(async () => {
  cluster = await startCluster({ nodes: NODES });
  const pods = [
    podManifest('ticker', NS, { command: ['sh', '-c', 'i=0; while [ $i -lt 600 ]; do echo tick $i; i=$((i+1)); sleep 1; done'] }, { terminationGracePeriodSeconds: 0 }),
    podManifest('talker', NS, { stdin: true, stdinOnce: true, command: ['sh', '-c', 'while read l; do echo "got $l"; done; echo bye'] }, { terminationGracePeriodSeconds: 0, restartPolicy: 'Never' }),
    podManifest('target', NS, { command: ['sleep', '100000'] }, { terminationGracePeriodSeconds: 0 }),
  ];
  for (const p of pods) await cluster.client.create(PODS, p as KubeObject, {});
  await until('pods running', async () => (await running('ticker')) && (await running('talker')) && (await running('target')), { timeoutMs: 40_000 });
}, 60_000);
afterAll(async () => {
  await cluster?.close();
}, 60_000);

describe('kubectl attach', () => {
  test('streams the output of the running container', async () => {
    const at = cluster.kubectl.spawn(['attach', 'ticker']);
    try {
      await at.waitFor(/tick \d+\n.*tick \d+/s, 20_000);
    } finally {
      at.child.kill('SIGINT');
    }
    // Detaching leaves the container running.
    expect(await running('ticker')).toBe(true);
  }, 40_000);

  test('-i sends stdin to the container; its end (stdinOnce) ends the container and the attach with success', async () => {
    const r = await cluster.kubectl.run(['attach', '-i', 'talker'], 'hello\nworld\n');
    expect(r.stdout).toContain('got hello\ngot world\nbye\n');
    expect(r.code).toBe(0);
    await until('talker completed', async () => containerStatus(await getPod(cluster.client, NS, 'talker'))?.state.terminated?.exitCode === 0);
  }, 40_000);
});

describe('kubectl debug', () => {
  test('adds an ephemeral container that the agent runs in the pod, with its status, logs and exec', async () => {
    const r = await cluster.kubectl.run(['debug', 'target', '--image=skiff/busybox:1', '-c', 'debugger', '--', 'sh', '-c', 'echo debug-ok; exec sleep 100000']);
    expect(r.stderr).not.toMatch(/panic|error/i);
    expect(r.code).toBe(0);
    const pod = await getPod(cluster.client, NS, 'target');
    expect(pod.spec?.ephemeralContainers).toEqual([expect.objectContaining({ name: 'debugger', image: 'skiff/busybox:1', command: ['sh', '-c', 'echo debug-ok; exec sleep 100000'], terminationMessagePolicy: 'File' })]);
    await until('debugger running', async () => (await ephemeralStatus('target', 'debugger'))?.state.running !== undefined);
    expect(await cluster.kubectl.ok(['logs', 'target', '-c', 'debugger'])).toBe('debug-ok\n');
    // It shares the pod's network namespace: the same address as the pod's own container.
    const inDebugger = await cluster.kubectl.ok(['exec', 'target', '-c', 'debugger', '--', 'hostname', '-i']);
    const inMain = await cluster.kubectl.ok(['exec', 'target', '-c', 'main', '--', 'hostname', '-i']);
    expect(inDebugger).toBe(inMain);
    // The app container was left alone.
    expect(containerStatus(await getPod(cluster.client, NS, 'target'), 'main')?.restartCount).toBe(0);
  }, 60_000);

  test('--target shares the target container\'s processes', async () => {
    const r = await cluster.kubectl.run(['debug', 'target', '--image=skiff/busybox:1', '-c', 'peek', '--target=main', '--', 'sh', '-c', 'ps -o args; exec sleep 100000']);
    expect(r.code).toBe(0);
    await until('peek running', async () => (await ephemeralStatus('target', 'peek'))?.state.running !== undefined);
    expect(await cluster.kubectl.ok(['logs', 'target', '-c', 'peek'])).toContain('sleep 100000');
  }, 60_000);

  test('-i attaches to the new ephemeral container (its stdin stays open: the end of kubectl\'s input does not cut its output)', async () => {
    const r = await cluster.kubectl.run(['debug', '-i', 'target', '--image=skiff/busybox:1', '-c', 'asker', '--', 'sh', '-c', 'read x; echo "got $x"'], 'hi\n');
    expect({ stdout: r.stdout, code: r.code }).toEqual({ stdout: expect.stringContaining('got hi'), code: 0 });
  }, 60_000);

  test('ephemeral containers are only added: changing or removing one is refused with the reason', async () => {
    const pod = await getPod(cluster.client, NS, 'target');
    const changed = (pod.spec!.ephemeralContainers as { name: string; image: string }[]).map((c) => (c.name === 'debugger' ? { ...c, image: 'skiff/busybox:2' } : c));
    // Sent without a resourceVersion (an unconditional update, which pods allow): the agent writes
    // the pod's status as the earlier tests' containers end, and a stale version would be a 409
    // before the change is judged (it was, in CI).
    const { resourceVersion: _rv, ...metadata } = pod.metadata;
    const err = await cluster.client.updateSubresource(PODS, NS, 'target', 'ephemeralcontainers', { ...pod, metadata, spec: { ...pod.spec, ephemeralContainers: changed } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(422);
    expect((err as ApiError).message).toContain('existing ephemeral containers "debugger" may not be changed');
    const dup = await cluster.kubectl.run(['debug', 'target', '--image=skiff/busybox:1', '-c', 'main']);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toContain('Duplicate value: "main"');
  }, 30_000);
});

describe('kubectl cp', () => {
  test('copies a file and a directory into the container and back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-cp-'));
    try {
      const content = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));
      writeFileSync(join(dir, 'data.bin'), content);
      mkdirSync(join(dir, 'tree/sub'), { recursive: true });
      writeFileSync(join(dir, 'tree/sub/note.txt'), 'nested\n');
      await cluster.kubectl.ok(['cp', join(dir, 'data.bin'), 'target:/tmp/data.bin', '-c', 'main']);
      await cluster.kubectl.ok(['cp', join(dir, 'tree'), 'target:/tmp/tree', '-c', 'main']);
      expect(await cluster.kubectl.ok(['exec', 'target', '-c', 'main', '--', 'cat', '/tmp/tree/sub/note.txt'])).toBe('nested\n');
      await cluster.kubectl.ok(['cp', 'target:/tmp/data.bin', join(dir, 'back.bin'), '-c', 'main']);
      expect(readFileSync(join(dir, 'back.bin')).equals(content)).toBe(true);
      await cluster.kubectl.ok(['cp', 'target:/tmp/tree', join(dir, 'tree-back'), '-c', 'main']);
      expect(readFileSync(join(dir, 'tree-back/sub/note.txt'), 'utf8')).toBe('nested\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
