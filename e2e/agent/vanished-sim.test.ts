// Containers removed behind the agent's back (`docker rm -f`), on the simulated runtime so that the
// removal lands exactly where it hurts: just after the pod's worker listed its container running,
// so no relist of the node ever sees it. The agent still finds it gone, restarts it, and the
// restart count goes on from the pod's status, whatever statuses are written before the next
// attempt exists (kubelet's convertToAPIContainerStatuses).
import { ImageError, SimRuntime } from '@skiff/agent';
import type { KubeObject } from '@skiff/api';
import { containerStatus, getPod, PODS, podManifest, recordPods, until } from '../support/cluster.ts';
import { useCluster } from '../support/use-cluster.ts';

const NS = 'default';
const POD_UID = 'io.kubernetes.pod.uid';

/**
 * A simulated engine that removes a pod's containers behind the agent's back: each of the next
 * `vanish` containers goes once a listing of its pod (the worker's) has shown it running twice,
 * i.e. after the worker's sync that found nothing left to do. After each removal the next
 * `pullFailures` image checks fail, so that the worker writes statuses with no container at all.
 */
class VanishingRuntime extends SimRuntime {
  vanish = 0;
  pullFailures = 0;
  removed: string[] = [];
  private failing = 0;
  private readonly seenRunning = new Map<string, number>();

  override async list(labels: Record<string, string>) {
    const out = await super.list(labels);
    if (!labels[POD_UID]) return out; // the node's relist
    for (const c of out) {
      if (c.state !== 'running' || this.vanish === 0) continue;
      const seen = (this.seenRunning.get(c.id) ?? 0) + 1;
      this.seenRunning.set(c.id, seen);
      if (seen < 2) continue;
      this.vanish--;
      this.removed.push(c.id);
      this.failing = this.pullFailures;
      await super.remove(c.id);
    }
    return out;
  }

  override async ensureImage(...args: Parameters<SimRuntime['ensureImage']>) {
    if (this.failing > 0) {
      this.failing--;
      throw new ImageError('ErrImagePull', `rpc error: pull access denied for ${args[0]}`);
    }
    return super.ensureImage(...args);
  }
}

const runtime = new VanishingRuntime({ images: ['skiff/busybox:1'] });
const cluster = useCluster({ nodes: [{ name: 'e2e-vanished-1', ip: '127.0.25.1' }], runtime: () => runtime, serveEndpoint: false });

const restarted = (name: string, count: number) =>
  until(`${name} running after ${count} restarts`, async () => {
    const s = containerStatus(await getPod(cluster.client, NS, name));
    return s?.state.running && s.restartCount === count ? s : undefined;
  });

test('a container removed right after the worker listed it, before any relist saw it, is restarted, each time with the next restart count', async () => {
  runtime.vanish = 3;
  runtime.pullFailures = 0;
  runtime.removed = [];
  await cluster.client.create(PODS, podManifest('thrice', NS, { command: ['sleep', '3600'] }));
  const s = await restarted('thrice', 3);
  expect(runtime.removed).toHaveLength(3);
  expect(runtime.removed).not.toContain(s.containerID!.replace('sim://', ''));
});

test('while the next attempt cannot be made, the status keeps the count: waiting, with the vanished one as ContainerStatusUnknown', async () => {
  runtime.vanish = 1;
  runtime.pullFailures = 2;
  runtime.removed = [];
  const rec = recordPods(cluster.client, NS, 'metadata.name=pulls');
  try {
    await cluster.client.create(PODS, podManifest('pulls', NS, { command: ['sleep', '3600'] }));
    await restarted('pulls', 1);
  } finally {
    rec.stop();
  }
  // Every status written between the removal and the next attempt: the pull failed (twice), the
  // container waits, and the count has gone on, never back to 0.
  const between = rec.versions.map((v: KubeObject) => containerStatus(v)).filter((c) => c?.state.waiting?.reason === 'ErrImagePull' || c?.state.waiting?.reason === 'ImagePullBackOff');
  expect(between.length).toBeGreaterThan(0);
  for (const c of between) {
    expect(c).toMatchObject({ restartCount: 1, ready: false, lastState: { terminated: { reason: 'ContainerStatusUnknown', exitCode: 137 } } });
    expect(c!.containerID).toBeUndefined();
  }
  const after = rec.versions.map((v: KubeObject) => containerStatus(v)?.restartCount ?? 0);
  expect(after.slice(after.indexOf(1))).not.toContain(0);
});
